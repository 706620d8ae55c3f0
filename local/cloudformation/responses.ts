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

  private refusals = 0;
  private readonly server: https.Server;

  private constructor(key: string, cert: string, readonly caFile: string, listener: AnswerListener) {
    this.server = https.createServer({ key, cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const id = (req.url ?? '').split('/').pop() ?? '';
        if (req.method !== 'PUT' || !listener.knows(id)) return void res.writeHead(404).end();
        if (this.refusals > 0) {
          this.refusals--;
          return void res.writeHead(500).end();
        }
        // A presigned S3 URL accepts every PUT until it expires, late ones included.
        res.writeHead(200).end();
        const delivery = Number(String(req.headers['x-local-delivery'] ?? '').split('#')[1] ?? 0);
        listener.receive(id, delivery, Buffer.concat(chunks).toString('utf8'));
      });
    });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The URL the function answers the request on. */
  url(requestId: string): string {
    return `https://127.0.0.1:${this.port}/responses/${requestId}`;
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
