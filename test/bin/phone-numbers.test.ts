import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PHONE_NUMBERS_CONTEXT } from '../../bin/phone-numbers';
import { telephonyStacks } from '../../bin/telephony-app';
import { HANDLER_ACTIONS, PHONE_NUMBER_ACTIONS, STACK_READ_ACTIONS } from '../../lib';
import { appWithCdkJsonContext } from './cdk-json';

const GROUP_STACKS = ['ChimeTelephonyStack', 'ChimeFailoverGroup'];

/** The example app as `npx cdk synth -c phoneNumbers=...` builds it, or without the option. */
function synth(phoneNumbers?: unknown) {
  const app = appWithCdkJsonContext();
  if (phoneNumbers !== undefined) app.node.setContext(PHONE_NUMBERS_CONTEXT, phoneNumbers);
  const stacks = Object.fromEntries(Object.values(telephonyStacks(app)).map((s: Stack) => [s.stackName, s]));
  return (name: string) => {
    const template = Template.fromStack(stacks[name]);
    const groups = Object.values(template.findResources('Custom::VoiceConnectorGroup')).map((r) => r.Properties);
    const actions = Object.values(template.findResources('AWS::IAM::Role')).flatMap((r) =>
      (r.Properties.Policies ?? []).flatMap((p: { PolicyDocument: { Statement: { Action: string[] }[] } }) => p.PolicyDocument.Statement.flatMap((st) => st.Action)),
    );
    return { groups, actions };
  };
}

it.each<[string, unknown]>([
  ['a comma-separated string, as -c gives it', '+12065550100, +12065550101'],
  ['a list, as cdk.json may give it', ['+12065550100', '+12065550101']],
])('declares the numbers of the phoneNumbers context on both example groups and grants the association actions, given %s', (_case, value) => {
  const stack = synth(value);
  for (const name of GROUP_STACKS) {
    const { groups, actions } = stack(name);
    expect(groups.map((g) => g.phoneNumbers)).toEqual([['+12065550100', '+12065550101']]);
    expect(actions).toEqual([...HANDLER_ACTIONS, ...STACK_READ_ACTIONS, ...PHONE_NUMBER_ACTIONS]);
  }
});

it('declares an empty list for an empty phoneNumbers context, so a deploy can release the numbers', () => {
  const stack = synth('');
  for (const name of GROUP_STACKS) {
    const { groups, actions } = stack(name);
    expect(groups.map((g) => g.phoneNumbers)).toEqual([[]]);
    expect(actions).toEqual([...HANDLER_ACTIONS, ...STACK_READ_ACTIONS, ...PHONE_NUMBER_ACTIONS]);
  }
});

it('declares no numbers and grants only the group actions without the phoneNumbers context', () => {
  const stack = synth();
  for (const name of GROUP_STACKS) {
    const { groups, actions } = stack(name);
    expect(groups.map((g) => Object.keys(g).filter((k) => k === 'phoneNumbers' || k === 'forceAssociate'))).toEqual([[]]);
    expect(actions).toEqual([...HANDLER_ACTIONS, ...STACK_READ_ACTIONS]);
  }
});

it('refuses a context value that is neither a string nor a list of strings, naming the key', () => {
  const app = new App({ context: { [PHONE_NUMBERS_CONTEXT]: 12065550100 } });
  expect(() => telephonyStacks(app)).toThrow('ChimeTelephonyStack: context phoneNumbers: 12065550100 is neither a comma-separated string nor a list of strings');
});

it('refuses a number in the context that is not E.164, naming the group and the property', () => {
  const app = new App({ context: { [PHONE_NUMBERS_CONTEXT]: '+12065550100,2065550101' } });
  expect(() => telephonyStacks(app)).toThrow("VoiceConnectorGroup ChimeTelephonyStack/FailoverGroup: phoneNumbers[1]: '2065550101' is not an E.164 phone number");
});
