import { App } from 'aws-cdk-lib';
import { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { crossRegionTelephony } from '../../bin/cross-region';

interface Item {
  voiceConnectorId: { 'Fn::GetAtt': [string, string] };
  priority: number;
}
/** The properties these tests read, from the templates CDK synthesises. */
interface Properties {
  AwsRegion?: string;
  ReaderProps?: Record<string, unknown>;
  WriterProps?: Record<string, unknown>;
  voiceConnectorItems?: Item[];
}
type Resources = Record<string, { Type: string; Properties: Properties }>;

const app = new App();
const stacks = crossRegionTelephony(app);
const assembly = app.synth();
const artifact = (name: string): CloudFormationStackArtifact => assembly.getStackByName(name);
const resources = (name: string): Resources => artifact(name).template.Resources;
const ofType = (name: string, type: string) => Object.entries(resources(name)).filter(([, r]) => r.Type === type);

it('puts each voice connector in its own stack, one connector in us-east-1 and one in us-west-2', () => {
  expect([stacks.east.stackName, stacks.west.stackName, stacks.group.stackName]).toEqual(['ChimeConnectorEast', 'ChimeConnectorWest', 'ChimeFailoverGroup']);
  expect(ofType('ChimeConnectorEast', 'AWS::Chime::VoiceConnector').map(([, r]) => r.Properties.AwsRegion)).toEqual(['us-east-1']);
  expect(ofType('ChimeConnectorWest', 'AWS::Chime::VoiceConnector').map(([, r]) => r.Properties.AwsRegion)).toEqual(['us-west-2']);
  expect(ofType('ChimeFailoverGroup', 'AWS::Chime::VoiceConnector')).toEqual([]);
  expect(ofType('ChimeFailoverGroup', 'Custom::VoiceConnectorGroup')).toHaveLength(1);
  expect(artifact('ChimeFailoverGroup').environment.region).toBe('us-west-2');
});

it("resolves the group's items, in failover order, to the connector stacks' IDs through cross-region references", () => {
  const [[, group]] = ofType('ChimeFailoverGroup', 'Custom::VoiceConnectorGroup');
  const [[readerId, reader]] = ofType('ChimeFailoverGroup', 'Custom::CrossRegionExportReader');
  expect(reader.Properties.ReaderProps).toMatchObject({ region: 'us-west-2' });

  const items = group.Properties.voiceConnectorItems!;
  expect(items.map((i) => i.priority)).toEqual([1, 2]);
  ['ChimeConnectorEast', 'ChimeConnectorWest'].forEach((producer, i) => {
    const [source, parameter] = items[i].voiceConnectorId['Fn::GetAtt'];
    expect(source).toBe(readerId);
    // The producer writes that very parameter, in the group's Region, from its connector's ID.
    const [connectorId] = ofType(producer, 'AWS::Chime::VoiceConnector').map(([id]) => id);
    const writers = ofType(producer, 'Custom::CrossRegionExportWriter').map(([, w]) => w.Properties.WriterProps);
    expect(writers).toEqual([{ region: 'us-west-2', exports: { [parameter]: { 'Fn::GetAtt': [connectorId, 'VoiceConnectorId'] } } }]);
  });
});

it('deploys the connector stacks before the group stack, so the group is deleted before its connectors', () => {
  const dependencies = artifact('ChimeFailoverGroup').dependencies.map((d) => d.id);
  expect(dependencies).toEqual(expect.arrayContaining(['ChimeConnectorEast', 'ChimeConnectorWest']));
  for (const producer of ['ChimeConnectorEast', 'ChimeConnectorWest']) {
    expect(artifact(producer).dependencies.map((d) => d.id)).not.toContain('ChimeFailoverGroup');
  }
});

it('manages the group through the ChimeSDKVoice API in the group stack\'s Region', () => {
  const [[, group]] = ofType('ChimeFailoverGroup', 'Custom::VoiceConnectorGroup');
  expect(group.Properties).toMatchObject({ apiNamespace: 'ChimeSDKVoice', apiRegion: 'us-west-2', voiceConnectorGroupName: 'pbx-cross-region-failover' });
});
