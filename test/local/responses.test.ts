import * as https from 'https';
import { LocalCloudFormation } from '../../local/driver';
import { ChimeEndpoint } from '../../local/endpoint';
import { startFixture, stopFixture, writeAssembly } from './assembly';

/** The ResponseURL is a presigned S3 SigV4 URL, checked as S3 checks one. */
jest.setTimeout(30_000);

const STACK = 'Fixture';
let root: string;
let endpoint: ChimeEndpoint;
let cfn: LocalCloudFormation;

beforeEach(async () => {
  ({ root, endpoint, cfn } = await startFixture());
});
afterEach(() => stopFixture({ root, endpoint, cfn }));

const deploy = (resources: Record<string, Record<string, unknown>>) => cfn.deploy(writeAssembly(root, [{ name: STACK, resources }]), STACK);

/** Sends one request to a response URL (its certificate is the driver's own) and returns the status and body. */
function send(url: string, method = 'PUT', body = ''): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the ResponseURL', () => {
  it('is shaped as a presigned S3 SigV4 PUT URL whose X-Amz-Date is when CloudFormation issued the request', async () => {
    const before = Date.now();
    await deploy({ Group: {} });
    const after = Date.now();

    const [sent] = cfn.sent;
    const url = new URL(String(sent.event.ResponseURL));
    expect([url.protocol, url.hostname]).toEqual(['https:', '127.0.0.1']);
    expect(url.port).toMatch(/^\d+$/);
    const [, bucket, key, ...more] = url.pathname.split('/');
    expect([bucket, more]).toEqual(['cloudformation-custom-resource-response-useast1', []]);
    expect(key).toBe(encodeURIComponent(`${sent.event.StackId}|Group|${sent.requestId}`));
    expect([...url.searchParams.keys()]).toEqual(['X-Amz-Algorithm', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires', 'X-Amz-Credential', 'X-Amz-Signature']);
    const q = Object.fromEntries(url.searchParams);
    expect(q).toMatchObject({ 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-SignedHeaders': 'host', 'X-Amz-Expires': '7200' });
    expect(q['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
    expect(q['X-Amz-Credential']).toMatch(new RegExp(`^AKIA\\w+/${q['X-Amz-Date'].slice(0, 8)}/us-east-1/s3/aws4_request$`));

    const issued = sent.issued.getTime();
    expect(issued).toBeGreaterThanOrEqual(before);
    expect(issued).toBeLessThanOrEqual(after);
    expect(q['X-Amz-Date']).toBe(sent.issued.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, ''));
  });

  it('is the same URL on every delivery of one request: a retry and a duplicate', async () => {
    await cfn.stop();
    cfn = await LocalCloudFormation.start({ endpoint, retryDelaysMs: [50, 100], duplicates: { probability: 'always', afterMs: 20 } });
    cfn.refuseNextResponses(1);

    await deploy({ Group: { OnCreate: 'slow:100' } });
    await cfn.settled();

    const [sent] = cfn.sent;
    expect(cfn.sent).toHaveLength(1);
    const puts = cfn.responseRequests.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => r.status).sort()).toEqual([200, 200, 500]);
    expect(new Set(puts.map((r) => r.delivery)).size).toBe(3);
    const { pathname, search } = new URL(String(sent.event.ResponseURL));
    expect(puts.map((r) => r.url)).toEqual([pathname + search, pathname + search, pathname + search]);
  });

  it('refuses, as S3 would, a PUT to a tampered URL, to an expired one, and any other method', async () => {
    await deploy({ Group: {} });
    const [sent] = cfn.sent;
    const url = String(sent.event.ResponseURL);
    const answer = JSON.stringify({ Status: 'SUCCESS', RequestId: sent.requestId, StackId: sent.event.StackId, LogicalResourceId: 'Group', PhysicalResourceId: 'phys-Group' });
    const signature = new URL(url).searchParams.get('X-Amz-Signature')!;
    const flipped = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0');

    const refused = async (target: string, method = 'PUT') => {
      const { status, body } = await send(target, method, method === 'PUT' ? answer : '');
      return [status, /<Code>(\w+)<\/Code>/.exec(body)?.[1]];
    };
    expect(await refused(url.replace(signature, flipped))).toEqual([403, 'SignatureDoesNotMatch']);
    expect(await refused(url.replace('%7CGroup%7C', '%7COther%7C'))).toEqual([403, 'SignatureDoesNotMatch']);
    expect(await refused(url.replace('X-Amz-Expires=7200', 'X-Amz-Expires=72000'))).toEqual([403, 'SignatureDoesNotMatch']);
    expect(await refused(url.replace(/X-Amz-Signature=\w+/, ''))).toEqual([403, 'AuthorizationQueryParametersError']);
    expect(await refused(url, 'GET')).toEqual([403, 'SignatureDoesNotMatch']);
    expect(await refused(url, 'POST')).toEqual([403, 'SignatureDoesNotMatch']);
    expect(await refused(cfn.presignResponseUrl(sent.requestId, new Date(Date.now() - 7201_000)))).toEqual([403, 'AccessDenied']);
    expect(cfn.lateResponses).toEqual([]);

    // Still within its 7,200 s the URL takes any PUT, a late one included; CloudFormation ignores it.
    expect(await send(cfn.presignResponseUrl(sent.requestId, new Date(Date.now() - 7100_000)), 'PUT', answer)).toMatchObject({ status: 200 });
    expect(await send(url, 'PUT', answer)).toMatchObject({ status: 200 });
    expect(cfn.lateResponses).toHaveLength(2);
  });
});
