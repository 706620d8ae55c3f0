import { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { crossRegionTelephony } from '../../bin/cross-region';
import { appWithCdkJsonContext } from './cdk-json';

interface GetStackOutput {
  'Fn::GetStackOutput': { StackName: string; Region: string; OutputName: string };
}
/** The properties these tests read, from the templates CDK synthesises. */
interface Properties {
  AwsRegion?: string;
  voiceConnectorItems?: { voiceConnectorId: GetStackOutput; priority: number }[];
}
type Resources = Record<string, { Type: string; Properties: Properties }>;
interface Template {
  Resources: Resources;
  Outputs?: Record<string, { Value: unknown; Export?: unknown }>;
}

const app = appWithCdkJsonContext();
const stacks = crossRegionTelephony(app);
const assembly = app.synth();
const artifact = (name: string): CloudFormationStackArtifact => assembly.getStackByName(name);
const template = (name: string): Template => artifact(name).template;
const ofType = (name: string, type: string) => Object.entries(template(name).Resources).filter(([, r]) => r.Type === type);
const PRODUCERS = ['ChimeConnectorEast', 'ChimeConnectorWest'];

it('puts each voice connector in its own stack, one connector in us-east-1 and one in us-west-2', () => {
  expect([stacks.east.stackName, stacks.west.stackName, stacks.group.stackName]).toEqual(['ChimeConnectorEast', 'ChimeConnectorWest', 'ChimeFailoverGroup']);
  expect(ofType('ChimeConnectorEast', 'AWS::Chime::VoiceConnector').map(([, r]) => r.Properties.AwsRegion)).toEqual(['us-east-1']);
  expect(ofType('ChimeConnectorWest', 'AWS::Chime::VoiceConnector').map(([, r]) => r.Properties.AwsRegion)).toEqual(['us-west-2']);
  expect(ofType('ChimeFailoverGroup', 'AWS::Chime::VoiceConnector')).toEqual([]);
  expect(ofType('ChimeFailoverGroup', 'Custom::VoiceConnectorGroup')).toHaveLength(1);
  expect(artifact('ChimeFailoverGroup').environment.region).toBe('us-west-2');
});

it("reads the group's items, in failover order, from the connector stacks' outputs with Fn::GetStackOutput (weak references)", () => {
  const [[, group]] = ofType('ChimeFailoverGroup', 'Custom::VoiceConnectorGroup');
  const items = group.Properties.voiceConnectorItems!;
  expect(items.map((i) => i.priority)).toEqual([1, 2]);
  PRODUCERS.forEach((producer, i) => {
    const { StackName, Region, OutputName } = items[i].voiceConnectorId['Fn::GetStackOutput'];
    expect([StackName, Region]).toEqual([producer, 'us-east-1']);
    // The producer declares that very output, from its connector's ID, and exports nothing.
    const [connectorId] = ofType(producer, 'AWS::Chime::VoiceConnector').map(([id]) => id);
    expect(template(producer).Outputs).toEqual({ [OutputName]: { Value: { 'Fn::GetAtt': [connectorId, 'VoiceConnectorId'] } } });
  });
});

it("adds no export writer, reader, SSM parameter or function of CDK's to carry the IDs", () => {
  for (const name of [...PRODUCERS, 'ChimeFailoverGroup']) {
    const types = Object.values(template(name).Resources).map((r) => r.Type);
    expect(types.filter((t) => /CrossRegionExport|SSM::Parameter/.test(t))).toEqual([]);
  }
  for (const producer of PRODUCERS) expect(ofType(producer, 'AWS::Lambda::Function')).toEqual([]);
});

it('deploys the connector stacks before the group stack, so the group is deleted before its connectors', () => {
  const dependencies = artifact('ChimeFailoverGroup').dependencies.map((d) => d.id);
  expect(dependencies).toEqual(expect.arrayContaining(PRODUCERS));
  for (const producer of PRODUCERS) {
    expect(artifact(producer).dependencies.map((d) => d.id)).not.toContain('ChimeFailoverGroup');
  }
});

it("manages the group through the ChimeSDKVoice API in the group stack's Region", () => {
  const [[, group]] = ofType('ChimeFailoverGroup', 'Custom::VoiceConnectorGroup');
  expect(group.Properties).toMatchObject({ apiNamespace: 'ChimeSDKVoice', apiRegion: 'us-west-2', voiceConnectorGroupName: 'pbx-cross-region-failover' });
});
