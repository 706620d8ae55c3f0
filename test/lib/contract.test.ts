import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { telephonyStacks } from '../../bin/telephony-app';
import { ApiNamespace, VoiceConnectorGroup, VoiceConnectorGroupProps } from '../../lib';
import { appWithCdkJsonContext } from '../bin/cdk-json';

/**
 * Logical IDs and ServiceTokens are a contract with every deployed stack: CloudFormation refuses
 * an update that changes a custom resource's ServiceToken ("Modifying service token is not
 * allowed."), and a new logical ID replaces the resource. These values were released; a change
 * here is a breaking change and needs a major version and a CHANGELOG entry.
 */
const RELEASED_TOKEN = { 'Fn::GetAtt': ['VoiceConnectorGroupChimeSDKVoiceProviderCustomResourceProviderHandler12DD3D56', 'Arn'] };
const RELEASED: Record<string, Record<string, object>> = {
  ChimeTelephonyStack: { FailoverGroup6EDEA521: RELEASED_TOKEN },
  ChimeFailoverGroup: { GroupC77FDACD: RELEASED_TOKEN },
  ChimeConnectorEast: {},
  ChimeConnectorWest: {},
};

const groupsOf = (stack: Stack) =>
  Object.fromEntries(Object.entries(Template.fromStack(stack).findResources('Custom::VoiceConnectorGroup')).map(([id, r]) => [id, r.Properties.ServiceToken]));

it('keeps the released logical IDs and ServiceTokens of the example stacks', () => {
  // The example app as `npx cdk synth` builds it.
  const app = appWithCdkJsonContext();
  telephonyStacks(app);
  const found = Object.fromEntries(app.node.children.filter(Stack.isStack).map((s) => [s.stackName, groupsOf(s)]));

  expect(found).toEqual(RELEASED);
});

it.each<[string, VoiceConnectorGroupProps]>([
  ['the legacy namespace', { apiNamespace: ApiNamespace.CHIME }],
  ['another API Region', { apiRegion: 'us-west-2' }],
  ['another name and connectors', { voiceConnectorGroupName: 'renamed', voiceConnectorItems: [{ voiceConnectorId: 'vc-1', priority: 1 }] }],
])('keeps the logical ID and ServiceToken of a group when the user switches to %s', (_case, change) => {
  const synth = (props: VoiceConnectorGroupProps) => {
    const stack = new Stack(new App(), 'Telephony', { env: { region: 'us-east-1' } });
    new VoiceConnectorGroup(stack, 'Group', props);
    return groupsOf(stack);
  };

  expect(synth(change)).toEqual(synth({}));
  expect(synth({})).toEqual({ GroupC77FDACD: RELEASED_TOKEN });
});
