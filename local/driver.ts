import { ChildProcess, fork } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { ChimeSDKVoiceClient, CreateVoiceConnectorCommand, DeleteVoiceConnectorCommand } from '@aws-sdk/client-chime-sdk-voice';
import { generate } from 'selfsigned';
import { ChimeEndpoint, seeded } from './endpoint';
import { NODE22 } from './node22';

/**
 * A CloudFormation stand-in for custom resources: it reads a synthesised cloud assembly, runs each
 * provider's asset (the real bundle) as Lambda does, in execution environments of its own, sends
 * it the events CloudFormation would send (Create, Update, Delete, cleanup and rollback) and
 * receives the answers on an HTTPS response URL, checking each against the custom resource
 * contract. It may be stricter than CloudFormation, never more lenient.
 */

const ACCOUNT = '123456789012';
/**
 * CloudFormation refuses a custom resource response larger than this (UTF-8 bytes, inclusive).
 * Source: CloudFormation guide, "Custom resource response objects"; aws/aws-cdk#2825.
 */
export const MAX_RESPONSE_BYTES = 4096;
/** Source: same page; the reason CloudFormation records instead of the handler's own. */
export const TOO_LONG_REASON = 'Response object is too long.';
/** Source: `AWS::CloudFormation::CustomResource` reference; cloudformation-coverage-roadmap#802. */
export const SERVICE_TOKEN_REASON = 'Modifying service token is not allowed.';
/** Source: CloudFormation's answer when a custom resource never responds (ServiceTimeout). */
const NO_RESPONSE_REASON = 'CloudFormation did not receive a response from your Custom Resource within its ServiceTimeout.';
/** Source: AWS Lambda guide, "Asynchronous invocation": 2 retries, about 1 then 2 minutes apart. */
const LAMBDA_RETRY_DELAYS_MS = [60_000, 120_000];
const LOCAL_CREDENTIALS = { accessKeyId: 'AKIALOCALENDPOINT', secretAccessKey: 'local-endpoint-secret' };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Output {
  Value: Json;
  Export?: { Name: Json };
}
type Template = { Resources: Record<string, TemplateResource>; Outputs?: Record<string, Output>; Parameters?: Record<string, { Default?: string }> };
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

export type Phase = 'deploy' | 'cleanup' | 'rollback' | 'rollback-cleanup' | 'destroy';
export type RequestType = 'Create' | 'Update' | 'Delete';

/** One event CloudFormation sent (one RequestId), whichever deliveries carried it. */
export interface SentEvent {
  readonly stack: string;
  readonly logicalId: string;
  readonly requestType: RequestType;
  readonly phase: Phase;
  readonly requestId: string;
  /** The event exactly as the function received it. */
  readonly event: Record<string, unknown>;
}

/** One delivery of an event to the function: Lambda may deliver the same event more than once. */
export interface EventRecord {
  readonly stack: string;
  readonly logicalId: string;
  readonly requestType: RequestType;
  readonly phase: Phase;
  readonly requestId: string;
  /** 1 for the first delivery of this RequestId, then 2, 3, … in the order they started. */
  readonly delivery: number;
  /** Why Lambda delivered it: the event itself, a retry after a function error, or an extra at-least-once copy. */
  readonly cause: 'event' | 'retry' | 'duplicate';
  /** What this delivery answered; UNANSWERED when it ended without an answer CloudFormation accepted. */
  readonly status: 'SUCCESS' | 'FAILED' | 'UNANSWERED';
  /** Whether CloudFormation took this answer: only the first answer for a RequestId counts. */
  readonly taken: boolean;
  readonly physicalId?: string;
  /** The reason CloudFormation recorded (for a taken answer) or the answer gave. */
  readonly reason?: string;
  readonly data?: Record<string, string>;
  readonly responseBytes?: number;
  /** How the invocation failed, when it did: the entrypoint's error, a crash or the function timeout. */
  readonly error?: string;
  readonly ms: number;
}

/** A resource that failed a deploy or destroy, with the reason CloudFormation gives. */
export interface ResourceFailure {
  readonly stack: string;
  readonly logicalId: string;
  readonly requestType: RequestType;
  readonly phase: Phase;
  readonly reason: string;
}

