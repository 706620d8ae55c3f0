import * as http from 'http';
import type { AddressInfo } from 'net';
import { ChimeModel } from './models';
import { Operation, respond } from './responses';
import { ApiError, ERROR_STATUS, ErrorCode, Namespace } from './rules';

/**
 * The HTTP side of the local endpoint (moto's `urls` and server): routes the REST paths of both
 * namespaces to operations, reads the Region from the SigV4 credential scope, injects the faults a
 * test asks for, adds latency, and logs every request. State and rules are elsewhere (models.ts,
 * rules.ts); the answer to a request that reaches the API is responses.ts's.
 */

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

export interface Fault {
  readonly operations: readonly Operation[];
  readonly error?: ErrorCode;
  /** Close the connection without an answer; `commit` first lets the call take effect. */
  readonly drop?: 'before' | 'commit';
  /** Hold the answer this long after the call took effect. */
  readonly delayMs?: number;
  /**
   * Let the call take effect only this long after it arrived (then answer), whether or not the
   * caller still waits: a request a client gave up on can still complete on the server (AWS
   * Builders' Library, "Making retries safe with idempotent APIs"; issue 14, item 3: a Create that
   * takes effect after the handler's work deadline).
   */
  readonly effectAfterMs?: number;
  remaining?: number;
  readonly fraction?: number;
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

const CREDENTIAL_SCOPE = /^AWS4-HMAC-SHA256 Credential=[^/\s]+\/\d{8}\/([a-z0-9-]+)\/[a-z0-9-]+\/aws4_request\b/;

export class ChimeServer {
  readonly requests: LoggedRequest[] = [];
  /** Added before every answer. */
  latencyMs = 0;
  private faults: Fault[] = [];
  private readonly random: () => number;
  private readonly server: http.Server;

  constructor(
    private readonly model: ChimeModel,
    seed: number,
  ) {
    this.random = seeded(seed);
    this.server = http.createServer((req, res) => void this.serve(req, res));
    // The SDK keeps connections alive; without this, stop() would wait for them to time out.
    this.server.keepAliveTimeout = 1_000;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  addFault(fault: Fault): void {
    this.faults.push(fault);
  }

  clearFaults(): void {
    this.faults = [];
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
    if (fault?.effectAfterMs) await new Promise((resolve) => setTimeout(resolve, fault.effectAfterMs));
    try {
      const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      const [status, answer] = respond(this.model, { operation, namespace, region, id: id ? decodeURIComponent(id) : undefined, body, query: url.searchParams });
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
}

/** The REST routes of both namespaces, as each action's "Request Syntax" in the API reference gives them. */
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
