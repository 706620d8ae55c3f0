import { ChildProcess, fork } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { ChimeSDKVoiceClient, CreateVoiceConnectorCommand, DeleteVoiceConnectorCommand } from '@aws-sdk/client-chime-sdk-voice';
import { generate } from 'selfsigned';
import type { ChimeEndpoint } from './endpoint';
import { NODE22 } from './node22';

/**
 * A CloudFormation stand-in for custom resources: it reads a synthesised cloud assembly, runs each
 * provider's asset (the real bundle) in a process of its own, sends it the events CloudFormation
 * would send (Create, Update, Delete, cleanup and rollback) and receives the answers on an HTTPS
 * response URL, checking each against the custom resource contract.
 */

const ACCOUNT = '123456789012';
/** CloudFormation refuses a custom resource response larger than this. */
export const MAX_RESPONSE_BYTES = 4096;
const LOCAL_CREDENTIALS = { accessKeyId: 'AKIALOCALENDPOINT', secretAccessKey: 'local-endpoint-secret' };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Template = { Resources: Record<string, TemplateResource>; Outputs?: Record<string, { Value: Json }>; Parameters?: Record<string, { Default?: string }> };
interface TemplateResource {
  Type: string;
  Properties?: Record<string, Json>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
}

/** CloudFormation passes every scalar in custom resource properties as a string. */
export function asCloudFormationSends(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asCloudFormationSends);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, asCloudFormationSends(v)]));
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}

export type Phase = 'deploy' | 'cleanup' | 'rollback' | 'destroy';
export interface EventRecord {
  readonly stack: string;
  readonly logicalId: string;
  readonly requestType: 'Create' | 'Update' | 'Delete';
  readonly phase: Phase;
  readonly status: 'SUCCESS' | 'FAILED' | 'UNANSWERED';
  readonly physicalId?: string;
  readonly reason?: string;
  readonly data?: Record<string, string>;
  readonly responseBytes?: number;
  readonly ms: number;
}
export type StackStatus = 'CREATE_COMPLETE' | 'ROLLBACK_COMPLETE' | 'UPDATE_COMPLETE' | 'UPDATE_ROLLBACK_COMPLETE' | 'DELETE_COMPLETE' | 'DELETE_FAILED';
export interface DeployResult {
  readonly status: StackStatus;
  readonly events: EventRecord[];
  readonly outputs: Record<string, string>;
}

interface Live {
  readonly type: string;
  physicalId: string;
  properties: Record<string, Json>;
  attributes: Record<string, string>;
  deletionPolicy?: string;
}
interface LiveStack {
  readonly name: string;
  readonly region: string;
  readonly stackId: string;
  template: Template;
  parameters: Record<string, string>;
  resources: Map<string, Live>;
  /** Function ARN to asset directory. */
  functions: Map<string, { dir: string; timeoutMs: number }>;
}

/** What a deploy changed: the resource as it was, and the properties it was given. */
interface Done {
  readonly id: string;
  readonly before?: Live;
  readonly attempted?: Record<string, Json>;
}

interface Host {
  readonly child: ChildProcess;
  readonly pending: Map<string, (error?: string) => void>;
}

/** Resources that CloudFormation would hand to a custom resource provider. */
const isCustom = (type: string) => type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';

/** Checks a response against the custom resource contract; returns what is wrong with it. */
export function contractProblems(event: Record<string, unknown>, body: string): string[] {
  const problems: string[] = [];
  const bytes = Buffer.byteLength(body);
  if (bytes > MAX_RESPONSE_BYTES) problems.push(`response is ${bytes} bytes; CloudFormation accepts at most ${MAX_RESPONSE_BYTES}`);
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(body);
  } catch {
    return [...problems, 'response is not JSON'];
  }
  if (r.Status !== 'SUCCESS' && r.Status !== 'FAILED') problems.push(`Status is ${JSON.stringify(r.Status)}`);
  for (const key of ['RequestId', 'StackId', 'LogicalResourceId'] as const) {
    if (r[key] !== event[key]) problems.push(`${key} does not echo the request`);
  }
  if (typeof r.PhysicalResourceId !== 'string' || r.PhysicalResourceId === '' || r.PhysicalResourceId.length > 1024) {
    problems.push('PhysicalResourceId is missing or longer than 1 KB');
  }
  if (event.RequestType === 'Delete' && r.PhysicalResourceId !== event.PhysicalResourceId) problems.push('Delete changed the PhysicalResourceId');
  if (r.Status === 'FAILED' && (typeof r.Reason !== 'string' || r.Reason.trim() === '')) problems.push('FAILED without a Reason');
  if (r.Data !== undefined && (typeof r.Data !== 'object' || r.Data === null || Object.values(r.Data).some((v) => typeof v !== 'string'))) {
    problems.push('Data is not a flat map of strings');
  }
  return problems;
}

