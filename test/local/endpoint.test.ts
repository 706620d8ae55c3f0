import { ChimeClient, CreateVoiceConnectorGroupCommand as LegacyCreate, ListPhoneNumbersCommand as LegacyListPhoneNumbers } from '@aws-sdk/client-chime';
import {
  ChimeSDKVoiceClient,
  CreateVoiceConnectorGroupCommand,
  DeleteVoiceConnectorGroupCommand,
  GetVoiceConnectorGroupCommand,
  ListPhoneNumbersCommand as VoiceListPhoneNumbers,
  ListVoiceConnectorGroupsCommand,
  UpdateVoiceConnectorGroupCommand,
  VoiceConnectorItem,
} from '@aws-sdk/client-chime-sdk-voice';
import { ChimeEndpoint, ErrorCode, Namespace } from '../../local/endpoint';
import { refusal } from './refusal';

/** The endpoint itself, spoken to by the real AWS SDK clients, as the handler speaks to it. */
const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
let endpoint: ChimeEndpoint;
let voice: ChimeSDKVoiceClient;
let east: string;
let west: string;

const clientIn = (region: string) => new ChimeSDKVoiceClient({ region, credentials, endpoint: `${endpoint.url}/chime-sdk-voice`, maxAttempts: 1 });
const create = (Name: string, VoiceConnectorItems: VoiceConnectorItem[] = []) => voice.send(new CreateVoiceConnectorGroupCommand({ Name, VoiceConnectorItems }));

