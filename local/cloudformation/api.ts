import { createHash, createHmac, randomUUID } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { LiveStack } from './model';
import { ACCOUNT } from './template';

/**
 * CloudFormation's API over its own wire protocol (the query protocol: form-encoded POST of
 * `Action=…&Version=2010-05-15`, XML answers), as `@aws-sdk/client-cloudformation` speaks it, for
 * the look-ups a custom resource handler makes. Routing, signing and fault injection live here;
 * the stacks it describes are the stack engine's (see `stacks.ts`), read through `StackDirectory`.
 * Source for every action and field: CloudFormation API reference.
 */

const VERSION = '2010-05-15';
/** The most resources DescribeStackResources answers, and ListStackResources' page size. */
const PAGE = 100;
const XMLNS = `http://cloudformation.amazonaws.com/doc/${VERSION}/`;
/** Source: SigV4's Authorization header, `Credential=<key>/<date>/<Region>/<service>/aws4_request`. */
const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** How the API finds stacks: only in the Region the request was signed for. */
export interface StackDirectory {
  /**
   * A stack by name (a running one: not deleted) or by stack ID (deleted ones included).
   * Source: API reference, DescribeStacks / DescribeStackResource, StackName: "Running stacks: You can
   * specify either the stack's name or its unique stack ID. Deleted stacks: You must specify the unique stack ID."
   */
  find(region: string, nameOrId: string): LiveStack | undefined;
  /** The Region's stacks that have not been deleted. */
  running(region: string): LiveStack[];
  /** Who signs with this access key, or undefined for a key the account does not know. */
  identity(accessKeyId: string): Identity | undefined;
}

/** A caller: its secret, and (for a function's execution role) what its policies allow. */
export interface Identity {
  readonly secretAccessKey: string;
  /** The caller's ARN, as an AccessDenied message names it. */
  readonly arn: string;
  /** Whether its policies allow the action (`cloudformation:<Action>`) on the resource; undefined: everything (the tests' own caller). */
  allows?(action: string, resource: string): boolean;
}

/** The errors a test can make the next calls fail with, and the HTTP status each comes with. */
export const API_FAULTS = { Throttling: 400, InternalFailure: 500, ServiceUnavailable: 503 } as const;
export type ApiFault = keyof typeof API_FAULTS;
export type ApiAction = 'DescribeStackResource' | 'DescribeStacks' | 'DescribeStackResources' | 'ListStackResources' | 'GetTemplate' | 'ListExports';
const ACTIONS: readonly string[] = ['DescribeStackResource', 'DescribeStacks', 'DescribeStackResources', 'ListStackResources', 'GetTemplate', 'ListExports'];

/** One request the API received, and how it was answered. */
export interface ApiRequest {
  readonly action: string;
  /** The StackName the request named, if any. */
  readonly stack?: string;
  readonly region?: string;
  readonly status: number;
  /** The error code, when it failed. */
  readonly code?: string;
  /** Whether a fault a test injected answered it. */
  readonly faulted: boolean;
}

interface Fault {
  readonly error: ApiFault;
  readonly actions?: readonly string[];
  remaining: number;
}

class ApiError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400, readonly type: 'Sender' | 'Receiver' = 'Sender') {
    super(message);
  }
}

const validation = (message: string) => new ApiError('ValidationError', message);
/** Source: the real service's wording (API reference, Common Errors; observed ValidationError messages). */
const noStack = (name: string) => validation(`Stack with id ${name} does not exist`);

/** What an XML answer holds: arrays become `<member>` lists, undefined fields are left out. */
type Xml = string | number | boolean | Date | undefined | Xml[] | { [key: string]: Xml };