export interface DriverOptions {
  readonly endpoint: ChimeEndpoint;
  /** The longest wait for one response, below the resources' own ServiceTimeout. @default 120000 */
  readonly responseTimeoutMs?: number;
}

export class LocalCloudFormation {
  static async start(options: DriverOptions): Promise<LocalCloudFormation> {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 24 * 3600_000),
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
      ],
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-cfn-'));
    fs.writeFileSync(path.join(dir, 'response-ca.pem'), pems.cert);
    const driver = new LocalCloudFormation(options, dir, pems.private, pems.cert);
    await new Promise<void>((resolve) => driver.server.listen(0, '127.0.0.1', resolve));
    return driver;
  }

  /** Every event sent, in order. */
  readonly events: EventRecord[] = [];
  /** Responses that broke the custom resource contract. */
  readonly violations: string[] = [];
  /** What the provider processes printed, newest last. */
  readonly logs: string[] = [];
  private readonly stacks = new Map<string, LiveStack>();
  private readonly hosts = new Map<string, Promise<Host>>();
  private readonly waiting = new Map<string, (body: string) => void>();
  private refusals = 0;
  private readonly server: https.Server;

  private constructor(private readonly options: DriverOptions, private readonly dir: string, key: string, cert: string) {
    this.server = https.createServer({ key, cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const id = (req.url ?? '').split('/').pop() ?? '';
        if (req.method !== 'PUT' || !this.waiting.has(id)) return void res.writeHead(404).end();
        if (this.refusals > 0) {
          this.refusals--;
          return void res.writeHead(500).end();
        }
        res.writeHead(200).end();
        this.waiting.get(id)!(Buffer.concat(chunks).toString('utf8'));
      });
    });
  }

  /** The response URL answers the next `count` PUTs with HTTP 500, as a failing S3 would. */
  refuseNextResponses(count: number): void {
    this.refusals += count;
  }

  /** Creates the stack, or updates it to the assembly's template, rolling back on failure. */
  async deploy(assemblyDir: string, stackName: string, parameters: Record<string, string> = {}): Promise<DeployResult> {
    const { template, region, assets } = readAssembly(assemblyDir, stackName);
    const existing = this.stacks.get(stackName);
    const stack: LiveStack = existing ?? {
      name: stackName,
      region,
      stackId: `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/${stackName}/${randomUUID()}`,
      template,
      parameters: {},
      resources: new Map(),
      functions: new Map(),
    };
    const before = this.events.length;
    const previous = { template: stack.template, parameters: stack.parameters, functions: new Map(stack.functions) };
    stack.template = template;
    stack.parameters = { ...defaults(template), ...parameters };
    for (const [id, r] of Object.entries(template.Resources)) {
      if (r.Type !== 'AWS::Lambda::Function') continue;
      const key = String((r.Properties?.Code as { S3Key?: string })?.S3Key ?? '');
      const dir = assets.get(key);
      if (dir) stack.functions.set(functionArn(stack, id), { dir, timeoutMs: Number(r.Properties?.Timeout ?? 3) * 1000 });
    }
    if (!existing) this.stacks.set(stackName, stack);

    const done: Done[] = [];
    let failed = false;
    for (const layer of layers(template)) {
      const outcomes = await Promise.all(layer.map((id) => this.apply(stack, id, done)));
      if (outcomes.includes(false)) {
        failed = true;
        break;
      }
    }
    if (!failed) {
      // Cleanup: resources the new template dropped, and the old side of every replacement.
      const replaced = done.filter((d) => d.before && d.before.physicalId !== stack.resources.get(d.id)?.physicalId);
      await Promise.all(replaced.map((d) => this.remove(stack, d.id, d.before!, 'cleanup')));
      for (const id of [...stack.resources.keys()].filter((id) => !(id in template.Resources)).reverse()) {
        await this.remove(stack, id, stack.resources.get(id)!, 'cleanup');
        stack.resources.delete(id);
      }
      for (const arn of [...stack.functions.keys()]) if (!arnInTemplate(stack, arn)) stack.functions.delete(arn);
      return this.result(stack, existing ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE', before);
    }

    // Rollback, newest first: undo in-place updates, delete what this deploy created or replaced.
    for (const d of [...done].reverse()) {
      const now = stack.resources.get(d.id);
      if (!now) continue;
      if (d.before && d.before.physicalId === now.physicalId && isCustom(now.type)) {
        await this.event(stack, d.id, 'Update', 'rollback', d.before.properties, now.physicalId, d.attempted ?? now.properties);
        stack.resources.set(d.id, d.before);
      } else {
        await this.remove(stack, d.id, now, 'rollback');
        if (d.before) stack.resources.set(d.id, d.before);
        else stack.resources.delete(d.id);
      }
    }
    stack.template = previous.template;
    stack.parameters = previous.parameters;
    stack.functions = previous.functions;
    if (!existing) this.stacks.delete(stackName);
    return this.result(stack, existing ? 'UPDATE_ROLLBACK_COMPLETE' : 'ROLLBACK_COMPLETE', before);
  }

  /** Deletes the stack: resources in reverse dependency order, except those retained. */
  async destroy(stackName: string): Promise<DeployResult> {
    const stack = this.stacks.get(stackName);
    if (!stack) throw new Error(`no stack ${stackName}`);
    const before = this.events.length;
    let ok = true;
    for (const layer of layers(stack.template).reverse()) {
      const outcomes = await Promise.all(
        layer.map(async (id) => {
          const live = stack.resources.get(id);
          if (!live || live.deletionPolicy === 'Retain') return true;
          return this.remove(stack, id, live, 'destroy');
        }),
      );
      ok &&= !outcomes.includes(false);
    }
    if (ok) this.stacks.delete(stackName);
    return this.result(stack, ok ? 'DELETE_COMPLETE' : 'DELETE_FAILED', before);
  }

  /** The physical ID and attributes of a resource of a deployed stack. */
  resource(stackName: string, logicalId: string): Live | undefined {
    return this.stacks.get(stackName)?.resources.get(logicalId);
  }

  async stop(): Promise<void> {
    for (const host of this.hosts.values()) (await host).child.kill();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Creates or updates one resource; records what it was before. */
  private async apply(stack: LiveStack, id: string, done: Done[]): Promise<boolean> {
    const spec = stack.template.Resources[id];
    const properties = resolve(spec.Properties ?? {}, stack) as Record<string, Json>;
    const before = stack.resources.get(id);
    if (before && JSON.stringify(before.properties) === JSON.stringify(properties)) return true;
    if (!isCustom(spec.Type)) {
      const live = await this.native(stack, id, spec.Type, properties, before);
      live.deletionPolicy = spec.DeletionPolicy;
      stack.resources.set(id, live);
      done.push({ id, before });
      return true;
    }
    const record = before
      ? await this.event(stack, id, 'Update', 'deploy', properties, before.physicalId, before.properties)
      : await this.event(stack, id, 'Create', 'deploy', properties);
    if (record.status !== 'SUCCESS') {
      // A failed resource is rolled back too: an Update back to its old properties, or a Delete.
      if (before) done.push({ id, before, attempted: properties });
      else if (record.physicalId) {
        stack.resources.set(id, { type: spec.Type, physicalId: record.physicalId, properties, attributes: {} });
        done.push({ id });
      }
      return false;
    }
    stack.resources.set(id, { type: spec.Type, physicalId: record.physicalId!, properties, attributes: record.data ?? {}, deletionPolicy: spec.DeletionPolicy });
    done.push({ id, before });
    return true;
  }

  /** The resource types the example app uses besides its custom resources. */
  private async native(stack: LiveStack, id: string, type: string, properties: Record<string, Json>, before?: Live): Promise<Live> {
    if (type === 'AWS::Chime::VoiceConnector') {
      const answer = await this.chime(stack).send(
        new CreateVoiceConnectorCommand({ Name: String(properties.Name), AwsRegion: properties.AwsRegion as 'us-east-1', RequireEncryption: properties.RequireEncryption === true }),
      );
      const connectorId = answer.VoiceConnector!.VoiceConnectorId!;
      return { type, physicalId: connectorId, properties, attributes: { VoiceConnectorId: connectorId } };
    }
    return { type, physicalId: before?.physicalId ?? `${stack.name}-${id}`, properties, attributes: {} };
  }

  private async remove(stack: LiveStack, id: string, live: Live, phase: Phase): Promise<boolean> {
    if (isCustom(live.type)) {
      return (await this.event(stack, id, 'Delete', phase, live.properties, live.physicalId)).status === 'SUCCESS';
    }
    if (live.type === 'AWS::Chime::VoiceConnector') {
      await this.chime(stack).send(new DeleteVoiceConnectorCommand({ VoiceConnectorId: live.physicalId }));
    }
    return true;
  }

  private chime(stack: LiveStack): ChimeSDKVoiceClient {
    return new ChimeSDKVoiceClient({ region: stack.region, endpoint: this.options.endpoint.env().AWS_ENDPOINT_URL_CHIME_SDK_VOICE, credentials: LOCAL_CREDENTIALS });
  }

  /** Sends one event to the resource's provider and waits for its answer on the response URL. */
  private async event(
    stack: LiveStack,
    logicalId: string,
    requestType: 'Create' | 'Update' | 'Delete',
    phase: Phase,
    properties: Record<string, Json>,
    physicalId?: string,
    oldProperties?: Record<string, Json>,
  ): Promise<EventRecord> {
    const started = Date.now();
    const requestId = randomUUID();
    const serviceToken = String(properties.ServiceToken);
    const fn = stack.functions.get(serviceToken);
    if (!fn) throw new Error(`${stack.name}/${logicalId}: no function for ServiceToken ${serviceToken}`);
    const event: Record<string, unknown> = {
      RequestType: requestType,
      ServiceToken: serviceToken,
      ResponseURL: `https://127.0.0.1:${(this.server.address() as AddressInfo).port}/responses/${requestId}`,
      StackId: stack.stackId,
      RequestId: requestId,
      LogicalResourceId: logicalId,
      ResourceType: stack.template.Resources[logicalId]?.Type ?? 'Custom::Resource',
      ResourceProperties: asCloudFormationSends(properties),
      ...(physicalId !== undefined ? { PhysicalResourceId: physicalId } : {}),
      ...(oldProperties ? { OldResourceProperties: asCloudFormationSends(oldProperties) } : {}),
    };
    const limit = Math.min(Number(properties.ServiceTimeout ?? 3600) * 1000, this.options.responseTimeoutMs ?? 120_000);
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<string | undefined>((resolve) => {
      this.waiting.set(requestId, resolve);
      timer = setTimeout(() => resolve(undefined), limit);
    });
    const host = await this.host(fn.dir, stack);
    const delivered = new Promise<string | undefined>((resolve) => {
      host.pending.set(requestId, resolve);
      host.child.send({ id: requestId, event, timeoutMs: fn.timeoutMs });
    });
    // An answer, or the provider giving up on delivering one, or CloudFormation giving up waiting.
    const body = await Promise.race([answered, delivered.then(async (error) => (error ? undefined : answered))]);
    clearTimeout(timer);
    this.waiting.delete(requestId);
    host.pending.delete(requestId);

    let record: EventRecord;
    if (body === undefined) {
      record = { stack: stack.name, logicalId, requestType, phase, status: 'UNANSWERED', ms: Date.now() - started };
    } else {
      this.violations.push(...contractProblems(event, body).map((p) => `${stack.name}/${logicalId} ${requestType}: ${p}`));
      const r = JSON.parse(body);
      record = {
        stack: stack.name,
        logicalId,
        requestType,
        phase,
        status: r.Status,
        physicalId: r.PhysicalResourceId,
        reason: r.Status === 'FAILED' ? r.Reason : undefined,
        data: r.Data,
        responseBytes: Buffer.byteLength(body),
        ms: Date.now() - started,
      };
    }
    this.events.push(record);
    return record;
  }

  private host(dir: string, stack: LiveStack): Promise<Host> {
    const key = `${dir}|${stack.region}`;
    let host = this.hosts.get(key);
    if (!host) {
      host = new Promise<Host>((resolve, reject) => {
        const child = fork(path.join(__dirname, 'lambda-host.js'), [dir], {
          execPath: NODE22,
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
          // A clean environment: the handler sees dummy credentials and local endpoints, nothing else.
          env: {
            PATH: process.env.PATH ?? '',
            NODE_EXTRA_CA_CERTS: path.join(this.dir, 'response-ca.pem'),
            LOCAL_RESPONSE_PORT: String((this.server.address() as AddressInfo).port),
            AWS_REGION: stack.region,
            AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
            AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
            AWS_EC2_METADATA_DISABLED: 'true',
            ...this.options.endpoint.env(),
          },
        });
        const pending = new Map<string, (error?: string) => void>();
        const keep = (chunk: Buffer) => {
          this.logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
          this.logs.splice(0, Math.max(0, this.logs.length - 5000));
        };
        child.stdout!.on('data', keep);
        child.stderr!.on('data', keep);
        child.on('message', (m: { ready?: boolean; id?: string; error?: string }) => {
          if (m.ready) resolve({ child, pending });
          else if (m.id) pending.get(m.id)?.(m.error);
        });
        child.on('exit', (code) => {
          reject(new Error(`the provider process for ${dir} exited with ${code}: ${this.logs.slice(-5).join(' | ')}`));
          for (const done of pending.values()) done(`provider process exited with ${code}`);
        });
      });
      this.hosts.set(key, host);
    }
    return host;
  }

  private result(stack: LiveStack, status: StackStatus, from: number): DeployResult {
    const outputs: Record<string, string> = {};
    if (status !== 'DELETE_COMPLETE') {
      for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
        try {
          outputs[name] = String(resolve(output.Value, stack));
        } catch {
          // An output of a resource that does not exist after a rollback.
        }
      }
    }
    return { status, events: this.events.slice(from), outputs };
  }
}

