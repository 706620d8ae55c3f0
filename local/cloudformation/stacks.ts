import { createHash, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChimeSDKVoiceClient, CreateVoiceConnectorCommand, DeleteVoiceConnectorCommand } from '@aws-sdk/client-chime-sdk-voice';
import { CloudFormationApi, Identity } from './api';
import { allows, roleStatements, Statement } from './iam';
import { LambdaService, LOCAL_CREDENTIALS, Pending, recordBase, roleCredentials, Timers } from './lambda';
import type { AppResult, CurrentStackStatus, DeployResult, DriverOptions, EventRecord, Live, LiveStack, Outcome, Phase, RequestType, ResourceFailure, ResourceRecord, ResourceStatus, SentEvent, StackEvent, StackStatus } from './model';
import { contractProblems, ResponseRequest, ResponseServer, verdict } from './responses';
import {
  ACCOUNT,
  arnInTemplate,
  asCloudFormationSends,
  checkCrossStackReferences,
  CrossStack,
  defaults,
  functionArn,
  isCustom,
  Json,
  layers,
  readAssembly,
  resolve,
  stackOrder,
  Template,
} from './template';

/**
 * The stack engine: a CloudFormation stand-in for custom resources. It reads a synthesised cloud
 * assembly, runs each provider's asset (the real bundle) as Lambda does (see `lambda.ts`), sends
 * it the events CloudFormation would send (Create, Update, Delete, cleanup and rollback) and
 * receives the answers on an HTTPS response URL (see `responses.ts`), checking each against the
 * custom resource contract. It may be stricter than CloudFormation, never more lenient.
 */

/** Source: `AWS::CloudFormation::CustomResource` reference; cloudformation-coverage-roadmap#802. */
export const SERVICE_TOKEN_REASON = 'Modifying service token is not allowed.';
/** Source: CloudFormation's answer when a custom resource never responds (ServiceTimeout). */
const NO_RESPONSE_REASON = 'CloudFormation did not receive a response from your Custom Resource within its ServiceTimeout.';

/** What a deploy changed: the resource as it was, and the properties it was given. */
interface Done {
  readonly id: string;
  readonly before?: Live;
  readonly attempted?: Record<string, Json>;
}

