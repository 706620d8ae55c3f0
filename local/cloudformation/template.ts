import * as fs from 'fs';
import * as path from 'path';

/**
 * Reading a synthesised cloud assembly and its templates: the stacks and their order, each
 * template's resources and dependency layers, and the intrinsic functions the templates use.
 */

export const ACCOUNT = '123456789012';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export interface Output {
  Value: Json;
  Export?: { Name: Json };
}
export type Template = { Resources: Record<string, TemplateResource>; Outputs?: Record<string, Output>; Parameters?: Record<string, { Default?: string }> };
export interface TemplateResource {
  Type: string;
  Properties?: Record<string, Json>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Record<string, Json>;
}

/** CloudFormation passes every scalar in custom resource properties as a string. */
export function asCloudFormationSends(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asCloudFormationSends);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, asCloudFormationSends(v)]));
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

/** Resources that CloudFormation would hand to a custom resource provider. */
export const isCustom = (type: string) => type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';

/** What the intrinsic functions of one stack's template can see. */
export interface Scope {
  readonly name: string;
  readonly region: string;
  readonly stackId: string;
  readonly template: Template;
  readonly parameters: Record<string, string>;
  readonly resources: ReadonlyMap<string, { readonly type: string; readonly physicalId: string; readonly attributes: Record<string, string> }>;
}

/** Values other stacks provide: Fn::GetStackOutput and Fn::ImportValue. */
export interface CrossStack {
  stackOutput(consumer: string, region: string, arg: Json): string;
  importValue(consumer: string, region: string, name: string): string;
}

export const functionArn = (stack: { name: string; region: string }, logicalId: string) => `arn:aws:lambda:${stack.region}:${ACCOUNT}:function:${stack.name}-${logicalId}`;
export const arnInTemplate = (stack: Scope, arn: string) =>
  Object.entries(stack.template.Resources).some(([id, r]) => r.Type === 'AWS::Lambda::Function' && functionArn(stack, id) === arn);

/** Resolves the intrinsic functions the synthesised templates use. */
export function resolve(value: Json | undefined, stack: Scope, others: CrossStack): Json {
  const again = (v: Json | undefined) => resolve(v, stack, others);
  if (Array.isArray(value)) return value.map(again);
  if (value === null || typeof value !== 'object') return value ?? null;
  const [key] = Object.keys(value);
  const arg = value[key];
  switch (key) {
    case 'Ref': {
      const name = String(arg);
      const pseudo: Record<string, string> = {
        'AWS::Region': stack.region,
        'AWS::AccountId': ACCOUNT,
        'AWS::Partition': 'aws',
        'AWS::StackName': stack.name,
        'AWS::StackId': stack.stackId,
        'AWS::URLSuffix': 'amazonaws.com',
      };
      if (name in pseudo) return pseudo[name];
      if (name in stack.parameters) return stack.parameters[name];
      const live = stack.resources.get(name);
      if (!live) throw new Error(`Ref to ${name}, which does not exist yet`);
      return live.physicalId;
    }
    case 'Fn::GetAtt': {
      const [id, attribute] = arg as [string, string];
      const type = stack.template.Resources[id]?.Type;
      if (type === 'AWS::Lambda::Function' && attribute === 'Arn') return functionArn(stack, id);
      const live = stack.resources.get(id);
      const found = live?.attributes[attribute];
      if (found !== undefined) return found;
      // Resources this driver only records (roles, functions) get a stand-in value.
      if (live && !isCustom(live.type) && live.type !== 'AWS::Chime::VoiceConnector') return `${live.physicalId}.${attribute}`;
      throw new Error(`Fn::GetAtt ${id}.${attribute} is not available`);
    }
    case 'Fn::GetStackOutput':
      return others.stackOutput(stack.name, stack.region, again(arg));
    case 'Fn::ImportValue':
      return others.importValue(stack.name, stack.region, String(again(arg)));
    case 'Fn::Join': {
      const [sep, parts] = arg as [string, Json[]];
      return (again(parts) as Json[]).join(sep);
    }
    case 'Fn::Select': {
      const [index, list] = arg as [Json, Json];
      return (again(list) as Json[])[Number(again(index))];
    }
    case 'Fn::Split': {
      const [sep, text] = arg as [string, Json];
      return String(again(text)).split(sep);
    }
    case 'Fn::Sub': {
      const text = typeof arg === 'string' ? arg : String((arg as Json[])[0]);
      return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => String(again({ Ref: name })));
    }
    default:
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, again(v)]));
  }
}

