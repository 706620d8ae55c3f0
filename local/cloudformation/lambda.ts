import { ChildProcess, fork } from 'child_process';
import { createHash } from 'crypto';
import * as path from 'path';
import { seeded } from '../endpoint';
import { NODE22 } from '../node22';
import type { DriverOptions, EventRecord, LambdaFunction, Outcome, SentEvent } from './model';

/**
 * The Lambda service as CloudFormation's custom resources meet it: asynchronous invocation in
 * execution environments of the function's own (warm between invocations, a limited number at
 * once), retries after function errors, at-least-once duplicates, and the function timeout.
 */

/** Source: AWS Lambda guide, "Asynchronous invocation": 2 retries, about 1 then 2 minutes apart. */
const LAMBDA_RETRY_DELAYS_MS = [60_000, 120_000];
/** The credentials of the tests' own caller (and of the driver's calls to the Chime endpoint): allowed every action. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'AKIALOCALENDPOINT', secretAccessKey: 'local-endpoint-secret' };

/** Temporary credentials for a function's execution role, the same on every run for the same function. */
export function roleCredentials(functionArn: string): LambdaFunction['credentials'] {
  const digest = createHash('sha256').update(functionArn).digest('hex');
  return { accessKeyId: `ASIA${digest.slice(0, 16).toUpperCase()}`, secretAccessKey: digest.slice(16, 56), sessionToken: `local-session-${digest.slice(56)}` };
}

/** An event waiting for its first answer. */
export interface Pending {
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

/** The fields of a delivery's record that the event and the delivery decide. */
export function recordBase(pending: Pending, delivery: number, cause: EventRecord['cause']) {
  const { stack, logicalId, requestType, phase, requestId } = pending.sent;
  return { stack, logicalId, requestType, phase, requestId, delivery, cause };
}

/** One Lambda execution environment: a process that runs one invocation at a time. */
interface Environment {
  readonly child: ChildProcess;
  busy: boolean;
  retired?: boolean;
  /** Settles the running invocation: undefined on success, else how it failed. */
  settle?: (error?: string) => void;
}

/** Timers that stop() can clear all at once. */
export class Timers {
  private readonly timers = new Set<NodeJS.Timeout>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.later(ms, resolve));
  }

  cancel(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  later(ms: number, run: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

export class LambdaService {
  /** What the execution environments printed, newest last. */
  readonly logs: string[] = [];
  private readonly environments = new Map<string, Environment[]>();
  /** Invocations waiting for a free environment of their function. */
  private readonly queued = new Map<string, (() => void)[]>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Every execution environment process that has not exited yet. */
  private readonly children = new Set<ChildProcess>();
  private readonly duplicateChance: () => number;
  private stopped = false;

  /**
   * @param events where each delivery that ends without an answer is recorded
   * @param environment the variables every execution environment gets besides AWS_REGION
   */
  constructor(
    private readonly options: DriverOptions,
    private readonly timers: Timers,
    private readonly events: EventRecord[],
    private readonly environment: () => Record<string, string>,
  ) {
    this.duplicateChance = seeded(options.duplicates?.seed ?? 1);
  }

  /** Waits until every delivery, retry and duplicate still running or scheduled has ended. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** The IDs of the execution environments (processes) a function has, busy or idle. */
  environmentsOf(functionArn: string): number[] {
    return (this.environments.get(functionArn) ?? []).map((e) => e.child.pid!);
  }

  /** Hands the event to Lambda: one delivery, perhaps a duplicate, each retried on function errors. */
  deliver(pending: Pending): void {
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
      track(this.timers.sleep(duplicates.afterMs ?? 0).then(() => this.deliverWithRetries(pending, 'duplicate')));
    }
  }

  /** Kills every execution environment and waits until their processes are gone. */
  async stop(): Promise<void> {
    this.stopped = true;
    const exits = [...this.children].map((child) => new Promise((resolve) => child.once('exit', resolve)));
    for (const child of this.children) child.kill('SIGKILL');
    await Promise.all(exits);
  }

  /** Source: AWS Lambda guide, "Asynchronous invocation": a function error is retried with the same event. */
  private async deliverWithRetries(pending: Pending, cause: 'event' | 'duplicate'): Promise<void> {
    const delays = this.options.retryDelaysMs ?? LAMBDA_RETRY_DELAYS_MS;
    for (let attempt = 0; !this.stopped; attempt++) {
      const error = await this.invoke(pending, attempt === 0 ? cause : 'retry');
      if (error === undefined || attempt >= delays.length) return;
      await this.timers.sleep(delays[attempt]);
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
      timer = this.timers.later(timeoutMs, () => {
        settle(`Task timed out after ${timeoutMs} ms`);
        this.retire(pending.fn, env);
      });
      env.child.send({ id: `${pending.sent.requestId}#${delivery}`, event: pending.sent.event, timeoutMs }, (err) => {
        if (err) settle(`invoke failed: ${err.message}`);
      });
    });
    this.timers.cancel(timer!);
    env.settle = undefined;
    if (!env.retired) {
      env.busy = false;
      this.wake(pending.fn);
    }
    if (!pending.answered.has(delivery)) {
      this.events.push({ ...recordBase(pending, delivery, cause), status: 'UNANSWERED', taken: false, error: error ?? 'returned without an answer', ms: Date.now() - started });
    }
    return error;
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
    const child = fork(path.join(__dirname, '..', 'lambda-host.js'), [], {
      execPath: NODE22,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // A clean environment: the handler sees dummy credentials and local endpoints, nothing else.
      env: {
        PATH: process.env.PATH ?? '',
        AWS_REGION: fn.region,
        // Source: AWS Lambda guide, "Defined runtime environment variables".
        _HANDLER: fn.handler,
        LAMBDA_TASK_ROOT: fn.dir,
        // The execution role's own credentials, so the local APIs can tell functions apart.
        AWS_ACCESS_KEY_ID: fn.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: fn.credentials.secretAccessKey,
        AWS_SESSION_TOKEN: fn.credentials.sessionToken,
        AWS_EC2_METADATA_DISABLED: 'true',
        ...this.environment(),
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
}