const functionArn = (stack: LiveStack, logicalId: string) => `arn:aws:lambda:${stack.region}:${ACCOUNT}:function:${stack.name}-${logicalId}`;
const arnInTemplate = (stack: LiveStack, arn: string) =>
  Object.entries(stack.template.Resources).some(([id, r]) => r.Type === 'AWS::Lambda::Function' && functionArn(stack, id) === arn);

function defaults(template: Template): Record<string, string> {
  return Object.fromEntries(Object.entries(template.Parameters ?? {}).flatMap(([k, p]) => (p.Default !== undefined ? [[k, p.Default]] : [])));
}

/** Resolves the intrinsic functions the synthesised templates use. */
function resolve(value: Json | undefined, stack: LiveStack): Json {
  if (Array.isArray(value)) return value.map((v) => resolve(v, stack));
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
    case 'Fn::Join': {
      const [sep, parts] = arg as [string, Json[]];
      return (resolve(parts, stack) as Json[]).join(sep);
    }
    case 'Fn::Select': {
      const [index, list] = arg as [Json, Json];
      return (resolve(list, stack) as Json[])[Number(resolve(index, stack))];
    }
    case 'Fn::Split': {
      const [sep, text] = arg as [string, Json];
      return String(resolve(text, stack)).split(sep);
    }
    case 'Fn::Sub': {
      const text = typeof arg === 'string' ? arg : String((arg as Json[])[0]);
      return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => String(resolve({ Ref: name }, stack)));
    }
    default:
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, stack)]));
  }
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
function layers(template: Template): string[][] {
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
function readAssembly(dir: string, stackName: string): { template: Template; region: string; assets: Map<string, string> } {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const artifact = manifest.artifacts?.[stackName];
  if (!artifact || artifact.type !== 'aws:cloudformation:stack') throw new Error(`no stack ${stackName} in ${dir}`);
  const template = JSON.parse(fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf8'));
  const region = /^aws:\/\/[^/]+\/(.+)$/.exec(artifact.environment)?.[1];
  const assets = new Map<string, string>();
  for (const name of artifact.dependencies ?? []) {
    const assetArtifact = manifest.artifacts[name];
    if (assetArtifact?.type !== 'cdk:asset-manifest') continue;
    const files = JSON.parse(fs.readFileSync(path.join(dir, assetArtifact.properties.file), 'utf8')).files ?? {};
    for (const file of Object.values(files) as { source: { path: string }; destinations: Record<string, { objectKey: string }> }[]) {
      for (const d of Object.values(file.destinations)) assets.set(d.objectKey, path.join(dir, file.source.path));
    }
  }
  return { template, region: region && region !== 'unknown-region' ? region : 'us-east-1', assets };
}
