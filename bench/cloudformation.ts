import { CloudFormationApi } from '../local/cloudformation/api';
import type { LiveStack, ResourceRecord } from '../local/cloudformation/model';
import { ResponseServer } from '../local/cloudformation/responses';

/**
 * What the speed runs need of CloudFormation, on 127.0.0.1 only: it issues Create requests (a
 * presigned-style ResponseURL with `X-Amz-Date`, the issue time, and a resource record in
 * `CREATE_IN_PROGRESS`), takes the answer PUT to that URL (the project's `ResponseServer`, HTTPS with
 * a self-signed certificate) and from then on records `CREATE_COMPLETE` with the answer's physical ID,
 * which `DescribeStackResource` answers (the project's `CloudFormationApi`, the query protocol the
 * SDK speaks, SigV4 checked). No stack engine: one stack per runner process, one resource per event.
 * The record moves as soon as the PUT arrives, so a handler's look-up after answering finds it
 * recorded at once; real CloudFormation may take longer (see the README).
 */
export class BenchCloudFormation {
  static async start(dir: string, credentials: { accessKeyId: string; secretAccessKey: string }): Promise<BenchCloudFormation> {
    const cfn = new BenchCloudFormation();
    cfn.api = await CloudFormationApi.start({
      find: (_region, nameOrId) => cfn.stacks.get(nameOrId),
      running: () => [...cfn.stacks.values()],
      identity: (key) => (key === credentials.accessKeyId ? { secretAccessKey: credentials.secretAccessKey, arn: 'arn:aws:iam::123456789012:user/bench' } : undefined),
    });
    cfn.responses = await ResponseServer.start(dir, {
      knows: (requestId) => cfn.pending.has(requestId),
      receive: (requestId, _delivery, body) => cfn.receive(requestId, body),
    });
    return cfn;
  }

  private api!: CloudFormationApi;
  private responses!: ResponseServer;
  private readonly stacks = new Map<string, LiveStack>();
  /** Requests issued and not yet answered: RequestId to stack ID and logical ID. */
  private readonly pending = new Map<string, { stackId: string; logicalId: string }>();
  /** The answers received, by RequestId: the PUT's body as parsed JSON. */
  private readonly answers = new Map<string, Record<string, unknown>>();

  /** The variables a runner needs: CloudFormation's endpoint, and trust in the response server's certificate. */
  env(): Record<string, string> {
    return { ...this.api.env(), NODE_EXTRA_CA_CERTS: this.responses.caFile };
  }

  /** DescribeStackResource calls received so far (all, faulted or not: none are injected here). */
  get describeCalls(): number {
    return this.api.requests.filter((r) => r.action === 'DescribeStackResource').length;
  }

  /** PUTs received on response URLs, whatever their status. */
  get puts(): number {
    return this.responses.requests.filter((r) => r.method === 'PUT').length;
  }

  /** Issues a Create request: the resource is recorded CREATE_IN_PROGRESS now; returns its ResponseURL. */
  issue(stackId: string, logicalId: string, requestId: string, region: string): string {
    let stack = this.stacks.get(stackId);
    if (!stack) {
      stack = { name: stackId.split('/')[1], stackId, region, records: new Map<string, ResourceRecord>(), resources: new Map(), template: { Resources: {} } } as unknown as LiveStack;
      this.stacks.set(stackId, stack);
    }
    const issued = new Date();
    stack.records.set(logicalId, { logicalId, type: 'Custom::VoiceConnectorGroup', status: 'CREATE_IN_PROGRESS', updated: issued });
    this.pending.set(requestId, { stackId, logicalId });
    return this.responses.url({ stackId, logicalId, requestId, region, issued });
  }

  /** Takes the answer PUT for a request, once it has come; the resource record then says what it said. */
  takeAnswer(requestId: string): Record<string, unknown> | undefined {
    const answer = this.answers.get(requestId);
    this.answers.delete(requestId);
    return answer;
  }

  /** Forgets a runner's stack, so that records do not pile up over the runs. */
  forget(stackId: string): void {
    this.stacks.delete(stackId);
  }

  private receive(requestId: string, body: string): void {
    const target = this.pending.get(requestId)!;
    this.pending.delete(requestId);
    const answer = JSON.parse(body) as Record<string, unknown>;
    this.answers.set(requestId, answer);
    const ok = answer.Status === 'SUCCESS';
    const physicalId = typeof answer.PhysicalResourceId === 'string' ? answer.PhysicalResourceId : undefined;
    this.stacks.get(target.stackId)?.records.set(target.logicalId, { logicalId: target.logicalId, type: 'Custom::VoiceConnectorGroup', status: ok ? 'CREATE_COMPLETE' : 'CREATE_FAILED', physicalId, updated: new Date() });
  }

  async stop(): Promise<void> {
    await this.responses.stop();
    await this.api.stop();
  }
}
