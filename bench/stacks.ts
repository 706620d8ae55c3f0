import * as path from 'path';
import { App, CfnOutput, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId, PhysicalResourceIdReference, Provider } from 'aws-cdk-lib/custom-resources';
import { HANDLER_ACTIONS, RESOURCE_TYPE, VoiceConnectorGroup } from '../lib';

/**
 * The same N groups declared three ways: with this library, and the two ways a user would write
 * them by hand with aws-cdk-lib. Every variant has the same name and connectors per group and
 * emits the group ID as a stack output with the description this library gives it, so the
 * templates do the same job.
 */
export type Variant = 'VoiceConnectorGroup' | 'AwsCustomResource' | 'Provider';
export const VARIANTS: Variant[] = ['VoiceConnectorGroup', 'AwsCustomResource', 'Provider'];

export const REGION = 'us-east-1';
const CONNECTORS = ['abcdef1ghij2klmno3pqr4', 'stuvwx5yzab6cdefg7hij8'];

const groupName = (i: number) => `bench-group-${i}`;
const outputDescription = (i: number) => `ID of the Amazon Chime voice connector group '${groupName(i)}' (Bench/Group${i})`;
const items = CONNECTORS.map((id, i) => ({ voiceConnectorId: id, priority: i + 1 }));
const apiItems = items.map((i) => ({ VoiceConnectorId: i.voiceConnectorId, Priority: i.priority }));

function ours(stack: Stack, n: number): void {
  for (let i = 0; i < n; i++) {
    new VoiceConnectorGroup(stack, `Group${i}`, {
      voiceConnectorGroupName: groupName(i),
      voiceConnectorItems: items,
    });
  }
}

/** AwsCustomResource: one SDK call declared inline per lifecycle step. */
function awsCustomResource(stack: Stack, n: number): void {
  const call = (action: string, parameters: Record<string, unknown>) => ({
    service: 'ChimeSDKVoice',
    action,
    parameters,
    region: REGION,
    physicalResourceId: PhysicalResourceId.fromResponse('VoiceConnectorGroup.VoiceConnectorGroupId'),
  });
  for (let i = 0; i < n; i++) {
    const group = new AwsCustomResource(stack, `Group${i}`, {
      onCreate: call('CreateVoiceConnectorGroup', { Name: groupName(i), VoiceConnectorItems: apiItems }),
      onUpdate: call('UpdateVoiceConnectorGroup', { VoiceConnectorGroupId: new PhysicalResourceIdReference(), Name: groupName(i), VoiceConnectorItems: apiItems }),
      onDelete: { service: 'ChimeSDKVoice', action: 'DeleteVoiceConnectorGroup', parameters: { VoiceConnectorGroupId: new PhysicalResourceIdReference() }, region: REGION },
      policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });
    new CfnOutput(stack, `Group${i}Id`, { value: group.getResponseField('VoiceConnectorGroup.VoiceConnectorGroupId'), description: outputDescription(i) });
  }
}

/** custom_resources.Provider: the user's own handler function behind the provider framework. */
function providerFramework(stack: Stack, n: number, handlerDir: string): void {
  const onEvent = new LambdaFunction(stack, 'OnEvent', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromAsset(handlerDir),
    timeout: Duration.minutes(3),
  });
  onEvent.addToRolePolicy(new PolicyStatement({ actions: [...HANDLER_ACTIONS], resources: ['*'] }));
  const provider = new Provider(stack, 'Provider', { onEventHandler: onEvent });
  for (let i = 0; i < n; i++) {
    const group = new CustomResource(stack, `Group${i}`, {
      serviceToken: provider.serviceToken,
      resourceType: RESOURCE_TYPE,
      properties: { voiceConnectorGroupName: groupName(i), voiceConnectorItems: items },
    });
    new CfnOutput(stack, `Group${i}Id`, { value: group.ref, description: outputDescription(i) });
  }
}

/** Synthesises one variant with n groups into outdir; returns the stack's template path. */
export function synthVariant(variant: Variant, n: number, outdir: string, handlerDir: string): string {
  const app = new App({ outdir, analyticsReporting: false });
  const stack = new Stack(app, 'Bench', { env: { region: REGION } });
  if (variant === 'VoiceConnectorGroup') ours(stack, n);
  else if (variant === 'AwsCustomResource') awsCustomResource(stack, n);
  else providerFramework(stack, n, handlerDir);
  const assembly = app.synth();
  return path.join(assembly.directory, assembly.getStackByName('Bench').templateFile);
}

/**
 * The physical floor: the one resource declaration a native CloudFormation type would need, with
 * the same properties, written the way CDK writes templates (JSON indented by one space).
 */
export function floorBytes(): number {
  const declaration = { Group0: { Type: 'AWS::ChimeSDKVoice::VoiceConnectorGroup', Properties: { Name: groupName(0), VoiceConnectorItems: apiItems } } };
  return Buffer.byteLength(JSON.stringify(declaration, undefined, 1));
}
