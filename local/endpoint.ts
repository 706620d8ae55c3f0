import { randomUUID } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { E164_PATTERN, LIMITS, SDK_VOICE_NAME_PATTERN } from '../lib/rules';

/**
 * A local, Chime-compatible HTTP endpoint on 127.0.0.1 for the voice connector group REST protocol
 * of both namespaces, as the AWS API reference defines it. The real AWS SDK talks to it through the
 * standard endpoint variables (see `env()`); each namespace is served under its own path prefix,
 * and the Region is read from the SigV4 credential scope, so groups live per namespace and Region.
 */

export type Namespace = 'chime' | 'chime-sdk-voice';

/** AWS error codes and their HTTP statuses, as the API reference lists them. */
const ERROR_STATUS = {
  BadRequest: 400,
  ResourceLimitExceeded: 400,
  UnauthorizedClient: 401,
  AccessDenied: 403,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  ThrottledClient: 429,
  ServiceFailure: 500,
  ServiceUnavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export type Operation =
  | 'CreateVoiceConnectorGroup'
  | 'GetVoiceConnectorGroup'
  | 'UpdateVoiceConnectorGroup'
  | 'DeleteVoiceConnectorGroup'
  | 'ListVoiceConnectorGroups'
  | 'AssociatePhoneNumbersWithVoiceConnectorGroup'
  | 'DisassociatePhoneNumbersFromVoiceConnectorGroup'
  | 'ListPhoneNumbers'
  | 'CreateVoiceConnector'
  | 'DeleteVoiceConnector';

/**
 * What faults hit when a test names no operations: every call under `/voice-connector-groups`.
 * The association calls are here because they change a group's state as much as an update does,
 * and a throttled or dropped association is what a handler must survive. ListPhoneNumbers and the
 * voice connector calls are not in it: a test that faults them names them.
 */
export const GROUP_OPERATIONS: readonly Operation[] = [
  'CreateVoiceConnectorGroup',
  'GetVoiceConnectorGroup',
  'UpdateVoiceConnectorGroup',
  'DeleteVoiceConnectorGroup',
  'ListVoiceConnectorGroups',
  'AssociatePhoneNumbersWithVoiceConnectorGroup',
  'DisassociatePhoneNumbersFromVoiceConnectorGroup',
];

/**
 * At most this many numbers in one Associate/Disassociate request, and on one group. The API
 * reference states no maximum for either (AssociatePhoneNumbersWithVoiceConnectorGroup,
 * E164PhoneNumbers: "Type: Array of strings", no length constraint): these are this project's
 * assumptions, not AWS quotas, held in lib/rules.ts, where the construct and the handler read them.
 */
export const MAX_PHONE_NUMBERS_PER_REQUEST = LIMITS.phoneNumbersPerRequest;
export const MAX_PHONE_NUMBERS_PER_GROUP = LIMITS.phoneNumbersPerGroup;

/** A phone number as the API accepts it in E164PhoneNumbers (the `+` is optional there). */
const API_E164_PATTERN = /^\+?[1-9]\d{1,14}$/;


/** PhoneNumberProductType; BusinessCalling exists in the legacy namespace only. */
export type PhoneNumberProductType = 'VoiceConnector' | 'SipMediaApplicationDialIn' | 'BusinessCalling';

/** The per-number codes this endpoint answers in PhoneNumberErrors (values of ErrorCode in the API reference). */
export type PhoneNumberErrorCode = 'NotFound' | 'BadRequest' | 'PhoneNumberAssociationsExist';

export interface PhoneNumberAssociation {
  readonly name: 'VoiceConnectorGroupId' | 'VoiceConnectorId';
  readonly value: string;
  readonly at: string;
}

/** A number in the account's inventory, associated with at most one group or voice connector. */
export interface PhoneNumber {
  readonly e164: string;
  readonly productType: PhoneNumberProductType;
  association?: PhoneNumberAssociation;
  readonly created: string;
  updated: string;
}

export interface Item {
  VoiceConnectorId: string;
  Priority: number;
}
export interface Group {
  readonly id: string;
  readonly namespace: Namespace;
  readonly region: string;
  name: string;
  items: Item[];
  callDistribution?: string;
  /**
   * The numbers associated with the group, read from the inventory. Assigning to it changes the
   * associations as if done outside CloudFormation: the group's other numbers are released and the
   * given ones associated (added to the inventory as VoiceConnector numbers if unknown).
   */
  phoneNumbers: string[];
  readonly created: string;
  /** Creation order: groups made in the same millisecond still list in the order they were made. */
  readonly sequence: number;
  updated: string;
}
export interface Connector {
  readonly id: string;
  readonly region: string;
  readonly name: string;
}
export interface LoggedRequest {
  readonly operation: Operation | 'Unknown';
  readonly namespace?: Namespace;
  readonly region?: string;
  readonly status: number | 'dropped';
  /** Set when an injected fault, not the API's rules, decided the answer. */
  readonly faulted: boolean;
  /** Set when the call took effect although its answer was dropped. */
  readonly committed?: boolean;
}

interface Fault {
  readonly operations: readonly Operation[];
  readonly error?: ErrorCode;
  /** Close the connection without an answer; `after: 'commit'` first lets the call take effect. */
  readonly drop?: 'before' | 'commit';
  /** Hold the answer this long after the call took effect. */
  readonly delayMs?: number;
  remaining?: number;
  readonly fraction?: number;
}

export interface EndpointOptions {
  /** The account's quota of voice connector groups. @default 60 */
  readonly groupQuota?: number;
  /** Seed for fraction faults, so a run is repeatable. @default 1 */
  readonly seed?: number;
}

class ApiError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
  }
}

