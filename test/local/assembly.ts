import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LocalCloudFormation } from '../../local/driver';
import { ChimeEndpoint } from '../../local/endpoint';

/**
 * Hand-written cloud assemblies for testing the local CloudFormation itself: every custom resource
 * is served by the tiny function in `fixture/`, whose behaviour each resource's properties choose,
 * so these tests do not depend on the real handler.
 */

const FIXTURE = path.join(__dirname, 'fixture');

export interface StackSpec {
  readonly name: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Other stacks this one is deployed after (the manifest's dependencies). */
  readonly dependsOn?: string[];
  /** Logical ID to the function's Timeout in seconds. @default { Fn: 30 } */
  readonly functions?: Record<string, number>;
  /** Logical ID to the custom resource's properties (and its DependsOn and Metadata); ServiceToken defaults to the function Fn. */
  readonly resources: Record<string, Record<string, unknown> & { DependsOn?: string[]; Metadata?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
  readonly outputs?: Record<string, unknown>;
  /** Every function's Handler: `index.handler` runs `fixture/index.js`. @default '__entrypoint__.handler' */
  readonly handler?: string;
  /** Gives every function an execution role (`<function>Role`) with these inline policy statements. @default no role */
  readonly policy?: unknown[];
}

/** A function's ARN as a template refers to it, for a custom resource's ServiceToken. */
export const tokenOf = (fn: string) => ({ 'Fn::GetAtt': [fn, 'Arn'] });

/** Writes a cloud assembly with these stacks into a new directory under `root` and returns it. */
export function writeAssembly(root: string, stacks: StackSpec[]): string {
  const dir = fs.mkdtempSync(path.join(root, 'assembly-'));
  fs.cpSync(FIXTURE, path.join(dir, 'asset.fixture'), { recursive: true });
  const artifacts: Record<string, unknown> = {};
  for (const spec of stacks) {
    const functions = spec.functions ?? { Fn: 30 };
    const Resources: Record<string, unknown> = {};
    for (const [id, timeout] of Object.entries(functions)) {
      const role = spec.policy ? { Role: { 'Fn::GetAtt': [`${id}Role`, 'Arn'] } } : {};
      if (spec.policy) {
        const PolicyDocument = { Version: '2012-10-17', Statement: spec.policy };
        Resources[`${id}Role`] = { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {}, Policies: [{ PolicyName: 'Inline', PolicyDocument }] } };
      }
      Resources[id] = {
        Type: 'AWS::Lambda::Function',
        ...(spec.policy ? { DependsOn: [`${id}Role`] } : {}),
        Properties: { Code: { S3Bucket: 'assets', S3Key: 'fixture.zip' }, Handler: spec.handler ?? '__entrypoint__.handler', Runtime: 'nodejs22.x', Timeout: timeout, ...role },
      };
    }
    for (const [id, { DependsOn, Metadata, DeletionPolicy, UpdateReplacePolicy, ...properties }] of Object.entries(spec.resources)) {
      const attributes = { ...(DependsOn ? { DependsOn } : {}), ...(Metadata ? { Metadata } : {}), ...(DeletionPolicy ? { DeletionPolicy } : {}), ...(UpdateReplacePolicy ? { UpdateReplacePolicy } : {}) };
      Resources[id] = { Type: 'Custom::Fixture', ...attributes, Properties: { ServiceToken: tokenOf(Object.keys(functions)[0]), ...properties } };
    }
    fs.writeFileSync(path.join(dir, `${spec.name}.template.json`), JSON.stringify({ Resources, Outputs: spec.outputs }));
    fs.writeFileSync(
      path.join(dir, `${spec.name}.assets.json`),
      JSON.stringify({ files: { fixture: { source: { path: 'asset.fixture', packaging: 'zip' }, destinations: { here: { objectKey: 'fixture.zip' } } } } }),
    );
    artifacts[`${spec.name}.assets`] = { type: 'cdk:asset-manifest', properties: { file: `${spec.name}.assets.json` } };
    artifacts[spec.name] = {
      type: 'aws:cloudformation:stack',
      environment: `aws://unknown-account/${spec.region ?? 'us-east-1'}`,
      properties: { templateFile: `${spec.name}.template.json` },
      dependencies: [...(spec.dependsOn ?? []), `${spec.name}.assets`],
    };
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts }));
  return dir;
}

export const tempRoot = () => fs.mkdtempSync(path.join(os.tmpdir(), 'local-cfn-test-'));

/** What a test of the local CloudFormation runs against: a scratch folder, the endpoint and the driver. */
export interface Fixture {
  readonly root: string;
  readonly endpoint: ChimeEndpoint;
  readonly cfn: LocalCloudFormation;
}

/** Starts a fresh endpoint and driver (Lambda's retries a fraction of a second apart) in a new scratch folder. */
export async function startFixture(): Promise<Fixture> {
  const endpoint = await ChimeEndpoint.start();
  return { root: tempRoot(), endpoint, cfn: await LocalCloudFormation.start({ endpoint, retryDelaysMs: [50, 100] }) };
}

/** Stops what startFixture started and removes its folder. */
export async function stopFixture({ root, endpoint, cfn }: Fixture): Promise<void> {
  await cfn.stop();
  await endpoint.stop();
  fs.rmSync(root, { recursive: true, force: true });
}
