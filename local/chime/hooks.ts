import { ChimeModel, Connector, Group, Item, PhoneNumber, PhoneNumberProductType } from './models';
import { Operation } from './responses';
import { ErrorCode, Namespace } from './rules';
import { ChimeServer, GROUP_OPERATIONS, LoggedRequest } from './server';

/**
 * A local, Chime-compatible HTTP endpoint on 127.0.0.1 for the voice connector group REST protocol
 * of both namespaces. The real AWS SDK talks to it through the standard endpoint variables (see
 * `env()`); each namespace is served under its own path prefix, and the Region is read from the
 * SigV4 credential scope, so groups live per namespace and Region.
 *
 * This class is what tests hold: the hooks that seed and inspect the model's state, the controls of
 * the server's faults and latency, and the knobs of the model (quota, read-after-create lag). The
 * API surface itself is the HTTP server; none of these hooks applies the API's rules or its lag.
 */

export interface EndpointOptions {
  /**
   * The account's quota of voice connector groups, counted across every Region and both namespaces.
   * @default 3, the real default ("Voice Connector groups: 3" per account, AWS General Reference)
   */
  readonly groupQuota?: number;
  /**
   * How long a group made through the API stays invisible to the API (NotFound, left out of lists).
   * @default 0, so that the endpoint's own tests see their groups at once
   */
  readonly readAfterCreateLagMs?: number;
  /** The clock the lag is measured with, in milliseconds; tests may pass their own. @default Date.now */
  readonly clock?: () => number;
  /** Seed for fraction faults, so a run is repeatable. @default 1 */
  readonly seed?: number;
}

export class ChimeEndpoint {
  /** Starts an endpoint on a free port of 127.0.0.1. */
  static async start(options: EndpointOptions = {}): Promise<ChimeEndpoint> {
    const endpoint = new ChimeEndpoint(options);
    await endpoint.server.listen();
    return endpoint;
  }

  private readonly model: ChimeModel;
  private readonly server: ChimeServer;

  private constructor(options: EndpointOptions) {
    this.model = new ChimeModel(options);
    this.server = new ChimeServer(this.model, options.seed ?? 1);
  }

  // ---- The server ----

  get url(): string {
    return this.server.url;
  }

  /** The standard SDK endpoint variables that point both namespaces here. */
  env(): Record<string, string> {
    return { AWS_ENDPOINT_URL_CHIME: `${this.url}/chime`, AWS_ENDPOINT_URL_CHIME_SDK_VOICE: `${this.url}/chime-sdk-voice` };
  }

  /** Every request that reached the endpoint, in order. */
  get requests(): LoggedRequest[] {
    return this.server.requests;
  }

  /** Added before every answer. */
  get latencyMs(): number {
    return this.server.latencyMs;
  }
  set latencyMs(ms: number) {
    this.server.latencyMs = ms;
  }

  /** How many requests reached an operation; `answered` counts only those the API's rules decided. */
  calls(operation: Operation, which: 'all' | 'answered' = 'answered'): number {
    return this.requests.filter((r) => r.operation === operation && (which === 'all' || !r.faulted)).length;
  }

  /** Answers the next `count` matching requests with `error`. */
  failNext(count: number, error: ErrorCode, operations: readonly Operation[] = GROUP_OPERATIONS): void {
    this.server.addFault({ operations, error, remaining: count });
  }

  /** Answers each matching request with `error` with probability `fraction`, until cleared. */
  failFraction(fraction: number, error: ErrorCode, operations: readonly Operation[] = GROUP_OPERATIONS): void {
    this.server.addFault({ operations, error, fraction });
  }

  /** Closes the connection without an answer for the next `count` matching requests. */
  dropNext(count: number, operations: readonly Operation[] = GROUP_OPERATIONS): void {
    this.server.addFault({ operations, drop: 'before', remaining: count });
  }