/** Every Fn::GetStackOutput and Fn::ImportValue in the template, checked (they throw when unresolvable). */
export function checkCrossStackReferences(stackName: string, region: string, template: Template, others: CrossStack): void {
  const visit = (value: Json | undefined): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Fn::GetStackOutput') others.stackOutput(stackName, region, v);
      else if (k === 'Fn::ImportValue' && typeof v === 'string') others.importValue(stackName, region, v);
      else visit(v);
    }
  };
  visit(template.Resources as unknown as Json);
  visit((template.Outputs ?? {}) as unknown as Json);
}

export function defaults(template: Template): Record<string, string> {
  return Object.fromEntries(Object.entries(template.Parameters ?? {}).flatMap(([k, p]) => (p.Default !== undefined ? [[k, p.Default]] : [])));
}

/** The names a value refers to through Ref and Fn::GetAtt. */
function references(value: Json | undefined, into: Set<string>): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => references(v, into));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') into.add(v);
      else if (k === 'Fn::GetAtt' && Array.isArray(v)) into.add(String(v[0]));
      else if (k === 'Fn::Sub' && typeof v === 'string') for (const m of v.matchAll(/\$\{([^}.]+)/g)) into.add(m[1]);
      else references(v, into);
    }
  }
  return into;
}

/** Resources grouped so that each group depends only on earlier ones, as CloudFormation orders them. */
export function layers(template: Template): string[][] {
  const ids = Object.keys(template.Resources);
  const deps = new Map(
    ids.map((id) => {
      const r = template.Resources[id];
      const refs = references(r.Properties as Json, new Set([r.DependsOn ?? []].flat()));
      return [id, [...refs].filter((d) => d in template.Resources)];
    }),
  );
  const placed = new Set<string>();
  const result: string[][] = [];
  while (placed.size < ids.length) {
    const layer = ids.filter((id) => !placed.has(id) && deps.get(id)!.every((d) => placed.has(d)));
    if (layer.length === 0) throw new Error('the template has a dependency cycle');
    layer.forEach((id) => placed.add(id));
    result.push(layer);
  }
  return result;
}

/** The stack's template, Region and the asset directory of each file asset, by its S3 object key. */
interface Manifest {
  artifacts?: Record<string, { type: string; environment?: string; dependencies?: string[]; properties?: { templateFile: string; stackName?: string; file?: string } }>;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
}

/** The assembly's stacks in an order that deploys each after the stacks it depends on (the manifest's `dependencies`). */
export function stackOrder(dir: string): string[] {
  const artifacts = readManifest(dir).artifacts ?? {};
  const stacks = Object.keys(artifacts).filter((id) => artifacts[id].type === 'aws:cloudformation:stack');
  const order: string[] = [];
  const visit = (id: string, path: string[]) => {
    if (order.includes(id)) return;
    if (path.includes(id)) throw new Error(`the stacks depend on each other in a cycle: ${[...path, id].join(' -> ')}`);
    for (const d of artifacts[id].dependencies ?? []) if (stacks.includes(d)) visit(d, [...path, id]);
    order.push(id);
  };
  stacks.forEach((id) => visit(id, []));
  return order;
}

/** The stack's template, Region and the asset directory of each file asset, by its S3 object key. */
export function readAssembly(dir: string, stackName: string): { template: Template; region: string; assets: Map<string, string> } {
  const manifest = readManifest(dir);
  const artifact = manifest.artifacts?.[stackName];
  if (!artifact || artifact.type !== 'aws:cloudformation:stack') throw new Error(`no stack ${stackName} in ${dir}`);
  const template = JSON.parse(fs.readFileSync(path.join(dir, artifact.properties!.templateFile), 'utf8'));
  const region = /^aws:\/\/[^/]+\/(.+)$/.exec(artifact.environment ?? '')?.[1];
  const assets = new Map<string, string>();
  for (const name of artifact.dependencies ?? []) {
    const assetArtifact = manifest.artifacts![name];
    if (assetArtifact?.type !== 'cdk:asset-manifest') continue;
    const files = JSON.parse(fs.readFileSync(path.join(dir, assetArtifact.properties!.file!), 'utf8')).files ?? {};
    for (const file of Object.values(files) as { source: { path: string }; destinations: Record<string, { objectKey: string }> }[]) {
      for (const d of Object.values(file.destinations)) assets.set(d.objectKey, path.join(dir, file.source.path));
    }
  }
  return { template, region: region && region !== 'unknown-region' ? region : 'us-east-1', assets };
}