function xml(value: Xml): string {
  if (value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<member>${xml(v)}</member>`).join('');
  if (typeof value === 'object') return Object.entries(value).map(([k, v]) => (v === undefined ? '' : `<${k}>${xml(v)}</${k}>`)).join('');
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export class CloudFormationApi {
  /** Starts the API on a free port of 127.0.0.1. */
  static async start(directory: StackDirectory): Promise<CloudFormationApi> {
    const api = new CloudFormationApi(directory);
    await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  /** Every request, oldest first. */
  readonly requests: ApiRequest[] = [];
  private faults: Fault[] = [];
  private readonly server: http.Server;

  private constructor(private readonly directory: StackDirectory) {
    this.server = http.createServer((req, res) => void this.serve(req, res));
    // The SDK keeps connections alive; without this, stop() would wait for them to time out.
    this.server.keepAliveTimeout = 1_000;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The SDK's service-specific endpoint variable that points CloudFormation clients here. */
  env(): Record<string, string> {
    return { AWS_ENDPOINT_URL_CLOUDFORMATION: this.url };
  }

  /** Answers the next `count` requests (of these actions, or any) with `error`. */
  failNext(count: number, error: ApiFault = 'Throttling', actions?: readonly ApiAction[]): void {
    this.faults.push({ error, actions, remaining: count });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** How many requests reached an action; `answered` counts only those the API's rules decided (no injected fault). */
  calls(action: ApiAction, which: 'all' | 'answered' = 'answered'): number {
    return this.requests.filter((r) => r.action === action && (which === 'all' || !r.faulted)).length;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const params = new URLSearchParams(body);
    const action = params.get('Action') ?? '';
    const requestId = randomUUID();
    let region: string | undefined;
    let caller: Identity | undefined;
    const answer = (status: number, text: string, code?: string, faulted = false) => {
      this.requests.push({ action, stack: params.get('StackName') ?? undefined, region, status, ...(code ? { code } : {}), faulted });
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }).end(text);
    };
    const fail = (error: ApiError, faulted = false) =>
      answer(
        error.status,
        `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${error.type}</Type><Code>${error.code}</Code><Message>${xml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        error.code,
        faulted,
      );
    try {
      [region, caller] = this.authenticate(req, body);
      if (req.method !== 'POST') throw new ApiError('InvalidAction', `Could not find operation ${req.method} ${req.url}`);
      if (!ACTIONS.includes(action)) throw new ApiError('InvalidAction', `The action ${action} is not valid for this web service.`);
      if (params.get('Version') !== VERSION) throw new ApiError('InvalidParameterValue', `Version ${params.get('Version')} is not supported.`);
      const fault = this.pickFault(action);
      if (fault) {
        const messages: Record<ApiFault, string> = { Throttling: 'Rate exceeded', InternalFailure: 'An internal error occurred', ServiceUnavailable: 'Service unavailable' };
        return fail(new ApiError(fault, messages[fault], API_FAULTS[fault], fault === 'Throttling' ? 'Sender' : 'Receiver'), true);
      }
      const result = this.execute(action, region, params, caller);
      answer(200, `<${action}Response xmlns="${XMLNS}"><${action}Result>${xml(result)}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`);
    } catch (err) {
      fail(err instanceof ApiError ? err : new ApiError('InternalFailure', String(err), 500, 'Receiver'));
    }
  }

  /**
   * Checks the request's SigV4 signature with the local credentials; returns the Region it was signed for.
   * Source: AWS General Reference / IAM guide, "Create a signed AWS API request" (SigV4).
   */
  private authenticate(req: http.IncomingMessage, body: string): [string, Identity] {
    const header = String(req.headers.authorization ?? '');
    if (!header) throw new ApiError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
    const m = AUTHORIZATION.exec(header);
    if (!m) throw new ApiError('IncompleteSignature', `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization=${header}`, 403);
    const [, keyId, day, region, service, signedHeaders, signature] = m;
    const caller = this.directory.identity(keyId);
    if (!caller) throw new ApiError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
    if (service !== 'cloudformation') throw new ApiError('SignatureDoesNotMatch', `Credential should be scoped to correct service: 'cloudformation'.`, 403);
    const headers = signedHeaders.split(';');
    const canonicalHeaders = headers.map((h) => `${h}:${String(req.headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
    const [path, query = ''] = (req.url ?? '/').split('?', 2);
    const canonical = [req.method, path, query, canonicalHeaders, signedHeaders, createHash('sha256').update(body).digest('hex')].join('\n');
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const scope = `${day}/${region}/${service}/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
    const key = [day, region, service, 'aws4_request'].reduce<Buffer | string>((k, part) => createHmac('sha256', k).update(part).digest(), `AWS4${caller.secretAccessKey}`);
    if (createHmac('sha256', key).update(toSign).digest('hex') !== signature) {
      throw new ApiError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.', 403);
    }
    return [region, caller];
  }

  private pickFault(action: string): ApiFault | undefined {
    const fault = this.faults.find((f) => f.remaining > 0 && (!f.actions || f.actions.includes(action)));
    if (!fault) return undefined;
    fault.remaining--;
    return fault.error;
  }

  private execute(action: string, region: string, params: URLSearchParams, caller: Identity): Xml {
    const stackName = params.get('StackName') ?? undefined;
    /**
     * IAM decides before the stack is looked up, on the stack's ARN (a name that names no stack
     * stands for every stack of that name). Source: Service Authorization Reference,
     * "Actions, resources, and condition keys for AWS CloudFormation" (resource type `stack`);
     * IAM User Guide, "Troubleshoot access denied error messages" (the message's wording).
     */
    const authorize = (resource: string) => {
      if (caller.allows && !caller.allows(`cloudformation:${action}`, resource)) {
        throw new ApiError(
          'AccessDenied',
          `User: ${caller.arn} is not authorized to perform: cloudformation:${action} on resource: ${resource} because no identity-based policy allows the cloudformation:${action} action`,
          403,
        );
      }
    };
    const stack = (): LiveStack => {
      if (!stackName) throw validation('1 validation error detected: Value null at \'stackName\' failed to satisfy constraint: Member must not be null');
      const found = this.directory.find(region, stackName);
      authorize(found?.stackId ?? (stackName.startsWith('arn:') ? stackName : `arn:aws:cloudformation:${region}:${ACCOUNT}:stack/${stackName}/*`));
      if (!found) throw noStack(stackName);
      return found;
    };
    if (!stackName && action !== 'DescribeStackResources') authorize('*');
    switch (action) {
      case 'DescribeStackResource': {
        const s = stack();
        const id = params.get('LogicalResourceId') ?? '';
        const r = s.records.get(id);
        if (!r) throw validation(`Resource ${id} does not exist for stack ${s.name}`);
        // As CloudFormation resolved it when it last created or updated the resource (stacks.ts).
        const metadata = s.resources.get(id)?.metadata;
        return {
          StackResourceDetail: {
            StackName: s.name,
            StackId: s.stackId,
            LogicalResourceId: r.logicalId,
            PhysicalResourceId: r.physicalId,
            ResourceType: r.type,
            LastUpdatedTimestamp: r.updated,
            ResourceStatus: r.status,
            ResourceStatusReason: r.reason,
            Metadata: metadata ? JSON.stringify(metadata) : undefined,
            DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
          },
        };
      }
      case 'DescribeStacks': {
        const stacks = stackName ? [stack()] : this.directory.running(region);
        return { Stacks: stacks.map(describeStack) };
      }
      case 'DescribeStackResources': {
        const physicalId = params.get('PhysicalResourceId') ?? undefined;
        if (!stackName && !physicalId) throw validation('Either StackName or PhysicalResourceId must be specified.');
        const s = stackName ? stack() : this.directory.running(region).find((x) => [...x.records.values()].some((r) => r.physicalId === physicalId));
        if (!stackName) authorize(s?.stackId ?? '*');
        if (!s) throw noStack(String(physicalId));
        const logicalId = params.get('LogicalResourceId') ?? undefined;
        // Source: API reference, DescribeStackResources: "Only the first 100 resources will be returned."
        const records = [...s.records.values()].filter((r) => (!logicalId || r.logicalId === logicalId) && (!physicalId || r.physicalId === physicalId)).slice(0, PAGE);
        return {
          StackResources: records.map((r) => ({
            StackName: s.name,
            StackId: s.stackId,
            LogicalResourceId: r.logicalId,
            PhysicalResourceId: r.physicalId,
            ResourceType: r.type,
            Timestamp: r.updated,
            ResourceStatus: r.status,
            ResourceStatusReason: r.reason,
            DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
          })),
        };
      }
      case 'ListStackResources': {
        const s = stack();
        // Pages of 100, continued by an opaque NextToken. Source: API reference, ListStackResources.
        const start = params.has('NextToken') ? Number(Buffer.from(params.get('NextToken')!, 'base64url').toString('utf8').split(':').pop()) : 0;
        if (!Number.isInteger(start) || start < 0) throw validation('Invalid NextToken');
        const all = [...s.records.values()];
        return {
          NextToken: start + PAGE < all.length ? Buffer.from(`${s.stackId}:${start + PAGE}`).toString('base64url') : undefined,
          StackResourceSummaries: all.slice(start, start + PAGE).map((r) => ({
            LogicalResourceId: r.logicalId,
            PhysicalResourceId: r.physicalId,
            ResourceType: r.type,
            LastUpdatedTimestamp: r.updated,
            ResourceStatus: r.status,
            ResourceStatusReason: r.reason,
            DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
          })),
        };
      }
      case 'GetTemplate':
        return { TemplateBody: JSON.stringify(stack().template), StagesAvailable: ['Original', 'Processed'] };
      case 'ListExports':
        return {
          Exports: this.directory
            .running(region)
            .flatMap((s) => Object.entries(s.exports).map(([Name, Value]) => ({ ExportingStackId: s.stackId, Name, Value }))),
        };
      default:
        throw new ApiError('InvalidAction', `The action ${action} is not valid for this web service.`);
    }
  }
}

function describeStack(s: LiveStack): Xml {
  const deleted = s.status === 'DELETE_COMPLETE';
  return {
    StackId: s.stackId,
    StackName: s.name,
    Parameters: Object.entries(s.parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
    CreationTime: s.created,
    DeletionTime: deleted ? s.updated : undefined,
    LastUpdatedTime: s.updated.getTime() !== s.created.getTime() ? s.updated : undefined,
    StackStatus: s.status,
    DisableRollback: false,
    Outputs: Object.entries(s.outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
}
