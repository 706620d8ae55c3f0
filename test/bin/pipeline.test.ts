import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { PIPELINE_SYNTH_COMMAND, telephonyPipeline } from '../../bin/pipeline-stack';
import { findings } from '../lib/nag-findings';
import { appWithCdkJsonContext } from './cdk-json';

interface Action {
  Name: string;
  RunOrder: number;
  ActionTypeId: { Category: string; Provider: string };
  Configuration: { ProjectName?: { Ref: string }; StackName?: string; ActionMode?: string };
  Region?: string;
}
interface Resource {
  Type: string;
  Properties: { Stages?: { Name: string; Actions: Action[] }[]; Source?: { BuildSpec: string }; Code?: { S3Key: string } };
}

// Synthesised as `npx cdk synth --app 'npx ts-node --prefer-ts-exts bin/pipeline.ts'` does: with cdk.json's context. Nothing is deployed.
const app = appWithCdkJsonContext();
const pipelineStack = telephonyPipeline(app);
const root = app.synth();
const stage = root.getNestedAssembly(pipelineStack.stage.artifactId);
const resources = (artifact: CloudFormationStackArtifact): Resource[] => Object.values(artifact.template.Resources as Record<string, Resource>);
const pipelineTemplate = root.getStackByName(pipelineStack.stackName).template.Resources as Record<string, Resource>;
const pipelineResources = Object.values(pipelineTemplate);
const [{ Properties: pipeline }] = pipelineResources.filter((r) => r.Type === 'AWS::CodePipeline::Pipeline');
const stageNamed = (name: string) => pipeline.Stages!.find((s) => s.Name === name)!;
const stageStacks = stage.stacks;

it('synthesises the app in the pipeline with the command the README gives, after npm ci builds the handler bundles', () => {
  const synth = pipelineResources.find((r) => r.Type === 'AWS::CodeBuild::Project' && r.Properties.Source!.BuildSpec.includes('cdk synth'))!;
  expect(JSON.parse(synth.Properties.Source!.BuildSpec).phases.build.commands).toEqual(['npm ci', PIPELINE_SYNTH_COMMAND]);
  expect(fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8')).toContain(PIPELINE_SYNTH_COMMAND);
});

it('deploys every stack of the example app in one Stage, to us-east-1 and us-west-2 of the account from context', () => {
  expect(stageStacks.map((s) => [s.stackName, s.environment.account, s.environment.region]).sort()).toEqual([
    ['Telephony-ChimeConnectorEast', '111111111111', 'us-east-1'],
    ['Telephony-ChimeConnectorWest', '111111111111', 'us-east-1'],
    ['Telephony-ChimeFailoverGroup', '111111111111', 'us-west-2'],
    ['Telephony-ChimeTelephonyStack', '111111111111', 'us-east-1'],
  ]);
});

it("publishes the handler asset in the pipeline's asset step, before the Stage, to each Region whose stack runs the handler", () => {
  const names = pipeline.Stages!.map((s) => s.Name);
  expect(names.indexOf('Assets')).toBeGreaterThanOrEqual(0);
  expect(names.indexOf('Assets')).toBeLessThan(names.indexOf('Telephony'));

  const publishCommands = stageNamed('Assets').Actions.flatMap((a) => JSON.parse(pipelineTemplate[a.Configuration.ProjectName!.Ref].Properties.Source!.BuildSpec).phases.build.commands as string[]);
  // Each stack whose function runs the handler names its code by the asset hash, in its own Region.
  const handlers = stageStacks.flatMap((s) => resources(s).filter((r) => r.Type === 'AWS::Lambda::Function').map((f) => ({ region: s.environment.region, hash: f.Properties.Code!.S3Key.replace(/\.zip$/, '') })));
  expect(handlers.map((h) => h.region).sort()).toEqual(['us-east-1', 'us-west-2']);
  for (const { region, hash } of handlers) {
    expect(publishCommands).toContainEqual(expect.stringMatching(new RegExp(`cdk-assets .* publish "${hash}:111111111111-${region}-`)));
  }
});

it('deploys each stack only after the stacks it depends on, so the group stack reads its connectors once they exist', () => {
  const actions = stageNamed('Telephony').Actions;
  const runOrder = (stackName: string, mode: 'Prepare' | 'Deploy') => actions.find((a) => a.Configuration.StackName === stackName && a.Name.endsWith(`.${mode}`))!.RunOrder;
  const edges = stageStacks.flatMap((s) => s.dependencies.filter((d) => d instanceof CloudFormationStackArtifact).map((d) => [s.stackName, (d as CloudFormationStackArtifact).stackName]));

  expect(edges.sort()).toEqual([
    ['Telephony-ChimeFailoverGroup', 'Telephony-ChimeConnectorEast'],
    ['Telephony-ChimeFailoverGroup', 'Telephony-ChimeConnectorWest'],
  ]);
  for (const [dependent, dependency] of edges) {
    expect(runOrder(dependency, 'Deploy')).toBeLessThan(runOrder(dependent, 'Prepare'));
  }
});

it("passes the AwsSolutions pack on the Stage's stacks", () => {
  expect(Object.values(pipelineStack.stage.stacks).flatMap((s) => findings(s, stage.directory))).toEqual([]);
});

it("passes the AwsSolutions pack on the pipeline's stacks, each finding acknowledged with its reason", () => {
  const stacks = app.node.children.filter(Stack.isStack);
  expect(stacks.map((s) => s.stackName)).toEqual(['ChimeTelephonyPipeline', 'ChimeTelephonyPipeline-support-us-west-2']);
  expect(stacks.flatMap((s) => findings(s, root.directory))).toEqual([]);
});