export class LocalCloudFormation implements CrossStack {
  static async start(options: DriverOptions): Promise<LocalCloudFormation> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-cfn-'));
    const driver = new LocalCloudFormation(options, dir);
    driver.api = await CloudFormationApi.start(
      {
        find: (region, nameOrId) =>
          nameOrId.startsWith('arn:')
            ? driver.known.find((s) => s.stackId === nameOrId && s.region === region)
            : [...driver.known].reverse().find((s) => s.name === nameOrId && s.region === region && s.status !== 'DELETE_COMPLETE'),
        running: (region) => driver.known.filter((s) => s.region === region && s.status !== 'DELETE_COMPLETE'),
        identity: (accessKeyId) => driver.identity(accessKeyId),
      },
    );
    driver.responses = await ResponseServer.start(dir, {
      knows: (requestId) => driver.pending.has(requestId),
      receive: (requestId, delivery, body) => driver.receive(driver.pending.get(requestId)!, delivery, body),
    });
    return driver;
  }

  /** Every delivery of every event, in the order the deliveries ended. */
  readonly events: EventRecord[] = [];
  /** Every event CloudFormation sent, in order. */
  readonly sent: SentEvent[] = [];
  /** Answers that came after CloudFormation had taken one for the same RequestId; it ignored them. */
  readonly lateResponses: EventRecord[] = [];
  /** Every status change of every stack and resource, oldest first. */
  readonly stackEvents: StackEvent[] = [];
  /** Responses that broke the custom resource contract. */
  readonly violations: string[] = [];
  private readonly stacks = new Map<string, LiveStack>();
  /** Every stack ever created, deleted ones included, oldest first. */
  private readonly known: LiveStack[] = [];
  private lastTick = 0;
  /** Each function's access key, to its ARN. */
  private readonly callers = new Map<string, string>();
  /** The users `addUser` added, by access key. */
  private readonly users = new Map<string, Identity>();
  private readonly pending = new Map<string, Pending>();
  private readonly timers = new Timers();
  private readonly lambda: LambdaService;
  private responses!: ResponseServer;
  /**
   * CloudFormation's API (query protocol) over these stacks, for the handler's look-ups: its
   * `env()` is in every execution environment; tests seed faults with `api.failNext(...)` and count
   * calls with `api.calls(...)` or `api.requests`.
   */
  api!: CloudFormationApi;

  private constructor(private readonly options: DriverOptions, private readonly dir: string) {
    this.lambda = new LambdaService(options, this.timers, this.events, () => ({
      NODE_EXTRA_CA_CERTS: this.responses.caFile,
      LOCAL_RESPONSE_PORT: String(this.responses.port),
      ...this.options.endpoint.env(),
      ...this.api.env(),
    }));
  }

  /** What the execution environments printed, newest last. */
  get logs(): string[] {
    return this.lambda.logs;
  }

  /** The response URL answers the next `count` PUTs with HTTP 500, as a failing S3 would. */
  refuseNextResponses(count: number): void {
    this.responses.refuseNext(count);
  }

  /**
   * The response URL of a request CloudFormation sent, presigned as if issued at `issued` (a URL
   * issued more than 7,200 s ago has expired), so tests can exercise the signature check.
   */
  presignResponseUrl(requestId: string, issued: Date): string {
    const sent = this.sent.find((s) => s.requestId === requestId);
    if (!sent) throw new Error(`CloudFormation sent no request ${requestId}`);
    const region = String(sent.event.StackId).split(':')[3];
    return this.responses.url({ stackId: String(sent.event.StackId), logicalId: sent.logicalId, requestId, region, issued });
  }

  /** Every request that reached a response URL (method, delivery label, HTTP status), oldest first. */
  get responseRequests(): readonly ResponseRequest[] {
    return this.responses.requests;
  }

  /** Events CloudFormation sent and never got an answer for. */
  unanswered(): SentEvent[] {
    return this.sent.filter((s) => !this.pending.get(s.requestId)?.outcome);
  }

  /** Waits until every delivery, retry and duplicate still running or scheduled has ended. */
  settled(): Promise<void> {
    return this.lambda.settled();
  }

  /** The credentials Lambda gives the function (its execution role's), for calling the local APIs as it would. */
  credentialsOf(functionArn: string): { accessKeyId: string; secretAccessKey: string; sessionToken: string } {
    return roleCredentials(functionArn);
  }

  /** The IDs of the execution environments (processes) a function has, busy or idle. */
  environmentsOf(functionArn: string): number[] {
    return this.lambda.environmentsOf(functionArn);
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
    // Cross-stack values must exist before anything changes, as CloudFormation checks them first.
    checkCrossStackReferences(stackName, region, template, this);
    const stack: LiveStack = existing ?? this.newStack(stackName, region, template);
    const before = this.events.length;
    const previous = { template: stack.template, parameters: stack.parameters, functions: new Map(stack.functions) };
    this.status(stack, existing ? 'UPDATE_IN_PROGRESS' : 'CREATE_IN_PROGRESS');
    stack.template = template;
    stack.parameters = { ...defaults(template), ...parameters };
    for (const [id, r] of Object.entries(template.Resources)) {
      if (r.Type !== 'AWS::Lambda::Function') continue;
      const key = String((r.Properties?.Code as { S3Key?: string })?.S3Key ?? '');
      const dir = assets.get(key);
      const arn = functionArn(stack, id);
      // Source: CloudFormation's default Lambda Timeout is 3 seconds.
      const role = (r.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
      const credentials = roleCredentials(arn);
      this.callers.set(credentials.accessKeyId, arn);
      if (dir) stack.functions.set(arn, { arn, dir, handler: String(r.Properties?.Handler ?? ''), region: stack.region, timeoutMs: Number(r.Properties?.Timeout ?? 3) * 1000, role, credentials });
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
      // Cleanup: resources the new template dropped, and the old side of every replacement. The
      // replaced resource's record keeps its new physical ID meanwhile.
      if (existing) this.status(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
      const replaced = done.filter((d) => d.before && d.before.physicalId !== stack.resources.get(d.id)?.physicalId);
      await Promise.all(
        replaced.map(async (d) => {
          // Source: CloudFormation guide, "UpdateReplacePolicy attribute": with Retain the old physical
          // resource of a replacement is kept, and only leaves the stack's scope.
          if (template.Resources[d.id]?.UpdateReplacePolicy === 'Retain') return this.skipped(stack, d.id, d.before!.physicalId);
          await this.remove(stack, d.id, d.before!, 'cleanup', failures, false);
        }),
      );
      for (const id of [...stack.resources.keys()].filter((id) => !(id in template.Resources)).reverse()) {
        const live = stack.resources.get(id)!;
        // Source: CloudFormation guide, "DeletionPolicy attribute": the policy also applies to a stack
        // update that removes the resource from the template.
        if (live.deletionPolicy === 'Retain') this.mark(stack, id, 'DELETE_SKIPPED', live.physicalId);
        else await this.remove(stack, id, live, 'cleanup', failures);
        stack.resources.delete(id);
        stack.records.delete(id);
      }
      for (const arn of [...stack.functions.keys()]) if (!arnInTemplate(stack, arn)) stack.functions.delete(arn);
      return this.result(stack, existing ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE', before, failures);
    }

    // Rollback, newest first: undo in-place updates, delete what this deploy created or replaced.
    // Sources: cloudcomponents/cdk-constructs#140, aws/aws-cdk#17040 (the swapped properties).
    this.status(stack, existing ? 'UPDATE_ROLLBACK_IN_PROGRESS' : 'ROLLBACK_IN_PROGRESS');
    let rollbackOk = true;
    const oldSides: { id: string; live: Live }[] = [];
    for (const d of [...done].reverse()) {
      const now = stack.resources.get(d.id);
      if (!now) continue;
      if (d.before && d.before.physicalId === now.physicalId && isCustom(now.type)) {
        this.mark(stack, d.id, 'UPDATE_IN_PROGRESS', now.physicalId);
        const outcome = await this.event(stack, d.id, 'Update', 'rollback', d.before.properties, now.physicalId, d.attempted ?? now.properties);
        if (outcome.status !== 'SUCCESS') {
          this.mark(stack, d.id, 'UPDATE_FAILED', now.physicalId, outcome.reason);
          failures.push({ stack: stack.name, logicalId: d.id, requestType: 'Update', phase: 'rollback', reason: outcome.reason ?? '' });
          rollbackOk = false;
          break;
        }
        // A new physical ID answered during rollback is a replacement too: the old side goes in
        // the rollback's cleanup. Not documented; inferred from the replacement rule.
        if (outcome.physicalId && outcome.physicalId !== now.physicalId) oldSides.push({ id: d.id, live: { ...now, properties: d.attempted ?? now.properties } });
        stack.resources.set(d.id, { ...d.before, physicalId: outcome.physicalId ?? now.physicalId, attributes: outcome.data ?? d.before.attributes });
        this.mark(stack, d.id, 'UPDATE_COMPLETE', outcome.physicalId ?? now.physicalId);
      } else {
        // The new side of a replacement (or an update of a resource this engine only records) goes
        // back to the old one; a resource this deploy created is deleted and leaves the stack.
        if (!(await this.remove(stack, d.id, now, 'rollback', failures, !d.before))) {
          rollbackOk = false;
          break;
        }
        if (d.before) {
          stack.resources.set(d.id, d.before);
          this.mark(stack, d.id, 'UPDATE_COMPLETE', d.before.physicalId);
        } else {
          stack.resources.delete(d.id);
          stack.records.delete(d.id);
        }
      }
    }
    if (rollbackOk) {
      if (existing && oldSides.length > 0) this.status(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
      await Promise.all(oldSides.map((o) => this.remove(stack, o.id, o.live, 'rollback-cleanup', failures, false)));
      // What failed before anything was made (a Create that answered no physical ID) leaves too.
      for (const id of [...stack.records.keys()]) if (!stack.resources.has(id)) stack.records.delete(id);
    }
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
    this.status(stack, 'DELETE_IN_PROGRESS');
    for (const layer of layers(stack.template).reverse()) {
      const outcomes = await Promise.all(
        layer.map(async (id) => {
          const live = stack.resources.get(id);
          if (!live) return true;
          // Source: CloudFormation guide, "DeletionPolicy attribute": a retained resource is skipped (DELETE_SKIPPED).
          if (live.deletionPolicy === 'Retain') {
            this.mark(stack, id, 'DELETE_SKIPPED', live.physicalId);
            return true;
          }
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

  /**
   * A resource's status as DescribeStackResource gives it: its physical ID (none while its Create
   * runs), ResourceStatus and LastUpdatedTimestamp. Undefined once it has left the stack.
   */
  resourceStatus(stackName: string, logicalId: string): ResourceRecord | undefined {
    return this.stacks.get(stackName)?.records.get(logicalId);
  }

  /** A stack's status, the latest one of that name (a deleted one included). */
  stackStatus(stackName: string): CurrentStackStatus | undefined {
    return [...this.known].reverse().find((s) => s.name === stackName)?.status;
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
    this.timers.clear();
    for (const pending of this.pending.values()) if (!pending.outcome) pending.decide();
    // Wait for every process to be gone, so nothing of this driver outlives stop().
    await this.lambda.stop();
    await this.responses.stop();
    await this.api.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
  /** Creates or updates one resource; records what it was before. */
  private async apply(stack: LiveStack, id: string, done: Done[], failures: ResourceFailure[]): Promise<boolean> {
    const spec = stack.template.Resources[id];
    const properties = this.resolve(spec.Properties ?? {}, stack) as Record<string, Json>;
    // Intrinsic functions in a resource's Metadata are resolved as in its properties, and
    // DescribeStackResource answers the result. Source: CloudFormation Template Reference, "Metadata
    // attribute" and "Intrinsic function reference" (intrinsic functions may be used "in resource
    // properties, outputs, metadata attributes, and update policy attributes").
    const metadata = spec.Metadata === undefined ? undefined : (this.resolve(spec.Metadata, stack) as Record<string, Json>);
    const before = stack.resources.get(id);
    if (before && JSON.stringify(before.properties) === JSON.stringify(properties)) {
      before.metadata = metadata;
      // A change of the DeletionPolicy alone updates the stack's template, not the resource.
      before.deletionPolicy = spec.DeletionPolicy;
      return true;
    }
    this.mark(stack, id, before ? 'UPDATE_IN_PROGRESS' : 'CREATE_IN_PROGRESS', before?.physicalId);
    if (!isCustom(spec.Type)) {
      const live = await this.native(stack, id, spec.Type, properties, before);
      live.deletionPolicy = spec.DeletionPolicy;
      live.metadata = metadata;
      stack.resources.set(id, live);
      this.mark(stack, id, before ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE', live.physicalId);
      done.push({ id, before });
      return true;
    }
    const fail = (requestType: RequestType, reason: string, physicalId?: string) => {
      this.mark(stack, id, before ? 'UPDATE_FAILED' : 'CREATE_FAILED', physicalId, reason);
      failures.push({ stack: stack.name, logicalId: id, requestType, phase: 'deploy', reason });
      return false;
    };
    if (before && String(before.properties.ServiceToken) !== String(properties.ServiceToken)) {
      // Refused before any event is sent, so nothing needs undoing for this resource.
      return fail('Update', SERVICE_TOKEN_REASON, before.physicalId);
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
      return fail(before ? 'Update' : 'Create', outcome.reason ?? '', before?.physicalId ?? outcome.physicalId);
    }
    stack.resources.set(id, { type: spec.Type, physicalId: outcome.physicalId!, properties, attributes: outcome.data ?? {}, deletionPolicy: spec.DeletionPolicy, metadata });
    this.mark(stack, id, before ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE', outcome.physicalId);
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

  /**
   * Deletes one resource. `tracked`: whether the resource's record follows the Delete; the old
   * side of a replacement is deleted while the record shows the new side.
   */
  private async remove(stack: LiveStack, id: string, live: Live, phase: Phase, failures: ResourceFailure[], tracked = true): Promise<boolean> {
    if (tracked) this.mark(stack, id, 'DELETE_IN_PROGRESS', live.physicalId);
    if (isCustom(live.type)) {
      const outcome = await this.event(stack, id, 'Delete', phase, live.properties, live.physicalId);
      if (outcome.status === 'SUCCESS') {
        if (tracked) this.mark(stack, id, 'DELETE_COMPLETE', live.physicalId);
        return true;
      }
      if (tracked) this.mark(stack, id, 'DELETE_FAILED', live.physicalId, outcome.reason);
      failures.push({ stack: stack.name, logicalId: id, requestType: 'Delete', phase, reason: outcome.reason ?? '' });
      return false;
    }
    if (live.type === 'AWS::Chime::VoiceConnector') {
      await this.chime(stack).send(new DeleteVoiceConnectorCommand({ VoiceConnectorId: live.physicalId }));
    }
    if (tracked) this.mark(stack, id, 'DELETE_COMPLETE', live.physicalId);
    return true;
  }

  /**
   * An IAM user of the account whose identity-based policy is `statements` (as in a policy
   * document), for calling the API as someone allowed only that; returns the user's access key.
   */
  addUser(name: string, statements: Statement[]): { accessKeyId: string; secretAccessKey: string } {
    const accessKeyId = `AKIA${createHash('sha256').update(`user/${name}`).digest('hex').slice(0, 16).toUpperCase()}`;
    const secretAccessKey = createHash('sha256').update(`secret/${name}`).digest('hex').slice(0, 40);
    this.users.set(accessKeyId, { secretAccessKey, arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, allows: (action, resource) => allows(statements, action, resource) });
    return { accessKeyId, secretAccessKey };
  }

  /**
   * Who signs with an access key: the tests' own caller (allowed everything), a user added with
   * `addUser`, or a function's execution role, allowed what the role's policies in the function's
   * stack allow now.
   */
  private identity(accessKeyId: string): Identity | undefined {
    if (accessKeyId === LOCAL_CREDENTIALS.accessKeyId) return { secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey, arn: `arn:aws:iam::${ACCOUNT}:user/local-tests` };
    const user = this.users.get(accessKeyId);
    if (user) return user;
    const arn = this.callers.get(accessKeyId);
    const stack = arn && [...this.stacks.values()].find((s) => s.functions.has(arn));
    if (!arn || !stack) return undefined;
    const fn = stack.functions.get(arn)!;
    const roleName = fn.role ? (stack.resources.get(fn.role)?.physicalId ?? fn.role) : 'unknown-role';
    return {
      secretAccessKey: fn.credentials.secretAccessKey,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/${arn.split(':').pop()}`,
      allows: (action, resource) => allows(fn.role ? roleStatements(stack.template, fn.role, (v) => this.resolve(v, stack)) : [], action, resource),
    };
  }

  /** A stack as it is first created; every stack ever created stays known (the API finds deleted ones by ID). */
  private newStack(name: string, region: string, template: Template): LiveStack {
    const at = this.clock();
    const stack: LiveStack = {
      name,
      region,
      stackId: `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/${name}/${randomUUID()}`,
      template,
      parameters: {},
      resources: new Map(),
      functions: new Map(),
      outputs: {},
      exports: {},
      status: 'CREATE_IN_PROGRESS',
      created: at,
      updated: at,
      records: new Map(),
    };
    // A stack left in ROLLBACK_COMPLETE cannot be updated; the CDK CLI deletes it and creates it
    // again (source: aws-cdk's deploy-stack, "stack is in ROLLBACK_COMPLETE state").
    for (const old of this.known) if (old.name === name && old.region === region && old.status === 'ROLLBACK_COMPLETE') this.status(old, 'DELETE_COMPLETE');
    this.known.push(stack);
    return stack;
  }

  /** Moves the stack to a status, now. */
  private status(stack: LiveStack, status: CurrentStackStatus): void {
    stack.status = status;
    stack.updated = this.clock();
    this.stackEvents.push({ stack: stack.name, logicalId: stack.name, type: 'AWS::CloudFormation::Stack', physicalId: stack.stackId, status, at: stack.updated });
  }

  /**
   * Moves a resource's record to a status, now: the record DescribeStackResource answers with.
   * Source: CloudFormation API reference, StackResourceDetail (ResourceStatus, LastUpdatedTimestamp).
   */
  /** The old side of a replacement kept by its UpdateReplacePolicy: an event for it, while the record shows the new side. */
  private skipped(stack: LiveStack, id: string, physicalId: string): void {
    const type = stack.resources.get(id)?.type ?? 'Custom::Resource';
    this.stackEvents.push({ stack: stack.name, logicalId: id, type, physicalId, status: 'DELETE_SKIPPED', at: this.clock() });
  }

  private mark(stack: LiveStack, id: string, status: ResourceStatus, physicalId?: string, reason?: string): void {
    const type = stack.resources.get(id)?.type ?? stack.template.Resources[id]?.Type ?? stack.records.get(id)?.type ?? 'Custom::Resource';
    const record: ResourceRecord = { logicalId: id, type, physicalId: physicalId ?? stack.records.get(id)?.physicalId, status, updated: this.clock(), ...(reason ? { reason } : {}) };
    stack.records.set(id, record);
    this.stackEvents.push({ stack: stack.name, logicalId: id, type, physicalId: record.physicalId, status, at: record.updated, ...(reason ? { reason } : {}) });
  }

  /** Now, in ms, and never the same instant twice, so each status change is later than the one before. */
  private clock(): Date {
    this.lastTick = Math.max(Date.now(), this.lastTick + 1);
    return new Date(this.lastTick);
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
    const issued = this.clock();
    const serviceToken = String(properties.ServiceToken);
    const fn = stack.functions.get(serviceToken);
    if (!fn) throw new Error(`${stack.name}/${logicalId}: no function for ServiceToken ${serviceToken}`);
    const event: Record<string, unknown> = {
      RequestType: requestType,
      ServiceToken: serviceToken,
      ResponseURL: this.responses.url({ stackId: stack.stackId, logicalId, requestId, region: stack.region, issued }),
      StackId: stack.stackId,
      RequestId: requestId,
      LogicalResourceId: logicalId,
      ResourceType: stack.template.Resources[logicalId]?.Type ?? 'Custom::Resource',
      ResourceProperties: asCloudFormationSends(properties),
      ...(physicalId !== undefined ? { PhysicalResourceId: physicalId } : {}),
      ...(oldProperties ? { OldResourceProperties: asCloudFormationSends(oldProperties) } : {}),
    };
    const sent: SentEvent = { stack: stack.name, logicalId, requestType, phase, requestId, issued, event };
    this.sent.push(sent);
    // Source: AWS::CloudFormation::CustomResource reference, ServiceTimeout (default 3,600 s).
    const limit = Math.min(Number(properties.ServiceTimeout ?? 3600) * 1000, this.options.responseTimeoutMs ?? 120_000);
    let timer: NodeJS.Timeout | undefined;
    const outcome = await new Promise<Outcome | undefined>((decide) => {
      const pending: Pending = { sent, fn, started: Date.now(), deliveries: 0, chains: 0, answered: new Set(), causes: new Map(), decide };
      this.pending.set(requestId, pending);
      timer = this.timers.later(limit, () => decide(undefined));
      this.lambda.deliver(pending);
    });
    this.timers.cancel(timer!);
    return outcome ?? { status: 'FAILED', reason: NO_RESPONSE_REASON };
  }


  /** An answer arrived on the response URL: the first one for a RequestId decides, later ones are kept. */
  private receive(pending: Pending, delivery: number, body: string): void {
    const { stack, logicalId, requestType } = pending.sent;
    this.violations.push(...contractProblems(pending.sent.event, body).map((p) => `${stack}/${logicalId} ${requestType}: ${p}`));
    const taken = !pending.outcome;
    const v = verdict(body);
    const own = v.answer;
    const record: EventRecord = {
      ...recordBase(pending, delivery, pending.causes.get(delivery) ?? 'event'),
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

  private result(stack: LiveStack, status: StackStatus, from: number, failures: ResourceFailure[]): DeployResult {
    this.status(stack, status);
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

  stackOutput(consumer: string, region: string, arg: Json): string {
    const { StackName, Region, OutputName } = arg as { StackName: string; Region?: string; OutputName: string };
    const producer = this.producer(consumer, StackName, Region ?? region);
    const value = producer.outputs[OutputName];
    if (value === undefined) throw new Error(`${consumer}: Fn::GetStackOutput refers to output ${OutputName} of stack ${StackName}, which has no such output`);
    return value;
  }

  importValue(consumer: string, region: string, name: string): string {
    const found = [...this.stacks.values()].find((s) => s.region === region && name in s.exports);
    if (!found) throw new Error(`${consumer}: Fn::ImportValue refers to export ${name}, which no deployed stack in ${region} exports`);
    return found.exports[name];
  }

  private resolve(value: Json | undefined, stack: LiveStack): Json {
    return resolve(value, stack, this);
  }
}
