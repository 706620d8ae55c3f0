import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { CloudAssembly, CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { crossRegionTelephony, RegionalConnectorStack } from '../../bin/cross-region';
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

describe('what the cdk.json flags change', () => {
  /** The example's cross-Region stacks, synthesised with cdk.json's context changed as given. */
  const synthWith = (change: Record<string, unknown>, without: string[] = []) => {
    const base = appWithCdkJsonContext();
    const context = { ...Object.fromEntries(without.reduce((m, k) => (m.delete(k), m), new Map(Object.entries(base.node.getAllContext())))), ...change };
    const app = new App({ context });
    crossRegionTelephony(app);
    return app.synth();
  };
  const countOf = (assembly: CloudAssembly, type: string) =>
    Object.fromEntries(assembly.stacks.map((s) => [s.stackName, Object.values(s.template.Resources as Resources).filter((r) => r.Type === type).length]));
  const STRENGTH = '@aws-cdk/core:defaultCrossStackReferences';

  it("without the weak-references flag, carries the IDs with CDK's SSM export writers and reader: three more functions and roles", () => {
    const weak = synthWith({});
    const strong = synthWith({}, [STRENGTH]);

    expect(countOf(weak, 'AWS::Lambda::Function')).toEqual({ ChimeConnectorEast: 0, ChimeConnectorWest: 0, ChimeFailoverGroup: 1 });
    expect(countOf(strong, 'AWS::Lambda::Function')).toEqual({ ChimeConnectorEast: 1, ChimeConnectorWest: 1, ChimeFailoverGroup: 2 });
    expect(countOf(strong, 'AWS::IAM::Role')).toEqual({ ChimeConnectorEast: 1, ChimeConnectorWest: 1, ChimeFailoverGroup: 2 });
    expect(countOf(strong, 'Custom::CrossRegionExportWriter')).toEqual({ ChimeConnectorEast: 1, ChimeConnectorWest: 1, ChimeFailoverGroup: 0 });
    expect(countOf(strong, 'Custom::CrossRegionExportReader')).toEqual({ ChimeConnectorEast: 0, ChimeConnectorWest: 0, ChimeFailoverGroup: 1 });
  });

  describe("a connector stack in us-west-2, where CloudFormation has no AWS::Chime::VoiceConnector (rule F3006)", () => {
    const westStack = (context: Record<string, unknown>) => {
      const app = new App({ context });
      new RegionalConnectorStack(app, 'ChimeConnectorWest', { env: { region: 'us-west-2' }, connectorRegion: 'us-west-2' });
      return app;
    };
    const F3006 = "Type: Resource type 'AWS::Chime::VoiceConnector' does not exist in 'us-west-2'";

    it('fails synth with @aws-cdk/core:validateAgainstDefaultRules, as the example app sets it', () => {
      const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        expect(() => westStack({ '@aws-cdk/core:validateAgainstDefaultRules': true }).synth()).toThrow(`ERROR ${F3006} (CloudFormation Validate)`);
      } finally {
        errors.mockRestore();
      }
    });

    it('only warns without it, so synth succeeds and the deploy would fail in CloudFormation', () => {
      const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        const assembly = westStack({}).synth();
        const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
        const violations = report.pluginReports.flatMap((p: { violations: { ruleName: string; description: string; severity: string }[] }) => p.violations);
        expect(violations.map((v: { ruleName: string; description: string; severity: string }) => [v.ruleName, v.description, v.severity])).toEqual([['F3006', F3006, 'warning']]);
      } finally {
        errors.mockRestore();
      }
    });
  });
});
