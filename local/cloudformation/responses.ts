import { createHash, createHmac, randomBytes, timingSafeEqual } from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { generate } from 'selfsigned';
import type { Outcome } from './model';

/**
 * Where custom resources answer CloudFormation: the response URL server (an HTTPS stand-in for
 * the presigned S3 URL), and the custom resource contract each answer is checked against.
 */

/**
 * CloudFormation refuses a custom resource response larger than this (UTF-8 bytes, inclusive).
 * Source: CloudFormation guide, "Custom resource response objects"; aws/aws-cdk#2825.
 */
export const MAX_RESPONSE_BYTES = 4096;
/** Source: same page; the reason CloudFormation records instead of the handler's own. */
export const TOO_LONG_REASON = 'Response object is too long.';

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
export function verdict(body: string): Outcome & { answer?: Record<string, unknown> } {
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

/**
 * How long a response URL stays valid, in seconds. Source: a real event's SigV4 ResponseURL carries
 * `X-Amz-Expires=7200` (aws-cloudformation/custom-resource-helper, README example event).
 */
export const RESPONSE_URL_EXPIRES_S = 7200;
/** The access key the local CloudFormation presigns with; its secret is drawn afresh by each server. */
const PRESIGNING_KEY_ID = 'AKIALOCALCFNRESPONSE';

/** What a response URL names: the request it answers. */
export interface ResponseTarget {
  readonly stackId: string;
  readonly logicalId: string;
  readonly requestId: string;
  /** The stack's Region: the Region of the bucket and of the signature's scope. */
  readonly region: string;
  /** When CloudFormation issued the request: the signature's `X-Amz-Date`. */
  readonly issued: Date;
}

/** `YYYYMMDDTHHMMSSZ`, SigV4's timestamp format. */
export const amzDate = (date: Date) => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

export interface ResponseRequest {
  readonly method: string;
  /** The path and query the request was sent to. */
  readonly url: string;
  /** The `x-local-delivery` label the execution environment put on it: `<RequestId>#<delivery>`. */
  readonly delivery?: string;
  readonly status: number;
}

/** Where the server hands the answers PUT to a response URL. */
export interface AnswerListener {
  /** Whether CloudFormation sent this request. */
  knows(requestId: string): boolean;
  /** An answer to the request, from the delivery that sent it (0 when the PUT carried no label). */
  receive(requestId: string, delivery: number, body: string): void;
}

/** The HTTPS server behind every response URL, with its own self-signed certificate authority. */
export class ResponseServer {
  static async start(dir: string, listener: AnswerListener): Promise<ResponseServer> {
    const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notAfterDate: new Date(Date.now() + 24 * 3600_000),
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
      ],
    });
    const caFile = path.join(dir, 'response-ca.pem');
    fs.writeFileSync(caFile, pems.cert);
    const server = new ResponseServer(pems.private, pems.cert, caFile, listener);
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  /** Every request that reached a response URL: its method, the delivery label it carried, and the HTTP status it got. */
  readonly requests: ResponseRequest[] = [];
  private refusals = 0;
  private readonly secret = randomBytes(32).toString('hex');
  private readonly server: https.Server;

  private constructor(key: string, cert: string, readonly caFile: string, listener: AnswerListener) {
    this.server = https.createServer({ key, cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const delivery = req.headers['x-local-delivery'] === undefined ? undefined : String(req.headers['x-local-delivery']);
        const reply = (status: number, body?: string) => {
          this.requests.push({ method: req.method ?? '', url: req.url ?? '', delivery, status });
          res.writeHead(status, body ? { 'content-type': 'application/xml' } : {}).end(body);
        };
        const refused = this.refusal(req.method ?? '', req.url ?? '', String(req.headers.host ?? ''));
        if (refused) return reply(403, `<Error><Code>${refused.code}</Code><Message>${refused.message}</Message></Error>`);
        // The object key is `<stack ID>|<logical ID>|<RequestId>`; only the RequestId matters here.
        const key = decodeURIComponent(new URL(req.url ?? '/', 'https://127.0.0.1').pathname.split('/').pop() ?? '');
        const requestId = key.split('|').pop() ?? '';
        if (!listener.knows(requestId)) return reply(404);
        if (this.refusals > 0) {
          this.refusals--;
          return reply(500);
        }
        // A presigned S3 URL accepts every PUT until it expires, late ones included.
        reply(200);
        listener.receive(requestId, Number(delivery?.split('#')[1] ?? 0), Buffer.concat(chunks).toString('utf8'));
      });
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /**
   * The presigned URL a function answers the request on, shaped as CloudFormation's (a SigV4
   * presigned S3 PUT URL; source: aws-cloudformation/custom-resource-helper, README example event;
   * CLOUDFORMATION.md, "the ResponseURL"): the object key holds the stack ID, logical ID and
   * RequestId, and `X-Amz-Date` is when CloudFormation issued the request. The explicit port is
   * this server's own; the real URL has none (443).
   */
  url(target: ResponseTarget): string {
    const bucket = `cloudformation-custom-resource-response-${target.region.replace(/-/g, '')}`;
    const path = `/${bucket}/${encodeURIComponent(`${target.stackId}|${target.logicalId}|${target.requestId}`)}`;
    const date = amzDate(target.issued);
    const query: [string, string][] = [
      ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
      ['X-Amz-Date', date],
      ['X-Amz-SignedHeaders', 'host'],
      ['X-Amz-Expires', String(RESPONSE_URL_EXPIRES_S)],
      ['X-Amz-Credential', `${PRESIGNING_KEY_ID}/${date.slice(0, 8)}/${target.region}/s3/aws4_request`],
    ];
    const signature = this.signature('PUT', path, new URLSearchParams(query));
    return `https://127.0.0.1:${this.port}${path}?${[...query, ['X-Amz-Signature', signature]].map(([k, v]) => `${k}=${encode(v)}`).join('&')}`;
  }

  /**
   * Why S3 would refuse this request on a presigned URL, if it would: a method other than the one
   * signed (PUT), a signature that does not match the URL (a tampered path or query), or a URL past
   * its expiry. Source: Amazon S3 API reference, "Authenticating Requests: Using Query Parameters
   * (AWS Signature Version 4)" (SignatureDoesNotMatch; AccessDenied "Request has expired").
   */
  private refusal(method: string, rawUrl: string, host: string): { code: string; message: string } | undefined {
    const mismatch = { code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided.' };
    const [path, rawQuery = ''] = rawUrl.split('?', 2);
    const query = new URLSearchParams(rawQuery);
    const signature = query.get('X-Amz-Signature') ?? '';
    query.delete('X-Amz-Signature');
    const date = query.get('X-Amz-Date') ?? '';
    const issued = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
    if (query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || !issued || !/^[0-9a-f]{64}$/.test(signature)) {
      return { code: 'AuthorizationQueryParametersError', message: 'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.' };
    }
    // The host is signed: a PUT may name it with or without the port (the default port trick).
    if (host !== '127.0.0.1' && host !== `127.0.0.1:${this.port}`) return mismatch;
    const expected = this.signature(method, path, query);
    if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) return mismatch;
    const [, y, mo, d, h, mi, sec] = issued.map(Number);
    const expires = Date.UTC(y, mo - 1, d, h, mi, sec) + Number(query.get('X-Amz-Expires')) * 1000;
    if (Date.now() > expires) return { code: 'AccessDenied', message: 'Request has expired' };
    return undefined;
  }

  /** SigV4's query-string signature over the method, path, query (without the signature) and host. */
  private signature(method: string, path: string, query: URLSearchParams): string {
    const canonicalQuery = [...query.entries()]
      .map(([k, v]) => [encode(k), encode(v)])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const canonical = [method, path, canonicalQuery, `host:127.0.0.1:${this.port}`, '', 'host', 'UNSIGNED-PAYLOAD'].join('\n');
    const date = query.get('X-Amz-Date') ?? '';
    const scope = (query.get('X-Amz-Credential') ?? '').split('/').slice(1).join('/');
    const toSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
    const [day, region, service] = scope.split('/');
    const key = [day, region, service, 'aws4_request'].reduce<Buffer | string>((k, part) => createHmac('sha256', k).update(part ?? '').digest(), `AWS4${this.secret}`);
    return createHmac('sha256', key).update(toSign).digest('hex');
  }

  /** Answers the next `count` PUTs with HTTP 500, as a failing S3 would. */
  refuseNext(count: number): void {
    this.refusals += count;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** SigV4's URI encoding: everything but unreserved characters. */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