/** A small seeded generator (mulberry32): seeded faults hit the same requests on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACCOUNT = '123456789012';
const CREDENTIAL_SCOPE = /^AWS4-HMAC-SHA256 Credential=[^/\s]+\/\d{8}\/([a-z0-9-]+)\/[a-z0-9-]+\/aws4_request\b/;

function connectorId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 22);
}

export class ChimeEndpoint {
  /** Starts an endpoint on a free port of 127.0.0.1. */
  static async start(options: EndpointOptions = {}): Promise<ChimeEndpoint> {
    const endpoint = new ChimeEndpoint(options);
    await new Promise<void>((resolve) => endpoint.server.listen(0, '127.0.0.1', resolve));
    return endpoint;
  }

  readonly groups = new Map<string, Group>();
  readonly connectors = new Map<string, Connector>();
  /** The account's phone number inventory, by E.164 number; one account serves both namespaces and every Region. */
  readonly phoneNumbers = new Map<string, PhoneNumber>();
  readonly requests: LoggedRequest[] = [];
  groupQuota: number;
  /** Added before every answer. */
  latencyMs = 0;
  private faults: Fault[] = [];
  private sequence = 0;
  private random: () => number;
  private readonly server: http.Server;

  private constructor(options: EndpointOptions) {
    this.groupQuota = options.groupQuota ?? 60;
    this.random = seeded(options.seed ?? 1);
    this.server = http.createServer((req, res) => void this.serve(req, res));
    // The SDK keeps connections alive; without this, stop() would wait for them to time out.
    this.server.keepAliveTimeout = 1_000;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The standard SDK endpoint variables that point both namespaces here. */
  env(): Record<string, string> {
    return { AWS_ENDPOINT_URL_CHIME: `${this.url}/chime`, AWS_ENDPOINT_URL_CHIME_SDK_VOICE: `${this.url}/chime-sdk-voice` };
  }

  /** Adds an existing voice connector in a Region and returns its ID. */
  addConnector(region: string, name = `vc-${region}`): string {
    const id = connectorId();
    this.connectors.set(id, { id, region, name });
    return id;
  }

  /** Adds a group as if it had been created through the API, and returns its ID. */
  addGroup(namespace: Namespace, region: string, name: string, items: Item[] = []): string {
    return this.newGroup(namespace, region, { name, items }).id;
  }

  /** Adds numbers to the account's inventory, unassociated (status Unassigned). */
  addPhoneNumbers(numbers: string[], options: { productType?: PhoneNumberProductType } = {}): void {
    for (const e164 of numbers) {
      if (!E164_PATTERN.test(e164)) throw new Error(`${e164} is not an E.164 number (${E164_PATTERN.source})`);
      if (this.phoneNumbers.has(e164)) throw new Error(`${e164} is already in the inventory`);
    }
    const now = new Date().toISOString();
    for (const e164 of numbers) this.phoneNumbers.set(e164, { e164, productType: options.productType ?? 'VoiceConnector', created: now, updated: now });
  }

  /**
   * Associates phone numbers with a group as if done outside CloudFormation, moving them from
   * wherever they were. Numbers not yet in the inventory are added as VoiceConnector numbers.
   */
  associatePhoneNumbers(groupId: string, numbers: string[]): void {
    if (!this.groups.has(groupId)) throw new Error(`no group ${groupId}`);
    this.associateOutside({ name: 'VoiceConnectorGroupId', value: groupId }, numbers);
  }

  /** Associates phone numbers with a voice connector, as AssociatePhoneNumbersWithVoiceConnector would with ForceAssociate. */
  associatePhoneNumbersWithConnector(connectorId: string, numbers: string[]): void {
    if (!this.connectors.has(connectorId)) throw new Error(`no voice connector ${connectorId}`);
    this.associateOutside({ name: 'VoiceConnectorId', value: connectorId }, numbers);
  }

  /** The numbers associated with a group or voice connector, in inventory order. */
  phoneNumbersOf(id: string): string[] {
    return [...this.phoneNumbers.values()].filter((n) => n.association?.value === id).map((n) => n.e164);
  }

  /** Answers the next `count` matching requests with `error`. */
  failNext(count: number, error: ErrorCode, operations: readonly Operation[] = GROUP_OPERATIONS): void {
    this.faults.push({ operations, error, remaining: count });
  }

  /** Answers each matching request with `error` with probability `fraction`, until cleared. */
  failFraction(fraction: number, error: ErrorCode, operations: readonly Operation[] = GROUP_OPERATIONS): void {
    this.faults.push({ operations, error, fraction });
  }

  /** Closes the connection without an answer for the next `count` matching requests. */
  dropNext(count: number, operations: readonly Operation[] = GROUP_OPERATIONS): void {
    this.faults.push({ operations, drop: 'before', remaining: count });
  }

  /**
   * Lets the next `count` matching requests take effect, then closes the connection before the
   * answer: the caller cannot tell, and the SDK retries a POST that already made its group.
   */
  commitThenDropNext(count: number, operations: readonly Operation[] = GROUP_OPERATIONS): void {
    this.faults.push({ operations, drop: 'commit', remaining: count });
  }

  /** Lets the next `count` matching requests take effect at once but answers each `delayMs` later. */
  delayNext(count: number, delayMs: number, operations: readonly Operation[] = GROUP_OPERATIONS): void {
    this.faults.push({ operations, delayMs, remaining: count });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** How many requests reached an operation; `answered` counts only those the API's rules decided. */
  calls(operation: Operation, which: 'all' | 'answered' = 'answered'): number {
    return this.requests.filter((r) => r.operation === operation && (which === 'all' || !r.faulted)).length;
  }

  groupsIn(namespace: Namespace, region?: string): Group[] {
    return [...this.groups.values()].filter((g) => g.namespace === namespace && (!region || g.region === region));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pickFault(operation: Operation): Fault | undefined {
    for (const fault of this.faults) {
      if (!fault.operations.includes(operation)) continue;
      if (fault.remaining !== undefined) {
        if (fault.remaining <= 0) continue;
        fault.remaining--;
        return fault;
      }
      if (fault.fraction !== undefined && this.random() < fault.fraction) return fault;
    }
    return undefined;
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', this.url);
    const [, ns, collection, id, ...rest] = url.pathname.split('/');
    const namespace = ns === 'chime' || ns === 'chime-sdk-voice' ? (ns as Namespace) : undefined;
    const operation = rest.length === 0 && namespace ? route(req.method ?? '', collection, id, url.searchParams.get('operation')) : undefined;
    const region = CREDENTIAL_SCOPE.exec(req.headers.authorization ?? '')?.[1];
    const log = (status: number | 'dropped', faulted = false, committed = false) =>
      this.requests.push({ operation: operation ?? 'Unknown', namespace, region, status, faulted, ...(committed ? { committed } : {}) });
    const fault = operation && namespace && region ? this.pickFault(operation) : undefined;
    const send = (status: number, body?: object) => {
      const wait = this.latencyMs + (fault?.delayMs ?? 0);
      if (wait > 0) setTimeout(() => reply(res, status, body), wait);
      else reply(res, status, body);
    };
    const fail = (error: ApiError, faulted = false) => {
      log(ERROR_STATUS[error.code], faulted);
      res.setHeader('x-amzn-ErrorType', `${error.code}Exception`);
      send(ERROR_STATUS[error.code], { Code: error.code, Message: error.message });
    };

    if (!operation || !namespace) return fail(new ApiError('NotFound', `No such operation: ${req.method} ${url.pathname}`));
    if (!region) return fail(new ApiError('UnauthorizedClient', 'Missing or malformed SigV4 Authorization header'));
    if (fault?.drop === 'before') {
      log('dropped', true);
      req.socket.destroy();
      return;
    }
    if (fault?.error) return fail(new ApiError(fault.error, `Injected ${fault.error}`), true);
    try {
      const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      const [status, answer] = this.execute(operation, namespace, region, id ? decodeURIComponent(id) : undefined, body, url.searchParams);
      if (fault?.drop === 'commit') {
        log('dropped', true, true);
        req.socket.destroy();
        return;
      }
      log(status);
      send(status, answer);
    } catch (err) {
      if (err instanceof ApiError) return fail(err);
      return fail(new ApiError('ServiceFailure', String(err)));
    }
  }

  private execute(op: Operation, namespace: Namespace, region: string, id: string | undefined, body: Record<string, unknown>, query: URLSearchParams): [number, object?] {
    switch (op) {
      case 'CreateVoiceConnectorGroup': {
        const fields = this.checkGroup(namespace, body);
        if (this.groups.size >= this.groupQuota) {
          throw new ApiError('ResourceLimitExceeded', `The account has reached its limit of ${this.groupQuota} voice connector groups`);
        }
        return [201, { VoiceConnectorGroup: this.render(this.newGroup(namespace, region, fields)) }];
      }
      case 'GetVoiceConnectorGroup':
        return [200, { VoiceConnectorGroup: this.render(this.find(namespace, region, id)) }];
      case 'UpdateVoiceConnectorGroup': {
        const group = this.find(namespace, region, id);
        Object.assign(group, this.checkGroup(namespace, body), { updated: new Date().toISOString() });
        return [202, { VoiceConnectorGroup: this.render(group) }];
      }
      case 'DeleteVoiceConnectorGroup': {
        const group = this.find(namespace, region, id);
        // DeleteVoiceConnectorGroup: "Any VoiceConnectorItems and phone numbers associated with the group must be removed before it can be deleted."
        if (group.items.length > 0) throw new ApiError('Conflict', `Voice connector group ${group.id} still has VoiceConnectorItems; remove them first`);
        if (group.phoneNumbers.length > 0) throw new ApiError('Conflict', `Voice connector group ${group.id} still has phone numbers associated`);
        this.groups.delete(group.id);
        return [204];
      }
      case 'ListVoiceConnectorGroups': {
        const all = this.groupsIn(namespace, region).sort((a, b) => a.sequence - b.sequence);
        const { items, NextToken } = page(all, query);
        return [200, { VoiceConnectorGroups: items.map((g) => this.render(g)), ...(NextToken ? { NextToken } : {}) }];
      }
      case 'AssociatePhoneNumbersWithVoiceConnectorGroup': {
        const group = this.find(namespace, region, id);
        const numbers = phoneNumberList(body);
        if (body.ForceAssociate !== undefined && typeof body.ForceAssociate !== 'boolean') throw new ApiError('BadRequest', 'ForceAssociate must be a boolean');
        const { errors, accepted } = this.checkAssociation(group, numbers, body.ForceAssociate === true);
        const held = group.phoneNumbers.length;
        if (held + accepted.length > MAX_PHONE_NUMBERS_PER_GROUP) {
          throw new ApiError(
            'BadRequest',
            `Voice connector group ${group.id} holds ${held} phone numbers; ${accepted.length} more would pass the limit of ${MAX_PHONE_NUMBERS_PER_GROUP}`,
          );
        }
        const at = new Date().toISOString();
        for (const number of accepted) Object.assign(number, { association: { name: 'VoiceConnectorGroupId', value: group.id, at }, updated: at });
        return [200, { PhoneNumberErrors: errors }];
      }
      case 'DisassociatePhoneNumbersFromVoiceConnectorGroup': {
        const group = this.find(namespace, region, id);
        const errors: PhoneNumberErrorEntry[] = [];
        const at = new Date().toISOString();
        for (const e164 of phoneNumberList(body)) {
          const number = this.phoneNumbers.get(e164);
          if (!number) errors.push(phoneNumberError(e164, 'NotFound', `Phone number ${e164} not found`));
          else if (number.association?.value !== group.id) {
            errors.push(phoneNumberError(e164, 'NotFound', `Phone number ${e164} is not associated with voice connector group ${group.id}${where(number, ' (it is associated with ', ')')}`));
          } else Object.assign(number, { association: undefined, updated: at });
        }
        return [200, { PhoneNumberErrors: errors }];
      }
      case 'ListPhoneNumbers': {
        // ListPhoneNumbers in each API reference: the filters and product types each namespace accepts, and its page size.
        const filters = namespace === 'chime' ? ['AccountId', 'UserId', 'VoiceConnectorId', 'VoiceConnectorGroupId', 'SipRuleId'] : ['VoiceConnectorId', 'VoiceConnectorGroupId', 'SipRuleId'];
        const productTypes = namespace === 'chime' ? ['BusinessCalling', 'VoiceConnector', 'SipMediaApplicationDialIn'] : ['VoiceConnector', 'SipMediaApplicationDialIn'];
        const filter = query.get('filter-name');
        const value = query.get('filter-value');
        const productType = query.get('product-type');
        const status = query.get('status');
        if ((filter === null) !== (value === null)) throw new ApiError('BadRequest', 'FilterName and FilterValue must be given together');
        if (filter !== null && !filters.includes(filter)) throw new ApiError('BadRequest', `FilterName must be one of ${filters.join(', ')}`);
        if (productType !== null && !productTypes.includes(productType)) throw new ApiError('BadRequest', `ProductType must be one of ${productTypes.join(', ')}`);
        // Numbers here are associated with groups and voice connectors only, so the other filters match nothing.
        const numbers = [...this.phoneNumbers.values()].filter(
          (n) =>
            (filter === null || (n.association?.name === filter && n.association.value === value)) &&
            (productType === null || n.productType === productType) &&
            (status === null || statusOf(n) === status),
        );
        const { items, NextToken } = page(numbers, query, namespace === 'chime' ? 99 : 100);
        return [200, { PhoneNumbers: items.map(renderPhoneNumber), ...(NextToken ? { NextToken } : {}) }];
      }
      case 'CreateVoiceConnector': {
        const name = String(body.Name ?? '');
        if (!name) throw new ApiError('BadRequest', 'Name is required');
        const connector: Connector = { id: connectorId(), region: String(body.AwsRegion ?? region), name };
        this.connectors.set(connector.id, connector);
        return [201, { VoiceConnector: { VoiceConnectorId: connector.id, AwsRegion: connector.region, Name: name, RequireEncryption: body.RequireEncryption ?? true } }];
      }
      case 'DeleteVoiceConnector': {
        if (!id || !this.connectors.has(id)) throw new ApiError('NotFound', `Voice connector ${id} not found`);
        const user = [...this.groups.values()].find((g) => g.items.some((i) => i.VoiceConnectorId === id));
        if (user) throw new ApiError('Conflict', `Voice connector ${id} is in voice connector group ${user.id}`);
        // DeleteVoiceConnector: "Any phone numbers associated with the Amazon Chime SDK Voice Connector must be disassociated from it before it can be deleted."
        if (this.phoneNumbersOf(id).length > 0) throw new ApiError('Conflict', `Voice connector ${id} still has phone numbers associated`);
        this.connectors.delete(id);
        return [204];
      }
    }
  }

  /** The API's own rules for a group's name and items (BadRequest / NotFound as AWS answers). */
  private checkGroup(namespace: Namespace, body: Record<string, unknown>): Pick<Group, 'name' | 'items' | 'callDistribution'> {
    const name = body.Name;
    if (typeof name !== 'string' || name.length < LIMITS.nameMinLength || name.length > LIMITS.nameMaxLength) {
      throw new ApiError('BadRequest', `Name must have ${LIMITS.nameMinLength} to ${LIMITS.nameMaxLength} characters`);
    }
    if (namespace === 'chime-sdk-voice' && !SDK_VOICE_NAME_PATTERN.test(name)) {
      throw new ApiError('BadRequest', `Name must satisfy ${SDK_VOICE_NAME_PATTERN.source}`);
    }
    const items = (body.VoiceConnectorItems ?? []) as Item[];
    if (!Array.isArray(items) || items.length > LIMITS.maxItems) {
      throw new ApiError('BadRequest', `VoiceConnectorItems must have at most ${LIMITS.maxItems} members`);
    }
    for (const item of items) {
      if (!Number.isInteger(item.Priority) || item.Priority < LIMITS.priorityMin || item.Priority > LIMITS.priorityMax) {
        throw new ApiError('BadRequest', `Priority must be from ${LIMITS.priorityMin} to ${LIMITS.priorityMax}`);
      }
      if (!this.connectors.has(item.VoiceConnectorId)) throw new ApiError('NotFound', `Voice connector ${item.VoiceConnectorId} not found`);
    }
    if (new Set(items.map((i) => i.VoiceConnectorId)).size !== items.length) {
      throw new ApiError('BadRequest', 'A voice connector may appear once in a group');
    }
    const callDistribution = body.CallDistributionType as string | undefined;
    return { name, items: items.map((i) => ({ VoiceConnectorId: i.VoiceConnectorId, Priority: i.Priority })), callDistribution };
  }

  /**
   * Sorts a request's numbers into per-number errors and the inventory entries to associate.
   * AssociatePhoneNumbersWithVoiceConnectorGroup: "If false, does not associate any phone numbers
   * that have previously existing associations"; which ErrorCode each failure gets is not stated
   * there, so the codes are this endpoint's choice among the PhoneNumberError values.
   */
  private checkAssociation(group: Group, numbers: string[], force: boolean): { errors: PhoneNumberErrorEntry[]; accepted: PhoneNumber[] } {
    const errors: PhoneNumberErrorEntry[] = [];
    const accepted: PhoneNumber[] = [];
    for (const e164 of numbers) {
      const number = this.phoneNumbers.get(e164);
      if (!number) errors.push(phoneNumberError(e164, 'NotFound', `Phone number ${e164} not found`));
      else if (number.productType !== 'VoiceConnector') {
        errors.push(phoneNumberError(e164, 'BadRequest', `Phone number ${e164} has product type ${number.productType}; only VoiceConnector numbers can be associated with a voice connector group`));
      } else if (number.association?.value === group.id) continue;
      else if (number.association && !force) {
        errors.push(phoneNumberError(e164, 'PhoneNumberAssociationsExist', `Phone number ${e164} is associated with ${where(number)}; set ForceAssociate to move it`));
      } else accepted.push(number);
    }
    return { errors, accepted };
  }

  /** The test hooks' association: no API rules, but no state the API could not reach either. */
  private associateOutside(target: Omit<PhoneNumberAssociation, 'at'>, numbers: string[]): void {
    const unknown = numbers.filter((n) => !this.phoneNumbers.has(n));
    this.addPhoneNumbers([...new Set(unknown)]);
    const wrong = numbers.find((n) => this.phoneNumbers.get(n)!.productType !== 'VoiceConnector');
    if (wrong) throw new Error(`${wrong} is not a VoiceConnector number`);
    const total = new Set([...this.phoneNumbersOf(target.value), ...numbers]).size;
    if (target.name === 'VoiceConnectorGroupId' && total > MAX_PHONE_NUMBERS_PER_GROUP) throw new Error(`a group holds at most ${MAX_PHONE_NUMBERS_PER_GROUP} phone numbers`);
    const at = new Date().toISOString();
    for (const e164 of numbers) Object.assign(this.phoneNumbers.get(e164)!, { association: { ...target, at }, updated: at });
  }

  private newGroup(namespace: Namespace, region: string, fields: Pick<Group, 'name' | 'items' | 'callDistribution'>): Group {
    const now = new Date().toISOString();
    const group = { id: randomUUID(), namespace, region, ...fields, created: now, sequence: this.sequence++, updated: now } as Group;
    // Enumerable, so that a snapshot of the group (JSON.stringify, spread) includes its numbers.
    Object.defineProperty(group, 'phoneNumbers', {
      enumerable: true,
      get: () => this.phoneNumbersOf(group.id),
      set: (numbers: string[]) => {
        const at = new Date().toISOString();
        for (const e164 of this.phoneNumbersOf(group.id)) Object.assign(this.phoneNumbers.get(e164)!, { association: undefined, updated: at });
        this.associatePhoneNumbers(group.id, numbers);
      },
    });
    this.groups.set(group.id, group);
    return group;
  }

  private find(namespace: Namespace, region: string, id: string | undefined): Group {
    const group = id ? this.groups.get(id) : undefined;
    if (!group || group.namespace !== namespace || group.region !== region) {
      throw new ApiError('NotFound', `Voice connector group ${id} not found`);
    }
    return group;
  }

  private render(g: Group): object {
    return {
      VoiceConnectorGroupId: g.id,
      Name: g.name,
      VoiceConnectorItems: g.items,
      CreatedTimestamp: g.created,
      UpdatedTimestamp: g.updated,
      ...(g.namespace === 'chime-sdk-voice' ? { VoiceConnectorGroupArn: `arn:aws:chime:${g.region}:${ACCOUNT}:vcg/${g.id}` } : {}),
      ...(g.callDistribution ? { CallDistributionType: g.callDistribution } : {}),
    };
  }
}

interface PhoneNumberErrorEntry {
  readonly PhoneNumberId: string;
  readonly ErrorCode: PhoneNumberErrorCode;
  readonly ErrorMessage: string;
}

function phoneNumberError(PhoneNumberId: string, ErrorCode: PhoneNumberErrorCode, ErrorMessage: string): PhoneNumberErrorEntry {
  return { PhoneNumberId, ErrorCode, ErrorMessage };
}

/** Where a number is associated, for messages that must name it. */
function where(number: PhoneNumber, before = '', after = ''): string {
  if (!number.association) return '';
  const kind = number.association.name === 'VoiceConnectorGroupId' ? 'voice connector group' : 'voice connector';
  return `${before}${kind} ${number.association.value}${after}`;
}

/**
 * E164PhoneNumbers of an association request: the API's pattern for each member, our limit on
 * their count. A number given twice counts once; an empty list has nothing to do, so it is refused.
 */
function phoneNumberList(body: Record<string, unknown>): string[] {
  const list = body.E164PhoneNumbers;
  if (!Array.isArray(list) || list.length === 0) throw new ApiError('BadRequest', 'E164PhoneNumbers must be a non-empty list');
  const bad = list.find((n) => typeof n !== 'string' || !API_E164_PATTERN.test(n));
  if (bad !== undefined) throw new ApiError('BadRequest', `E164PhoneNumbers member ${JSON.stringify(bad)} does not satisfy ${API_E164_PATTERN.source}`);
  if (list.length > MAX_PHONE_NUMBERS_PER_REQUEST) {
    throw new ApiError('BadRequest', `E164PhoneNumbers has ${list.length} members; at most ${MAX_PHONE_NUMBERS_PER_REQUEST} are allowed in one request`);
  }
  return [...new Set(list as string[])];
}

function statusOf(number: PhoneNumber): string {
  return number.association ? 'Assigned' : 'Unassigned';
}

/** One page of a list, as the API pages it: `max-results` from 1 to `limit` (99 for most lists), an opaque `next-token`. */
function page<T>(all: T[], query: URLSearchParams, limit = 99): { items: T[]; NextToken?: string } {
  const max = Number(query.get('max-results') ?? limit);
  if (!Number.isInteger(max) || max < 1 || max > limit) throw new ApiError('BadRequest', `MaxResults must be from 1 to ${limit}`);
  const token = query.get('next-token');
  const start = token === null ? 0 : Number(token);
  if (!Number.isInteger(start) || start < 0 || start > all.length) throw new ApiError('BadRequest', `Invalid NextToken '${token}'`);
  const next = start + max < all.length ? String(start + max) : undefined;
  return { items: all.slice(start, start + max), NextToken: next };
}

/** A phone number as ListPhoneNumbers returns it (the ID is the E.164 number). */
function renderPhoneNumber(n: PhoneNumber): object {
  return {
    PhoneNumberId: n.e164,
    E164PhoneNumber: n.e164,
    Type: 'Local',
    ProductType: n.productType,
    Status: statusOf(n),
    Associations: n.association ? [{ Name: n.association.name, Value: n.association.value, AssociatedTimestamp: n.association.at }] : [],
    CreatedTimestamp: n.created,
    UpdatedTimestamp: n.updated,
  };
}

function route(method: string, collection: string, id: string | undefined, action: string | null): Operation | undefined {
  if (collection === 'phone-numbers') return !id && method === 'GET' ? 'ListPhoneNumbers' : undefined;
  if (collection === 'voice-connector-groups') {
    if (!id) return ({ POST: 'CreateVoiceConnectorGroup', GET: 'ListVoiceConnectorGroups' } as const)[method as 'POST'];
    if (method === 'POST') {
      return ({ 'associate-phone-numbers': 'AssociatePhoneNumbersWithVoiceConnectorGroup', 'disassociate-phone-numbers': 'DisassociatePhoneNumbersFromVoiceConnectorGroup' } as const)[
        action as 'associate-phone-numbers'
      ];
    }
    return ({ GET: 'GetVoiceConnectorGroup', PUT: 'UpdateVoiceConnectorGroup', DELETE: 'DeleteVoiceConnectorGroup' } as const)[method as 'GET'];
  }
  if (collection === 'voice-connectors') {
    return id ? (method === 'DELETE' ? 'DeleteVoiceConnector' : undefined) : method === 'POST' ? 'CreateVoiceConnector' : undefined;
  }
  return undefined;
}

function reply(res: http.ServerResponse, status: number, body?: object): void {
  if (res.destroyed) return;
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}
