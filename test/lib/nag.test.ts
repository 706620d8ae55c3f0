import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { telephonyStacks } from '../../bin/telephony-app';
import { ApiNamespace, PHONE_NUMBER_ACTIONS, VoiceConnectorGroup } from '../../lib';
import { appWithCdkJsonContext } from '../bin/cdk-json';
import { acknowledgementsOf, findings } from './nag-findings';

it('finds problems when there are some, so a clean result means something', () => {
  const app = new App();
  const stack = new Stack(app, 'Careless');
  new CfnRole(stack, 'Role', {
    assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } }] },
    managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  });
  expect(findings(stack, app.synth().directory)).toEqual([expect.stringContaining('Careless AwsSolutions-IAM4')]);
});

it('passes the AwsSolutions pack on every stack of the example app', () => {
  const app = appWithCdkJsonContext();
  const stacks = Object.values(telephonyStacks(app));
  const dir = app.synth().directory;
  expect(stacks.flatMap((s) => findings(s, dir))).toEqual([]);
});

it('passes the AwsSolutions pack on every stack of the example app given phone numbers', () => {
  const app = appWithCdkJsonContext();
  app.node.setContext('phoneNumbers', '+12065550100,+12065550101');
  const stacks = Object.values(telephonyStacks(app));
  const dir = app.synth().directory;
  const granting = stacks.filter((s) => JSON.stringify(Template.fromStack(s).toJSON()).includes(PHONE_NUMBER_ACTIONS[0])).map((s) => s.stackName);
  expect(granting).toEqual(['ChimeTelephonyStack', 'ChimeFailoverGroup']);
  expect(stacks.flatMap((s) => findings(s, dir))).toEqual([]);
});

it('passes the AwsSolutions pack on a stack with groups in both namespaces, one of them with phone numbers', () => {
  const app = new App();
  const stack = new Stack(app, 'BothNamespaces', { env: { region: 'eu-central-1' } });
  new VoiceConnectorGroup(stack, 'Supported');
  new VoiceConnectorGroup(stack, 'Legacy', { apiNamespace: ApiNamespace.CHIME }).addPhoneNumber('+12065550100');
  expect(findings(stack, app.synth().directory)).toEqual([]);
});

it('gives every acknowledgement a rule ID and a reason, on the provider resources only', () => {
  const app = new App();
  const stack = new Stack(app, 'Acknowledged');
  new VoiceConnectorGroup(stack, 'Group');
  const acknowledged = stack.node.findAll().filter((c) => c.node.metadata.some((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY));

  expect(acknowledged.map((c) => c.node.path).sort()).toEqual([
    'Acknowledged/VoiceConnectorGroupChimeSDKVoiceProviderCustomResourceProvider/Handler',
    'Acknowledged/VoiceConnectorGroupChimeSDKVoiceProviderCustomResourceProvider/Role',
  ]);
  for (const c of acknowledged) {
    for (const [id, reason] of Object.entries(acknowledgementsOf(c))) {
      expect(id).toMatch(/^(annotation::)?AwsSolutions-[A-Z]+\d+/i);
      expect(reason.length).toBeGreaterThan(60);
    }
  }
});

it('records the provider acknowledgements once per stack, however many groups it holds', () => {
  const metadataOfProvider = (groups: number) => {
    const stack = new Stack(new App(), 'Groups', { env: { region: 'us-east-1' } });
    for (let i = 0; i < groups; i++) new VoiceConnectorGroup(stack, `Group${i}`);
    const provider = stack.node.findChild('VoiceConnectorGroupChimeSDKVoiceProviderCustomResourceProvider');
    // Types only, and the acknowledgements in full: logical ID tokens are numbered per app.
    return ['Role', 'Handler'].map((child) =>
      provider.node.findChild(child).node.metadata.map((m) => (m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY ? [m.type, m.data] : [m.type])),
    );
  };

  const one = metadataOfProvider(1);
  expect(one.map((entries) => entries.length)).toEqual([4, 3]);
  expect(metadataOfProvider(50)).toEqual(one);
});
