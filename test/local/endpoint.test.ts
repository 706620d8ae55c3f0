import { ChimeClient, CreateVoiceConnectorGroupCommand as LegacyCreate } from '@aws-sdk/client-chime';
import {
  ChimeSDKVoiceClient,
  CreateVoiceConnectorGroupCommand,
  DeleteVoiceConnectorGroupCommand,
  GetVoiceConnectorGroupCommand,
  ListVoiceConnectorGroupsCommand,
  UpdateVoiceConnectorGroupCommand,
  VoiceConnectorItem,
} from '@aws-sdk/client-chime-sdk-voice';
import { LIMITS } from '../../lib';
import { ChimeEndpoint, ErrorCode } from '../../local/endpoint';

/** The endpoint itself, spoken to by the real AWS SDK clients, as the handler speaks to it. */
const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
let endpoint: ChimeEndpoint;
let voice: ChimeSDKVoiceClient;
let east: string;
let west: string;

const clientIn = (region: string) => new ChimeSDKVoiceClient({ region, credentials, endpoint: `${endpoint.url}/chime-sdk-voice`, maxAttempts: 1 });
const create = (Name: string, VoiceConnectorItems: VoiceConnectorItem[] = []) => voice.send(new CreateVoiceConnectorGroupCommand({ Name, VoiceConnectorItems }));
const refusal = async (call: Promise<unknown>) => {
  const err = await call.then(
    () => undefined,
    (e: { name: string; message: string; $metadata: { httpStatusCode?: number } }) => e,
  );
  if (!err) throw new Error('the endpoint accepted the request');
  return { name: err.name, status: err.$metadata.httpStatusCode, message: err.message };
};

beforeEach(async () => {
  endpoint = await ChimeEndpoint.start({ groupQuota: 5 });
  voice = clientIn('us-east-1');
  east = endpoint.addConnector('us-east-1');
  west = endpoint.addConnector('us-west-2');
});
afterEach(async () => {
  voice.destroy();
  await endpoint.stop();
});

it('answers each operation with the status the API reference gives it', async () => {
  const created = await create('pbx', [{ VoiceConnectorId: east, Priority: 1 }]);
  const id = created.VoiceConnectorGroup!.VoiceConnectorGroupId!;
  const got = await voice.send(new GetVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id }));
  const updated = await voice.send(new UpdateVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id, Name: 'pbx-2', VoiceConnectorItems: [] }));
  const listed = await voice.send(new ListVoiceConnectorGroupsCommand({}));
  const deleted = await voice.send(new DeleteVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id }));

  expect([created, got, updated, listed, deleted].map((r) => r.$metadata.httpStatusCode)).toEqual([201, 200, 202, 200, 204]);
  expect(created.VoiceConnectorGroup).toMatchObject({ Name: 'pbx', VoiceConnectorItems: [{ VoiceConnectorId: east, Priority: 1 }], VoiceConnectorGroupArn: expect.stringContaining(id) });
  expect(created.VoiceConnectorGroup!.CreatedTimestamp).toBeInstanceOf(Date);
  expect(updated.VoiceConnectorGroup).toMatchObject({ VoiceConnectorGroupId: id, Name: 'pbx-2', VoiceConnectorItems: [] });
  expect(endpoint.groups.size).toBe(0);
  expect(endpoint.requests.map((r) => [r.operation, r.region, r.namespace])).toEqual(
    ['Create', 'Get', 'Update', 'List', 'Delete'].map((op) => [`${op}VoiceConnectorGroup${op === 'List' ? 's' : ''}`, 'us-east-1', 'chime-sdk-voice']),
  );
});

it('refuses a request without a SigV4 Authorization header with 401, as AWS does', async () => {
  const res = await fetch(`${endpoint.url}/chime-sdk-voice/voice-connector-groups`, { method: 'POST', body: JSON.stringify({ Name: 'unsigned' }) });

  expect(res.status).toBe(401);
  expect(res.headers.get('x-amzn-errortype')).toBe('UnauthorizedClientException');
  expect(await res.json()).toEqual({ Code: 'UnauthorizedClient', Message: expect.stringContaining('Authorization') });
  expect(endpoint.groups.size).toBe(0);
});

it.each<[ErrorCode, number]>([
  ['BadRequest', 400],
  ['NotFound', 404],
  ['Conflict', 409],
  ['ResourceLimitExceeded', 400],
  ['AccessDenied', 403],
  ['UnauthorizedClient', 401],
  ['Forbidden', 403],
  ['ThrottledClient', 429],
  ['ServiceFailure', 500],
  ['ServiceUnavailable', 503],
])('sends %s so that the SDK raises its exception class with status %i', async (code, status) => {
  endpoint.failNext(1, code);

  expect(await refusal(create('faulted'))).toEqual({ name: `${code}Exception`, status, message: `Injected ${code}` });
  expect(endpoint.requests).toEqual([expect.objectContaining({ operation: 'CreateVoiceConnectorGroup', status, faulted: true })]);
  expect(endpoint.groups.size).toBe(0);
});