export type StackStatus =
  | 'CREATE_COMPLETE'
  | 'ROLLBACK_COMPLETE'
  | 'ROLLBACK_FAILED'
  | 'UPDATE_COMPLETE'
  | 'UPDATE_ROLLBACK_COMPLETE'
  | 'UPDATE_ROLLBACK_FAILED'
  | 'DELETE_COMPLETE'
  | 'DELETE_FAILED';
export interface DeployResult {
  readonly status: StackStatus;
  /** The deliveries that ended during this deploy, in the order they ended. */
  readonly events: EventRecord[];
  readonly failures: ResourceFailure[];
  readonly outputs: Record<string, string>;
}
export interface AppResult {
  /** Each stack's result, in the order the stacks were deployed or destroyed. */
  readonly stacks: Record<string, DeployResult>;
  /** True when every stack reached CREATE_COMPLETE / UPDATE_COMPLETE (or DELETE_COMPLETE). */
  readonly ok: boolean;
  readonly events: EventRecord[];
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
  /** Function ARN to asset directory and timeout. */
  functions: Map<string, LambdaFunction>;
  outputs: Record<string, string>;
  exports: Record<string, string>;
}
interface LambdaFunction {
  readonly arn: string;
  readonly dir: string;
  readonly region: string;
  readonly timeoutMs: number;
}

/** What a deploy changed: the resource as it was, and the properties it was given. */
interface Done {
  readonly id: string;
  readonly before?: Live;
  readonly attempted?: Record<string, Json>;
}

/** CloudFormation's verdict on one event. */
interface Outcome {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalId?: string;
  readonly data?: Record<string, string>;
  readonly reason?: string;
}

/** An event waiting for its first answer. */
interface Pending {
  readonly sent: SentEvent;
  readonly fn: LambdaFunction;
  readonly started: number;
  deliveries: number;
  /** Deliveries (with their retries) that have not finished yet. */
  chains: number;
  outcome?: Outcome;
  /** Delivery numbers that have answered (their records are written when the answer arrives). */
  readonly answered: Set<number>;
  /** Why each delivery, by number, was made. */
  readonly causes: Map<number, EventRecord['cause']>;
  decide(outcome?: Outcome): void;
}

/** One Lambda execution environment: a process that runs one invocation at a time. */
interface Environment {
  readonly child: ChildProcess;
  busy: boolean;
  retired?: boolean;
  /** Settles the running invocation: undefined on success, else how it failed. */
  settle?: (error?: string) => void;
}

/** How Lambda's at-least-once delivery sends an event a second time without any error. */
export interface DuplicateDeliveries {
  /** 'always', or the chance (0 to 1) that an event gets a second delivery. */
  readonly probability: number | 'always';
  /** Seed for the chance, so a run is repeatable. @default 1 */
  readonly seed?: number;
  /** The second delivery starts this long after the first; 0 runs both at the same time. @default 0 */
  readonly afterMs?: number;
}

export interface DriverOptions {
  readonly endpoint: ChimeEndpoint;
  /**
   * Caps each resource's ServiceTimeout (the longest wait for an answer), so tests fail fast.
   * @default 120000
   */
  readonly responseTimeoutMs?: number;
  /**
   * The delays before Lambda's retries of an invocation that errored; one retry per entry.
   * @default [60000, 120000], as Lambda retries asynchronous invocations
   */
  readonly retryDelaysMs?: number[];
  /**
   * Stops each invocation after this long instead of the function's `Timeout` from the template.
   * @default the function's Timeout
   */
  readonly functionTimeoutMs?: number;
  /** Extra deliveries of the same event. @default none */
  readonly duplicates?: DuplicateDeliveries;
  /**
   * The most execution environments one function runs at once; further invocations wait for one,
   * as Lambda queues throttled asynchronous events.
   * @default 10
   */
  readonly concurrency?: number;
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

/** What CloudFormation makes of an answer: an answer it cannot read fails the resource. */
function verdict(body: string): Outcome & { answer?: Record<string, unknown> } {
  if (Buffer.byteLength(body) > MAX_RESPONSE_BYTES) return { status: 'FAILED', reason: TOO_LONG_REASON };
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(body);
  } catch {
    return { status: 'FAILED', reason: 'Invalid response object: not JSON' };
  }
  if (r.Status !== 'SUCCESS' && r.Status !== 'FAILED') return { status: 'FAILED', reason: `Invalid response object: Status ${JSON.stringify(r.Status)}`, answer: r };
  return {
    status: r.Status,
    physicalId: typeof r.PhysicalResourceId === 'string' ? r.PhysicalResourceId : undefined,
    data: r.Data as Record<string, string> | undefined,
    reason: r.Status === 'FAILED' ? String(r.Reason ?? '') : undefined,
    answer: r,
  };
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