  /**
   * Lets the next `count` matching requests take effect, then closes the connection before the
   * answer: the caller cannot tell, and the SDK retries a POST that already made its group.
   */
  commitThenDropNext(count: number, operations: readonly Operation[] = GROUP_OPERATIONS): void {
    this.server.addFault({ operations, drop: 'commit', remaining: count });
  }

  /** Lets the next `count` matching requests take effect at once but answers each `delayMs` later. */
  delayNext(count: number, delayMs: number, operations: readonly Operation[] = GROUP_OPERATIONS): void {
    this.server.addFault({ operations, delayMs, remaining: count });
  }

  /**
   * Lets the next `count` matching requests take effect only `delayMs` after they arrive, then
   * answers them: a caller that gave up waiting cannot tell whether, or when, the call took effect.
   */
  delayEffectNext(count: number, delayMs: number, operations: readonly Operation[] = GROUP_OPERATIONS): void {
    this.server.addFault({ operations, effectAfterMs: delayMs, remaining: count });
  }

  clearFaults(): void {
    this.server.clearFaults();
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  // ---- The model's knobs ----

  /** The account's quota of voice connector groups, across every Region and both namespaces. */
  get groupQuota(): number {
    return this.model.groupQuota;
  }
  set groupQuota(quota: number) {
    this.model.groupQuota = quota;
  }

  /**
   * How long a group made through the API stays invisible to the API after its creation; read at
   * every request, so setting it applies at once to every group made through the API.
   */
  get readAfterCreateLagMs(): number {
    return this.model.readAfterCreateLagMs;
  }
  set readAfterCreateLagMs(ms: number) {
    this.model.readAfterCreateLagMs = ms;
  }

  // ---- Seeding and inspection: the truth, without the API's rules or its lag ----

  /** Every group of the account by ID, whether or not the API sees it yet. */
  get groups(): Map<string, Group> {
    return this.model.groups;
  }

  get connectors(): Map<string, Connector> {
    return this.model.connectors;
  }

  /** The account's phone number inventory, by E.164 number; one account serves both namespaces and every Region. */
  get phoneNumbers(): Map<string, PhoneNumber> {
    return this.model.phoneNumbers;
  }

  /** Whether the API sees a group yet: it exists and its read-after-create lag has passed. */
  isVisible(groupId: string): boolean {
    return this.model.isVisible(groupId);
  }

  /** Adds an existing voice connector in a Region and returns its ID. */
  addConnector(region: string, name?: string): string {
    return this.model.addConnector(region, name);
  }

  /** Adds a group as if it had been created through the API long ago (visible at once, whatever the lag), and returns its ID. */
  addGroup(namespace: Namespace, region: string, name: string, items: Item[] = []): string {
    return this.model.addGroup(namespace, region, name, items);
  }

  /** Adds numbers to the account's inventory, unassociated (status Unassigned). */
  addPhoneNumbers(numbers: string[], options: { productType?: PhoneNumberProductType } = {}): void {
    this.model.addPhoneNumbers(numbers, options);
  }

  /**
   * Associates phone numbers with a group as if done outside CloudFormation, moving them from
   * wherever they were. Numbers not yet in the inventory are added as VoiceConnector numbers.
   */
  associatePhoneNumbers(groupId: string, numbers: string[]): void {
    this.model.associatePhoneNumbers(groupId, numbers);
  }

  /** Associates phone numbers with a voice connector, as AssociatePhoneNumbersWithVoiceConnector would with ForceAssociate. */
  associatePhoneNumbersWithConnector(connectorId: string, numbers: string[]): void {
    this.model.associatePhoneNumbersWithConnector(connectorId, numbers);
  }

  /** The numbers associated with a group or voice connector, in inventory order. */
  phoneNumbersOf(id: string): string[] {
    return this.model.phoneNumbersOf(id);
  }

  /** Every group of a namespace (and Region), whether or not the API sees it yet. */
  groupsIn(namespace: Namespace, region?: string): Group[] {
    return this.model.groupsIn(namespace, region);
  }
}