it('applies the API rules for names, items, priorities and voice connectors', async () => {
  const rules = await Promise.all([
    refusal(create('')),
    refusal(create('x'.repeat(LIMITS.nameMaxLength + 1))),
    refusal(create('pbx/failover')),
    refusal(create('four', [east, west, endpoint.addConnector('eu-west-2'), endpoint.addConnector('ca-central-1')].map((id, i) => ({ VoiceConnectorId: id, Priority: i + 1 })))),
    refusal(create('low', [{ VoiceConnectorId: east, Priority: LIMITS.priorityMin - 1 }])),
    refusal(create('high', [{ VoiceConnectorId: east, Priority: LIMITS.priorityMax + 1 }])),
    refusal(create('twice', [{ VoiceConnectorId: east, Priority: 1 }, { VoiceConnectorId: east, Priority: 2 }])),
    refusal(create('unknown', [{ VoiceConnectorId: 'abcdef1ghij2klmno3pqr4', Priority: 1 }])),
  ]);

  expect(rules.map((r) => [r.name, r.status])).toEqual([
    ...Array(7).fill(['BadRequestException', 400]),
    ['NotFoundException', 404],
  ]);
  expect(endpoint.groups.size).toBe(0);
  const longest = await create('x'.repeat(LIMITS.nameMaxLength), [east, west].map((id, i) => ({ VoiceConnectorId: id, Priority: i + 1 })));
  expect(longest.VoiceConnectorGroup!.VoiceConnectorItems).toHaveLength(2);
});

it('keeps the legacy namespace apart and lets it use names Chime SDK Voice refuses', async () => {
  const legacy = new ChimeClient({ region: 'us-east-1', credentials, endpoint: `${endpoint.url}/chime`, maxAttempts: 1 });
  const made = await legacy.send(new LegacyCreate({ Name: 'pbx/legacy' }));
  legacy.destroy();

  expect(made.VoiceConnectorGroup).not.toHaveProperty('VoiceConnectorGroupArn');
  expect(endpoint.groupsIn('chime').map((g) => g.name)).toEqual(['pbx/legacy']);
  expect(await refusal(voice.send(new GetVoiceConnectorGroupCommand({ VoiceConnectorGroupId: made.VoiceConnectorGroup!.VoiceConnectorGroupId })))).toMatchObject({ name: 'NotFoundException' });
});

it('keeps groups per Region, read from the SigV4 scope', async () => {
  const made = await create('east-only');
  const westClient = clientIn('us-west-2');
  const seen = await refusal(westClient.send(new GetVoiceConnectorGroupCommand({ VoiceConnectorGroupId: made.VoiceConnectorGroup!.VoiceConnectorGroupId })));
  westClient.destroy();

  expect(seen).toMatchObject({ name: 'NotFoundException', status: 404 });
  expect(endpoint.groupsIn('chime-sdk-voice', 'us-east-1')).toHaveLength(1);
  expect(endpoint.groupsIn('chime-sdk-voice', 'us-west-2')).toHaveLength(0);
});

it('refuses to delete a group that has voice connectors or phone numbers', async () => {
  const withItems = (await create('items', [{ VoiceConnectorId: east, Priority: 1 }])).VoiceConnectorGroup!.VoiceConnectorGroupId!;
  const withNumbers = (await create('numbers')).VoiceConnectorGroup!.VoiceConnectorGroupId!;
  endpoint.associatePhoneNumbers(withNumbers, ['+12065550100']);

  expect(await refusal(voice.send(new DeleteVoiceConnectorGroupCommand({ VoiceConnectorGroupId: withItems })))).toMatchObject({ name: 'ConflictException', message: expect.stringContaining('VoiceConnectorItems') });
  expect(await refusal(voice.send(new DeleteVoiceConnectorGroupCommand({ VoiceConnectorGroupId: withNumbers })))).toMatchObject({ name: 'ConflictException', message: expect.stringContaining('phone numbers') });
  expect(endpoint.groups.size).toBe(2);
});

it('enforces the account quota of groups with ResourceLimitExceeded', async () => {
  for (let i = 0; i < 5; i++) await create(`g${i}`);

  expect(await refusal(create('one-too-many'))).toMatchObject({ name: 'ResourceLimitExceededException', status: 400 });
  expect(endpoint.groups.size).toBe(5);
});

it('pages ListVoiceConnectorGroups with NextToken', async () => {
  for (let i = 0; i < 5; i++) await create(`g${i}`);
  const pages: string[][] = [];
  let NextToken: string | undefined;
  do {
    const page = await voice.send(new ListVoiceConnectorGroupsCommand({ MaxResults: 2, NextToken }));
    pages.push(page.VoiceConnectorGroups!.map((g) => g.Name!));
    NextToken = page.NextToken;
  } while (NextToken);

  expect(pages).toEqual([['g0', 'g1'], ['g2', 'g3'], ['g4']]);
});

it('drops connections, adds latency and fails a seeded fraction of requests when told to', async () => {
  endpoint.dropNext(1);
  const dropped = await refusal(create('dropped'));
  endpoint.latencyMs = 150;
  const started = Date.now();
  await create('slow');
  const waited = Date.now() - started;
  endpoint.latencyMs = 0;

  expect(dropped.status).toBeUndefined();
  expect(waited).toBeGreaterThanOrEqual(140);
  expect(endpoint.requests.map((r) => r.status)).toEqual(['dropped', 201]);

  // The same seed throttles the same requests on every run.
  const outcomes = async (seed: number) => {
    const e = await ChimeEndpoint.start({ seed, groupQuota: 100 });
    e.failFraction(0.5, 'ThrottledClient');
    const client = new ChimeSDKVoiceClient({ region: 'us-east-1', credentials, endpoint: `${e.url}/chime-sdk-voice`, maxAttempts: 1 });
    const results: string[] = [];
    for (let i = 0; i < 20; i++) results.push(await client.send(new CreateVoiceConnectorGroupCommand({ Name: `f${i}` })).then(() => 'ok', (err: Error) => err.name));
    client.destroy();
    await e.stop();
    return results;
  };
  const first = await outcomes(7);
  expect(await outcomes(7)).toEqual(first);
  expect(first.filter((r) => r === 'ThrottledClientException').length).toBeGreaterThan(3);
  expect(first.filter((r) => r === 'ok').length).toBeGreaterThan(3);
});
