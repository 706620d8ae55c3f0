import { spawnSync } from 'child_process';
import * as path from 'path';
import { LocalCloudFormation } from '../../local/driver';
import { ChimeEndpoint } from '../../local/endpoint';
import { NODE22 } from '../../local/node22';
import { StackSpec, startFixture, stopFixture, writeAssembly } from './assembly';

/** The execution environment starts at the function's own Handler, as Lambda's Node.js runtime does. */
jest.setTimeout(30_000);

const STACK = 'Fixture';
let root: string;
let endpoint: ChimeEndpoint;
let cfn: LocalCloudFormation;

beforeEach(async () => {
  ({ root, endpoint, cfn } = await startFixture());
});
afterEach(() => stopFixture({ root, endpoint, cfn }));

const deploy = (resources: StackSpec['resources'], handler = 'index.handler') => cfn.deploy(writeAssembly(root, [{ name: STACK, handler, resources }]), STACK);

it('runs index.handler, which answers by PUT itself on the ResponseURL\'s own port, with a context that tells the time left', async () => {
  const result = await deploy({ Group: {} });

  expect(result.status).toBe('CREATE_COMPLETE');
  expect(result.events).toEqual([expect.objectContaining({ delivery: 1, status: 'SUCCESS', taken: true, physicalId: 'index-Group' })]);
  expect(result.events[0].data).toMatchObject({ Handler: 'index', CloudFormationEndpoint: cfn.api.url });
  expect(Number(result.events[0].data!.Remaining)).toBeGreaterThan(25_000);
  expect(Number(result.events[0].data!.Remaining)).toBeLessThanOrEqual(30_000);
  expect(cfn.violations).toEqual([]);
});

it('still runs CDK\'s __entrypoint__.handler when the template names it', async () => {
  const result = await deploy({ Group: {} }, '__entrypoint__.handler');

  expect(result.status).toBe('CREATE_COMPLETE');
  expect(result.events[0]).toMatchObject({ physicalId: 'phys-Group', data: expect.objectContaining({ Invocations: '1' }) });
});

it('labels the function\'s requests to the response URL with their delivery, whichever https.request call form (or fetch) it uses', async () => {
  const result = await deploy({ A: { PutForm: 'url-options', Probe: 'get' }, B: { PutForm: 'url-object' }, C: { PutForm: 'options' }, D: { PutForm: 'fetch' } });

  expect(result.status).toBe('CREATE_COMPLETE');
  expect(result.events.map((e) => e.delivery)).toEqual([1, 1, 1, 1]);
  const ids = new Map(cfn.sent.map((s) => [s.requestId, s.logicalId]));
  const seen = cfn.responseRequests.map((r) => [ids.get(String(r.delivery).split('#')[0]), r.method, r.status, String(r.delivery).split('#')[1]]);
  expect(seen.sort()).toEqual([
    ['A', 'GET', 403, '1'],
    ['A', 'PUT', 200, '1'],
    ['B', 'PUT', 200, '1'],
    ['C', 'PUT', 200, '1'],
    ['D', 'PUT', 200, '1'],
  ]);
});

it('treats an error the handler throws as a function error, which Lambda retries with the same event', async () => {
  const result = await deploy({ Group: { OnCreate: 'throw-first' } });

  expect(result.status).toBe('CREATE_COMPLETE');
  expect(result.events.map((e) => [e.delivery, e.cause, e.status, e.requestId])).toEqual([
    [1, 'event', 'UNANSWERED', cfn.sent[0].requestId],
    [2, 'retry', 'SUCCESS', cfn.sent[0].requestId],
  ]);
  expect(result.events[0].error).toBe('told to throw on the first delivery');
});

it('fails every invocation of a Handler the asset does not export', async () => {
  const result = await deploy({ Group: {} }, 'index.missing');

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.events.map((e) => [e.status, e.error])).toEqual([1, 2, 3].map(() => ['UNANSWERED', 'Runtime.HandlerNotFound: index.missing is undefined or not exported']));
});

it('refuses to start unless CloudFormation\'s API, like Chime\'s, points at 127.0.0.1', () => {
  const local = endpoint.env();
  const run = (cloudformation?: string) =>
    spawnSync(NODE22, [path.join(__dirname, '..', '..', 'local', 'lambda-host.js')], {
      env: { PATH: process.env.PATH, ...local, ...(cloudformation ? { AWS_ENDPOINT_URL_CLOUDFORMATION: cloudformation } : {}) },
      encoding: 'utf8',
    });

  for (const url of [undefined, 'https://cloudformation.us-east-1.amazonaws.com', 'http://10.0.0.1:80']) {
    const result = run(url);
    expect([result.status, result.stderr]).toEqual([2, expect.stringContaining('AWS_ENDPOINT_URL_CLOUDFORMATION must point at the local endpoint on 127.0.0.1')]);
  }
});