  /** Every delivery of every event, in the order the deliveries ended. */
  readonly events: EventRecord[] = [];
  /** Every event CloudFormation sent, in order. */
  readonly sent: SentEvent[] = [];
  /** Answers that came after CloudFormation had taken one for the same RequestId; it ignored them. */
  readonly lateResponses: EventRecord[] = [];
  /** Responses that broke the custom resource contract. */
  readonly violations: string[] = [];
  /** What the execution environments printed, newest last. */
  readonly logs: string[] = [];
  private readonly stacks = new Map<string, LiveStack>();
  private readonly environments = new Map<string, Environment[]>();
  /** Invocations waiting for a free environment of their function. */
  private readonly queued = new Map<string, (() => void)[]>();
  private readonly pending = new Map<string, Pending>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Every execution environment process that has not exited yet. */
  private readonly children = new Set<ChildProcess>();
  private readonly duplicateChance: () => number;
  private refusals = 0;
  private stopped = false;
  private readonly server: https.Server;

  private constructor(private readonly options: DriverOptions, private readonly dir: string, key: string, cert: string) {
    this.duplicateChance = seeded(options.duplicates?.seed ?? 1);
    this.server = https.createServer({ key, cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const id = (req.url ?? '').split('/').pop() ?? '';
        const pending = this.pending.get(id);
        if (req.method !== 'PUT' || !pending) return void res.writeHead(404).end();
        if (this.refusals > 0) {
          this.refusals--;
          return void res.writeHead(500).end();
        }
        // A presigned S3 URL accepts every PUT until it expires, late ones included.
        res.writeHead(200).end();
        const delivery = Number(String(req.headers['x-local-delivery'] ?? '').split('#')[1] ?? 0);
        this.receive(pending, delivery, Buffer.concat(chunks).toString('utf8'));
      });
    });
  }

  /** The response URL answers the next `count` PUTs with HTTP 500, as a failing S3 would. */
  refuseNextResponses(count: number): void {
    this.refusals += count;
  }

  /** Events CloudFormation sent and never got an answer for. */
  unanswered(): SentEvent[] {
    return this.sent.filter((s) => !this.pending.get(s.requestId)?.outcome);
  }

  /** Waits until every delivery, retry and duplicate still running or scheduled has ended. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** The IDs of the execution environments (processes) a function has, busy or idle. */
  environmentsOf(functionArn: string): number[] {
    return (this.environments.get(functionArn) ?? []).map((e) => e.child.pid!);
  }

  /** Deploys every stack of the assembly, producers before consumers, stopping at the first failure. */
  async deployApp(assemblyDir: string, parameters: Record<string, Record<string, string>> = {}): Promise<AppResult> {
    const stacks: Record<string, DeployResult> = {};
    for (const name of stackOrder(assemblyDir)) {
      stacks[name] = await this.deploy(assemblyDir, name, parameters[name]);
      if (!['CREATE_COMPLETE', 'UPDATE_COMPLETE'].includes(stacks[name].status)) return { stacks, ok: false, events: Object.values(stacks).flatMap((r) => r.events) };
    }
    return { stacks, ok: true, events: Object.values(stacks).flatMap((r) => r.events) };
  }

  /** Destroys the assembly's deployed stacks, consumers before producers, stopping at the first failure. */
  async destroyApp(assemblyDir: string): Promise<AppResult> {
    const stacks: Record<string, DeployResult> = {};
    for (const name of stackOrder(assemblyDir).reverse().filter((n) => this.stacks.has(n))) {
      stacks[name] = await this.destroy(name);
      if (stacks[name].status !== 'DELETE_COMPLETE') return { stacks, ok: false, events: Object.values(stacks).flatMap((r) => r.events) };
    }
    return { stacks, ok: true, events: Object.values(stacks).flatMap((r) => r.events) };
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
      outputs: {},
      exports: {},
    };
    // Cross-stack values must exist before anything changes, as CloudFormation checks them first.
    this.checkCrossStackReferences(stackName, region, template);
    const before = this.events.length;
    const previous = { template: stack.template, parameters: stack.parameters, functions: new Map(stack.functions) };
    stack.template = template;
    stack.parameters = { ...defaults(template), ...parameters };
    for (const [id, r] of Object.entries(template.Resources)) {
      if (r.Type !== 'AWS::Lambda::Function') continue;
      const key = String((r.Properties?.Code as { S3Key?: string })?.S3Key ?? '');
      const dir = assets.get(key);
      const arn = functionArn(stack, id);
      // Source: CloudFormation's default Lambda Timeout is 3 seconds.
      if (dir) stack.functions.set(arn, { arn, dir, region: stack.region, timeoutMs: Number(r.Properties?.Timeout ?? 3) * 1000 });
    }
    if (!existing) this.stacks.set(stackName, stack);

    const done: Done[] = [];
    const failures: ResourceFailure[] = [];
    let failed = false;
    for (const layer of layers(template)) {
      const outcomes = await Promise.all(layer.map((id) => this.apply(stack, id, done, failures)));
      if (outcomes.includes(false)) {
        failed = true;
        break;
      }
    }
    if (!failed) {
      // Cleanup: resources the new template dropped, and the old side of every replacement.
      const replaced = done.filter((d) => d.before && d.before.physicalId !== stack.resources.get(d.id)?.physicalId);
      await Promise.all(replaced.map((d) => this.remove(stack, d.id, d.before!, 'cleanup', failures)));
      for (const id of [...stack.resources.keys()].filter((id) => !(id in template.Resources)).reverse()) {
        await this.remove(stack, id, stack.resources.get(id)!, 'cleanup', failures);
        stack.resources.delete(id);
      }
      for (const arn of [...stack.functions.keys()]) if (!arnInTemplate(stack, arn)) stack.functions.delete(arn);
      return this.result(stack, existing ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE', before, failures);
    }

    // Rollback, newest first: undo in-place updates, delete what this deploy created or replaced.
    // Sources: cloudcomponents/cdk-constructs#140, aws/aws-cdk#17040 (the swapped properties).
    let rollbackOk = true;
    const oldSides: { id: string; live: Live }[] = [];
    for (const d of [...done].reverse()) {
      const now = stack.resources.get(d.id);
      if (!now) continue;
      if (d.before && d.before.physicalId === now.physicalId && isCustom(now.type)) {
        const outcome = await this.event(stack, d.id, 'Update', 'rollback', d.before.properties, now.physicalId, d.attempted ?? now.properties);
        if (outcome.status !== 'SUCCESS') {
          failures.push({ stack: stack.name, logicalId: d.id, requestType: 'Update', phase: 'rollback', reason: outcome.reason ?? '' });
          rollbackOk = false;
          break;
        }
        // A new physical ID answered during rollback is a replacement too: the old side goes in
        // the rollback's cleanup. Not documented; inferred from the replacement rule.
        if (outcome.physicalId && outcome.physicalId !== now.physicalId) oldSides.push({ id: d.id, live: { ...now, properties: d.attempted ?? now.properties } });
        stack.resources.set(d.id, { ...d.before, physicalId: outcome.physicalId ?? now.physicalId, attributes: outcome.data ?? d.before.attributes });
      } else {
        if (!(await this.remove(stack, d.id, now, 'rollback', failures))) {
          rollbackOk = false;
          break;
        }
        if (d.before) stack.resources.set(d.id, d.before);
        else stack.resources.delete(d.id);
      }
    }
    if (rollbackOk) await Promise.all(oldSides.map((o) => this.remove(stack, o.id, o.live, 'rollback-cleanup', failures)));
    stack.template = previous.template;
    stack.parameters = previous.parameters;
    stack.functions = previous.functions;
    if (!existing && rollbackOk) this.stacks.delete(stackName);
    const status: StackStatus = existing ? (rollbackOk ? 'UPDATE_ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_FAILED') : rollbackOk ? 'ROLLBACK_COMPLETE' : 'ROLLBACK_FAILED';
    return this.result(stack, status, before, failures);
  }

  /** Deletes the stack: resources in reverse dependency order, except those retained. */
  async destroy(stackName: string): Promise<DeployResult> {
    const stack = this.stacks.get(stackName);
    if (!stack) throw new Error(`no stack ${stackName}`);
    const before = this.events.length;
    const failures: ResourceFailure[] = [];
    let ok = true;
    for (const layer of layers(stack.template).reverse()) {
      const outcomes = await Promise.all(
        layer.map(async (id) => {
          const live = stack.resources.get(id);
          if (!live || live.deletionPolicy === 'Retain') return true;
          const removed = await this.remove(stack, id, live, 'destroy', failures);
          if (removed) stack.resources.delete(id);
          return removed;
        }),
      );
      ok &&= !outcomes.includes(false);
    }
    if (ok) this.stacks.delete(stackName);
    return this.result(stack, ok ? 'DELETE_COMPLETE' : 'DELETE_FAILED', before, failures);
  }

  /** The physical ID and attributes of a resource of a deployed stack. */
  resource(stackName: string, logicalId: string): Live | undefined {
    return this.stacks.get(stackName)?.resources.get(logicalId);
  }

  /** The outputs of a deployed stack. */
  outputs(stackName: string): Record<string, string> | undefined {
    return this.stacks.get(stackName)?.outputs;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const pending of this.pending.values()) if (!pending.outcome) pending.decide();
    // Wait for every process to be gone, so nothing of this driver outlives stop().
    const exits = [...this.children].map((child) => new Promise((resolve) => child.once('exit', resolve)));
    for (const child of this.children) child.kill('SIGKILL');
    await Promise.all(exits);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Creates or updates one resource; records what it was before. */
  private async apply(stack: LiveStack, id: string, done: Done[], failures: ResourceFailure[]): Promise<boolean> {
    const spec = stack.template.Resources[id];
    const properties = this.resolve(spec.Properties ?? {}, stack) as Record<string, Json>;
    const before = stack.resources.get(id);
    if (before && JSON.stringify(before.properties) === JSON.stringify(properties)) return true;
    if (!isCustom(spec.Type)) {
      const live = await this.native(stack, id, spec.Type, properties, before);
      live.deletionPolicy = spec.DeletionPolicy;
      stack.resources.set(id, live);
      done.push({ id, before });
      return true;
    }
    const fail = (requestType: RequestType, reason: string) => {
      failures.push({ stack: stack.name, logicalId: id, requestType, phase: 'deploy', reason });
      return false;
    };
    if (before && String(before.properties.ServiceToken) !== String(properties.ServiceToken)) {
      // Refused before any event is sent, so nothing needs undoing for this resource.
      return fail('Update', SERVICE_TOKEN_REASON);
    }
    const outcome = before
      ? await this.event(stack, id, 'Update', 'deploy', properties, before.physicalId, before.properties)
      : await this.event(stack, id, 'Create', 'deploy', properties);
    if (outcome.status !== 'SUCCESS') {
      // A failed resource is rolled back too: an Update back to its old properties, or a Delete of
      // the physical ID the failed Create answered (source: aws-cdk nodejs-entrypoint's marker).
      if (before) done.push({ id, before, attempted: properties });
      else if (outcome.physicalId) {
        stack.resources.set(id, { type: spec.Type, physicalId: outcome.physicalId, properties, attributes: {} });
        done.push({ id });
      }
      return fail(before ? 'Update' : 'Create', outcome.reason ?? '');
    }
    stack.resources.set(id, { type: spec.Type, physicalId: outcome.physicalId!, properties, attributes: outcome.data ?? {}, deletionPolicy: spec.DeletionPolicy });
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

  private async remove(stack: LiveStack, id: string, live: Live, phase: Phase, failures: ResourceFailure[]): Promise<boolean> {
    if (isCustom(live.type)) {
      const outcome = await this.event(stack, id, 'Delete', phase, live.properties, live.physicalId);
      if (outcome.status === 'SUCCESS') return true;
      failures.push({ stack: stack.name, logicalId: id, requestType: 'Delete', phase, reason: outcome.reason ?? '' });
      return false;
    }
    if (live.type === 'AWS::Chime::VoiceConnector') {
      await this.chime(stack).send(new DeleteVoiceConnectorCommand({ VoiceConnectorId: live.physicalId }));
    }
    return true;
  }

  private chime(stack: LiveStack): ChimeSDKVoiceClient {
    return new ChimeSDKVoiceClient({ region: stack.region, endpoint: this.options.endpoint.env().AWS_ENDPOINT_URL_CHIME_SDK_VOICE, credentials: LOCAL_CREDENTIALS });
  }

  /**
   * Sends one event to the resource's function, asynchronously as CloudFormation does, and waits
   * for the first answer on the response URL, or until the resource's ServiceTimeout.
   */
  private async event(
    stack: LiveStack,
    logicalId: string,
    requestType: RequestType,
    phase: Phase,
    properties: Record<string, Json>,
    physicalId?: string,
    oldProperties?: Record<string, Json>,
  ): Promise<Outcome> {
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
    const sent: SentEvent = { stack: stack.name, logicalId, requestType, phase, requestId, event };
    this.sent.push(sent);
    // Source: AWS::CloudFormation::CustomResource reference, ServiceTimeout (default 3,600 s).
    const limit = Math.min(Number(properties.ServiceTimeout ?? 3600) * 1000, this.options.responseTimeoutMs ?? 120_000);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await new Promise<Outcome | undefined>((decide) => {
      const pending: Pending = { sent, fn, started: Date.now(), deliveries: 0, chains: 0, answered: new Set(), causes: new Map(), decide };
      this.pending.set(requestId, pending);
      timer = this.later(limit, () => decide(undefined));
      this.deliver(pending);
    });
    this.cancel(timer!);
    return outcome ?? { status: 'FAILED', reason: NO_RESPONSE_REASON };
  }

  /** Hands the event to Lambda: one delivery, perhaps a duplicate, each retried on function errors. */
  private deliver(pending: Pending): void {
    const track = (run: Promise<void>) => {
      pending.chains++;
      const tracked = run.finally(() => {
        this.inFlight.delete(tracked);
        // Every delivery has ended without an answer: nothing can answer any more, so waiting out
        // the ServiceTimeout would end the same way.
        if (--pending.chains === 0 && !pending.outcome) pending.decide(undefined);
      });
      this.inFlight.add(tracked);
    };
    track(this.deliverWithRetries(pending, 'event'));
    const duplicates = this.options.duplicates;
    if (duplicates && (duplicates.probability === 'always' || this.duplicateChance() < duplicates.probability)) {
      track(this.sleep(duplicates.afterMs ?? 0).then(() => this.deliverWithRetries(pending, 'duplicate')));
    }
  }

  /** Source: AWS Lambda guide, "Asynchronous invocation": a function error is retried with the same event. */
  private async deliverWithRetries(pending: Pending, cause: 'event' | 'duplicate'): Promise<void> {
    const delays = this.options.retryDelaysMs ?? LAMBDA_RETRY_DELAYS_MS;
    for (let attempt = 0; !this.stopped; attempt++) {
      const error = await this.invoke(pending, attempt === 0 ? cause : 'retry');
      if (error === undefined || attempt >= delays.length) return;
      await this.sleep(delays[attempt]);
    }
  }

  /** Runs one delivery in an execution environment; returns how it failed, if it did. */
  private async invoke(pending: Pending, cause: EventRecord['cause']): Promise<string | undefined> {
    const delivery = ++pending.deliveries;
    pending.causes.set(delivery, cause);
    const started = Date.now();
    const env = await this.acquire(pending.fn);
    if (this.stopped) return undefined;
    const timeoutMs = this.options.functionTimeoutMs ?? pending.fn.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const error = await new Promise<string | undefined>((settle) => {
      env.settle = settle;
      // Source: AWS Lambda guide: the function is stopped at its Timeout, which counts as an error.
      timer = this.later(timeoutMs, () => {
        settle(`Task timed out after ${timeoutMs} ms`);
        this.retire(pending.fn, env);
      });
      env.child.send({ id: `${pending.sent.requestId}#${delivery}`, event: pending.sent.event, timeoutMs }, (err) => {
        if (err) settle(`invoke failed: ${err.message}`);
      });
    });
    this.cancel(timer!);
    env.settle = undefined;
    if (!env.retired) {
      env.busy = false;
      this.wake(pending.fn);
    }
    if (!pending.answered.has(delivery)) {
      this.events.push({ ...this.recordBase(pending, delivery, cause), status: 'UNANSWERED', taken: false, error: error ?? 'returned without an answer', ms: Date.now() - started });
    }
    return error;
  }

  private recordBase(pending: Pending, delivery: number, cause: EventRecord['cause']) {
    const { stack, logicalId, requestType, phase, requestId } = pending.sent;
    return { stack, logicalId, requestType, phase, requestId, delivery, cause };
  }

  /** An answer arrived on the response URL: the first one for a RequestId decides, later ones are kept. */
  private receive(pending: Pending, delivery: number, body: string): void {
    const { stack, logicalId, requestType } = pending.sent;
    this.violations.push(...contractProblems(pending.sent.event, body).map((p) => `${stack}/${logicalId} ${requestType}: ${p}`));
    const taken = !pending.outcome;
    const v = verdict(body);
    const own = v.answer;
    const record: EventRecord = {
      ...this.recordBase(pending, delivery, pending.causes.get(delivery) ?? 'event'),
      status: taken ? v.status : own?.Status === 'SUCCESS' ? 'SUCCESS' : 'FAILED',
      taken,
      physicalId: typeof own?.PhysicalResourceId === 'string' ? own.PhysicalResourceId : undefined,
      reason: taken ? v.reason : own?.Status === 'FAILED' ? String(own.Reason ?? '') : undefined,
      data: own?.Data as Record<string, string> | undefined,
      responseBytes: Buffer.byteLength(body),
      ms: Date.now() - pending.started,
    };
    pending.answered.add(delivery);
    this.events.push(record);
    if (!taken) {
      this.lateResponses.push(record);
      return;
    }
    pending.outcome = v;
    pending.decide(v);
  }

  /** An idle environment of the function (warm, so its module state survives), or a new one. */
  private async acquire(fn: LambdaFunction): Promise<Environment> {
    const envs = this.environments.get(fn.arn) ?? [];
    this.environments.set(fn.arn, envs);
    const idle = envs.find((e) => !e.busy);
    if (idle) {
      idle.busy = true;
      return idle;
    }
    if (envs.length >= (this.options.concurrency ?? 10)) {
      await new Promise<void>((resolve) => this.queued.set(fn.arn, [...(this.queued.get(fn.arn) ?? []), resolve]));
      return this.acquire(fn);
    }
    const env = this.spawn(fn);
    envs.push(env);
    await new Promise<void>((resolve, reject) => {
      env.child.once('message', (m: { ready?: boolean }) => (m.ready ? resolve() : undefined));
      env.child.once('exit', (code) => reject(new Error(`the execution environment for ${fn.arn} exited with ${code}: ${this.logs.slice(-5).join(' | ')}`)));
    });
    return env;
  }

  /** Lets the next invocation waiting for an environment of the function try again. */
  private wake(fn: LambdaFunction): void {
    this.queued.get(fn.arn)?.shift()?.();
  }

  /** Stops an environment for good (its process is killed) and frees its place. */
  private retire(fn: LambdaFunction, env: Environment): void {
    if (env.retired) return;
    env.retired = true;
    env.child.kill('SIGKILL');
    const envs = this.environments.get(fn.arn) ?? [];
    envs.splice(envs.indexOf(env), 1);
    this.wake(fn);
  }

  private spawn(fn: LambdaFunction): Environment {
    const child = fork(path.join(__dirname, 'lambda-host.js'), [fn.dir], {
      execPath: NODE22,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // A clean environment: the handler sees dummy credentials and local endpoints, nothing else.
      env: {
        PATH: process.env.PATH ?? '',
        NODE_EXTRA_CA_CERTS: path.join(this.dir, 'response-ca.pem'),
        LOCAL_RESPONSE_PORT: String((this.server.address() as AddressInfo).port),
        AWS_REGION: fn.region,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_EC2_METADATA_DISABLED: 'true',
        ...this.options.endpoint.env(),
      },
    });
    const env: Environment = { child, busy: true };
    this.children.add(child);
    const keep = (chunk: Buffer) => {
      this.logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      this.logs.splice(0, Math.max(0, this.logs.length - 5000));
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.on('message', (m: { id?: string; error?: string }) => {
      if (m.id) env.settle?.(m.error);
    });
    child.on('exit', (code, signal) => {
      this.children.delete(child);
      env.settle?.(`the execution environment exited with ${signal ?? code}`);
      this.retire(fn, env);
    });
    return env;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.later(ms, resolve));
  }

  private cancel(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  private later(ms: number, run: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private result(stack: LiveStack, status: StackStatus, from: number, failures: ResourceFailure[]): DeployResult {
    const outputs: Record<string, string> = {};
    const exports: Record<string, string> = {};
    if (status !== 'DELETE_COMPLETE') {
      for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
        try {
          outputs[name] = String(this.resolve(output.Value, stack));
          if (output.Export) exports[String(this.resolve(output.Export.Name, stack))] = outputs[name];
        } catch {
          // An output of a resource that does not exist after a rollback.
        }
      }
    }
    stack.outputs = outputs;
    stack.exports = exports;
    return { status, events: this.events.slice(from), failures, outputs };
  }

  /** The deployed stack a cross-stack reference names, or a clear error. */
  private producer(consumer: string, name: string, region: string): LiveStack {
    const found = this.stacks.get(name);
    if (!found || found.region !== region) {
      throw new Error(`${consumer}: Fn::GetStackOutput refers to stack ${name} in ${region}, which is not deployed; deploy it first (deployApp deploys stacks in dependency order)`);
    }
    return found;
  }

  /** Throws a clear error for a Fn::GetStackOutput or Fn::ImportValue that cannot be resolved. */
  private checkCrossStackReferences(stackName: string, region: string, template: Template): void {
    const visit = (value: Json | undefined): void => {
      if (Array.isArray(value)) return value.forEach(visit);
      if (!value || typeof value !== 'object') return;
      for (const [k, v] of Object.entries(value)) {
        if (k === 'Fn::GetStackOutput') this.stackOutput(stackName, region, v);
        else if (k === 'Fn::ImportValue' && typeof v === 'string') this.importValue(stackName, region, v);
        else visit(v);
      }
    };
    visit(template.Resources as unknown as Json);
    visit((template.Outputs ?? {}) as unknown as Json);
  }

  private stackOutput(consumer: string, region: string, arg: Json): string {
    const { StackName, Region, OutputName } = arg as { StackName: string; Region?: string; OutputName: string };
    const producer = this.producer(consumer, StackName, Region ?? region);
    const value = producer.outputs[OutputName];
    if (value === undefined) throw new Error(`${consumer}: Fn::GetStackOutput refers to output ${OutputName} of stack ${StackName}, which has no such output`);
    return value;
  }

  private importValue(consumer: string, region: string, name: string): string {
    const found = [...this.stacks.values()].find((s) => s.region === region && name in s.exports);
    if (!found) throw new Error(`${consumer}: Fn::ImportValue refers to export ${name}, which no deployed stack in ${region} exports`);
    return found.exports[name];
  }

  /** Resolves the intrinsic functions the synthesised templates use. */
  private resolve(value: Json | undefined, stack: LiveStack): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, stack));
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
        return this.stackOutput(stack.name, stack.region, this.resolve(arg, stack));
      case 'Fn::ImportValue':
        return this.importValue(stack.name, stack.region, String(this.resolve(arg, stack)));
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, Json[]];
        return (this.resolve(parts, stack) as Json[]).join(sep);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [Json, Json];
        return (this.resolve(list, stack) as Json[])[Number(this.resolve(index, stack))];
      }
      case 'Fn::Split': {
        const [sep, text] = arg as [string, Json];
        return String(this.resolve(text, stack)).split(sep);
      }
      case 'Fn::Sub': {
        const text = typeof arg === 'string' ? arg : String((arg as Json[])[0]);
        return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => String(this.resolve({ Ref: name }, stack)));
      }
      default:
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v, stack)]));
    }
  }
}

const functionArn = (stack: LiveStack, logicalId: string) => `arn:aws:lambda:${stack.region}:${ACCOUNT}:function:${stack.name}-${logicalId}`;
const arnInTemplate = (stack: LiveStack, arn: string) =>
  Object.entries(stack.template.Resources).some(([id, r]) => r.Type === 'AWS::Lambda::Function' && functionArn(stack, id) === arn);

function defaults(template: Template): Record<string, string> {
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
interface Manifest {
  artifacts?: Record<string, { type: string; environment?: string; dependencies?: string[]; properties?: { templateFile: string; stackName?: string; file?: string } }>;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
}

/** The assembly's stacks in an order that deploys each after the stacks it depends on (the manifest's `dependencies`). */
function stackOrder(dir: string): string[] {
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
function readAssembly(dir: string, stackName: string): { template: Template; region: string; assets: Map<string, string> } {
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
