import * as path from 'path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { crossRegionTelephony } from '../../bin/cross-region';
import { TelephonyStack } from '../../bin/telephony-stack';
import { ApiNamespace, VoiceConnectorGroup } from '../../lib';

/** Every acknowledgement that applies to a construct: its own and its ancestors'. */
function acknowledgementsOf(construct: IConstruct): Record<string, string> {
  const found: Record<string, string> = {};
  for (let c: IConstruct | undefined = construct; c; c = c.node.scope) {
    for (const entry of c.node.metadata) {
      if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) Object.assign(found, entry.data);
    }
  }
  return found;
}

/**
 * Runs the AwsSolutions pack over a stack's synthesised template. The template is read back with
 * CfnInclude so every resource is a typed L1 the rules inspect (the provider's own resources are
 * plain CfnResources, which the rules would pass over), and the acknowledgements recorded in the
 * app are carried over to the same logical IDs.
 */
function findings(stack: Stack, assemblyDir: string): string[] {
  const acknowledged = new Map<string, Record<string, string>>();
  for (const c of stack.node.findAll()) {
    if (CfnResource.isCfnResource(c)) acknowledged.set(stack.resolve(c.logicalId), acknowledgementsOf(c));
  }
  const check = new Stack(new App(), 'Check');
  const template = new CfnInclude(check, 'Template', { templateFile: path.join(assemblyDir, stack.templateFile) });
  for (const [logicalId, rules] of acknowledged) {
    for (const [id, reason] of Object.entries(rules)) {
      Validations.of(template.getResource(logicalId)).acknowledge({ id: id.replace(/^annotation::/i, ''), reason });
    }
  }
  return new AwsSolutionsChecks().validateScope(check.node.root).violations.map((v) => `${stack.stackName} ${v.ruleName}: ${v.description}`);
}

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
  const app = new App();
  const stacks = [new TelephonyStack(app, 'ChimeTelephonyStack', { env: { region: 'us-east-1' } }), ...Object.values(crossRegionTelephony(app))];
  const dir = app.synth().directory;
  expect(stacks.flatMap((s) => findings(s, dir))).toEqual([]);
});

it('passes the AwsSolutions pack on a stack with groups in both namespaces', () => {
  const app = new App();
  const stack = new Stack(app, 'BothNamespaces', { env: { region: 'eu-central-1' } });
  new VoiceConnectorGroup(stack, 'Supported');
  new VoiceConnectorGroup(stack, 'Legacy', { apiNamespace: ApiNamespace.CHIME });
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