beforeEach(async () => {
  endpoint = await ChimeEndpoint.start();
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

// The endpoint's own limits, as the API reference gives them (see local/chime/rules.ts), not lib/rules.ts's.
it('applies the API rules for names, items, priorities and voice connectors', async () => {
  const rules = await Promise.all([
    refusal(create('')),
    refusal(create('x'.repeat(257))),
    refusal(create('pbx/failover')),
    refusal(create('four', [east, west, endpoint.addConnector('eu-west-2'), endpoint.addConnector('ca-central-1')].map((id, i) => ({ VoiceConnectorId: id, Priority: i + 1 })))),
    refusal(create('low', [{ VoiceConnectorId: east, Priority: 0 }])),
    refusal(create('high', [{ VoiceConnectorId: east, Priority: 100 }])),
    refusal(create('twice', [{ VoiceConnectorId: east, Priority: 1 }, { VoiceConnectorId: east, Priority: 2 }])),
    refusal(create('unknown', [{ VoiceConnectorId: 'abcdef1ghij2klmno3pqr4', Priority: 1 }])),
  ]);

  expect(rules.map((r) => [r.name, r.status])).toEqual([
    ...Array(7).fill(['BadRequestException', 400]),
    ['NotFoundException', 404],
  ]);
  expect(endpoint.groups.size).toBe(0);
  const longest = await create('x'.repeat(256), [east, west].map((id, i) => ({ VoiceConnectorId: id, Priority: i + 1 })));
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

it('holds the account to the real default quota of 3 groups, counted across Regions and namespaces, with ResourceLimitExceeded', async () => {
  const westClient = clientIn('us-west-2');
  const legacy = new ChimeClient({ region: 'us-east-1', credentials, endpoint: `${endpoint.url}/chime`, maxAttempts: 1 });
  await create('east');
  await westClient.send(new CreateVoiceConnectorGroupCommand({ Name: 'west' }));
  await legacy.send(new LegacyCreate({ Name: 'legacy' }));

  const refusals = [
    await refusal(create('fourth')),
    await refusal(clientIn('eu-west-2').send(new CreateVoiceConnectorGroupCommand({ Name: 'elsewhere' }))),
    await refusal(legacy.send(new LegacyCreate({ Name: 'legacy-2' }))),
  ];
  westClient.destroy();
  legacy.destroy();

  expect(endpoint.groupQuota).toBe(3);
  for (const r of refusals) expect(r).toEqual({ name: 'ResourceLimitExceededException', status: 400, message: 'The account has reached its limit of 3 voice connector groups' });
  expect(endpoint.groups.size).toBe(3);
});

it('counts seeded groups against the quota, and lets a test raise it', async () => {
  for (const region of ['us-east-1', 'us-west-2', 'ca-central-1']) endpoint.addGroup('chime-sdk-voice', region, region);
  const refused = await refusal(create('fourth'));
  endpoint.groupQuota = 4;
  const made = await create('fourth');

  expect(refused).toMatchObject({ name: 'ResourceLimitExceededException' });
  expect(made.VoiceConnectorGroup!.Name).toBe('fourth');
});

it('pages ListVoiceConnectorGroups with NextToken', async () => {
  // Five groups make three pages of two; the account's default quota is 3.
  endpoint.groupQuota = 5;
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
    // Up to 20 groups, more than the default quota of 3, so that only the injected faults refuse.
    const e = await ChimeEndpoint.start({ seed, groupQuota: 20 });
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

it('lets a call take effect and then drops the connection, so the SDK retries a POST that already made a group', async () => {
  endpoint.commitThenDropNext(1, ['CreateVoiceConnectorGroup']);
  const retrying = new ChimeSDKVoiceClient({ region: 'us-east-1', credentials, endpoint: `${endpoint.url}/chime-sdk-voice`, maxAttempts: 3 });

  const made = await retrying.send(new CreateVoiceConnectorGroupCommand({ Name: 'twice' }));
  retrying.destroy();

  expect(made.$metadata.attempts).toBe(2);
  expect(endpoint.groupsIn('chime-sdk-voice').map((g) => g.name)).toEqual(['twice', 'twice']);
  expect(endpoint.requests.map((r) => [r.status, r.committed ?? false])).toEqual([
    ['dropped', true],
    [201, false],
  ]);
});

it('answers the next calls of one operation late, after they took effect', async () => {
  const made = (await create('slow')).VoiceConnectorGroup!.VoiceConnectorGroupId!;
  endpoint.delayNext(1, 300, ['UpdateVoiceConnectorGroup']);

  // A caller whose deadline comes before the answer gives up, though the rename took effect.
  const gaveUp = await voice
    .send(new UpdateVoiceConnectorGroupCommand({ VoiceConnectorGroupId: made, Name: 'renamed', VoiceConnectorItems: [] }), { abortSignal: AbortSignal.timeout(100) })
    .then(() => 'answered in time', (e: Error) => e.name);

  expect(gaveUp).toMatch(/Abort|Timeout/);
  expect(endpoint.groups.get(made)!.name).toBe('renamed');
  // Only the next call was slow.
  const started = Date.now();
  await voice.send(new GetVoiceConnectorGroupCommand({ VoiceConnectorGroupId: made }));
  await voice.send(new UpdateVoiceConnectorGroupCommand({ VoiceConnectorGroupId: made, Name: 'again', VoiceConnectorItems: [] }));
  expect(Date.now() - started).toBeLessThan(300);
});

it('lets the next call of one operation take effect only after a delay, whether or not its caller still waits', async () => {
  const made = (await create('late')).VoiceConnectorGroup!.VoiceConnectorGroupId!;
  endpoint.delayEffectNext(1, 300, ['UpdateVoiceConnectorGroup']);

  const gaveUp = await voice
    .send(new UpdateVoiceConnectorGroupCommand({ VoiceConnectorGroupId: made, Name: 'renamed', VoiceConnectorItems: [] }), { abortSignal: AbortSignal.timeout(100) })
    .then(() => 'answered in time', (e: Error) => e.name);

  // The caller gave up before the call took effect; it takes effect later all the same.
  expect(gaveUp).toMatch(/Abort|Timeout/);
  expect(endpoint.groups.get(made)!.name).toBe('late');
  await new Promise((resolve) => setTimeout(resolve, 400));
  expect(endpoint.groups.get(made)!.name).toBe('renamed');
});

it('lists groups created in the same millisecond in the order they were made', async () => {
  // Five groups, more than the default quota of 3, so that the order cannot come out right by chance.
  endpoint.groupQuota = 5;
  const sameInstant = jest.spyOn(Date.prototype, 'toISOString').mockReturnValue('2026-01-01T00:00:00.000Z');
  for (let i = 0; i < 5; i++) await create(`g${i}`);
  sameInstant.mockRestore();

  const listed = await voice.send(new ListVoiceConnectorGroupsCommand({}));

  expect(listed.VoiceConnectorGroups!.map((g) => g.Name)).toEqual(['g0', 'g1', 'g2', 'g3', 'g4']);
  expect(listed.VoiceConnectorGroups![0].CreatedTimestamp).toEqual(new Date('2026-01-01T00:00:00.000Z'));
});

/** One ListPhoneNumbers call through each namespace's own SDK client. */
type ListPage = (input: { FilterName: 'VoiceConnectorGroupId'; FilterValue: string; MaxResults?: number; NextToken?: string }) => Promise<{ PhoneNumbers?: { PhoneNumberId?: string }[]; NextToken?: string }>;
const listers: [Namespace, () => { list: ListPage; destroy(): void }][] = [
  [
    'chime-sdk-voice',
    () => {
      const client = new ChimeSDKVoiceClient({ region: 'us-east-1', credentials, endpoint: `${endpoint.url}/chime-sdk-voice`, maxAttempts: 1 });
      return { list: (input) => client.send(new VoiceListPhoneNumbers(input)), destroy: () => client.destroy() };
    },
  ],
  [
    'chime',
    () => {
      const client = new ChimeClient({ region: 'us-east-1', credentials, endpoint: `${endpoint.url}/chime`, maxAttempts: 1 });
      return { list: (input) => client.send(new LegacyListPhoneNumbers(input)), destroy: () => client.destroy() };
    },
  ],
];

describe.each(listers)('ListPhoneNumbers in the %s namespace', (namespace, clientOf) => {
  it('lists the numbers of one group, page by page, as the API returns them', async () => {
    const client = clientOf();
    const [a, b] = [endpoint.addGroup(namespace, 'us-east-1', 'a'), endpoint.addGroup(namespace, 'us-east-1', 'b')];
    endpoint.associatePhoneNumbers(a, ['+12065550100', '+12065550101', '+12065550102']);
    endpoint.associatePhoneNumbers(b, ['+12065550199']);

    const pages: string[][] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.list({ FilterName: 'VoiceConnectorGroupId', FilterValue: a, MaxResults: 2, NextToken });
      pages.push(page.PhoneNumbers!.map((n) => n.PhoneNumberId!));
      NextToken = page.NextToken;
      if (pages.length === 1) {
        expect(page.PhoneNumbers![0]).toMatchObject({
          E164PhoneNumber: '+12065550100',
          ProductType: 'VoiceConnector',
          Status: 'Assigned',
          Associations: [{ Name: 'VoiceConnectorGroupId', Value: a, AssociatedTimestamp: expect.any(Date) }],
        });
      }
    } while (NextToken);
    endpoint.failNext(1, 'ThrottledClient', ['ListPhoneNumbers']);
    const throttled = await refusal(client.list({ FilterName: 'VoiceConnectorGroupId', FilterValue: a }));
    client.destroy();

    expect(pages).toEqual([['+12065550100', '+12065550101'], ['+12065550102']]);
    expect(throttled.name).toBe('ThrottledClientException');
    expect(endpoint.requests.filter((r) => r.operation === 'ListPhoneNumbers').map((r) => r.namespace)).toEqual([namespace, namespace, namespace]);
  });
});
