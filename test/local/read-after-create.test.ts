import { ChimeClient, CreateVoiceConnectorGroupCommand as LegacyCreate, GetVoiceConnectorGroupCommand as LegacyGet } from '@aws-sdk/client-chime';
import {
  AssociatePhoneNumbersWithVoiceConnectorGroupCommand,
  ChimeSDKVoiceClient,
  CreateVoiceConnectorGroupCommand,
  DeleteVoiceConnectorGroupCommand,
  DisassociatePhoneNumbersFromVoiceConnectorGroupCommand,
  GetVoiceConnectorGroupCommand,
  ListPhoneNumbersCommand,
  ListVoiceConnectorGroupsCommand,
  UpdateVoiceConnectorGroupCommand,
} from '@aws-sdk/client-chime-sdk-voice';
import { ChimeEndpoint } from '../../local/endpoint';
import { refusal } from './refusal';

/**
 * The read-after-create lag: a group made through the API is invisible to the API for a while
 * (hashicorp/terraform-provider-aws#34218). The endpoint's clock is the test's, so nothing waits.
 */
const LAG_MS = 1_500;
const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
let endpoint: ChimeEndpoint;
let voice: ChimeSDKVoiceClient;
let now: number;

const create = async (Name: string) => (await voice.send(new CreateVoiceConnectorGroupCommand({ Name }))).VoiceConnectorGroup!.VoiceConnectorGroupId!;
const get = (VoiceConnectorGroupId: string) => voice.send(new GetVoiceConnectorGroupCommand({ VoiceConnectorGroupId }));
const listed = async () => (await voice.send(new ListVoiceConnectorGroupsCommand({}))).VoiceConnectorGroups!.map((g) => g.VoiceConnectorGroupId);
const numbersOf = async (FilterValue: string) =>
  (await voice.send(new ListPhoneNumbersCommand({ FilterName: 'VoiceConnectorGroupId', FilterValue }))).PhoneNumbers!.map((n) => n.PhoneNumberId);
/** Every call the lag must hide the group from, each as the SDK raised or answered it. */
const everyCall = (id: string) => ({
  get: refusal(get(id)),
  update: refusal(voice.send(new UpdateVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id, Name: 'renamed', VoiceConnectorItems: [] }))),
  delete: refusal(voice.send(new DeleteVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id }))),
  associate: refusal(voice.send(new AssociatePhoneNumbersWithVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id, E164PhoneNumbers: ['+12065550101'] }))),
  disassociate: refusal(voice.send(new DisassociatePhoneNumbersFromVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id, E164PhoneNumbers: ['+12065550100'] }))),
});

beforeEach(async () => {
  now = 1_000_000;
  endpoint = await ChimeEndpoint.start({ readAfterCreateLagMs: LAG_MS, clock: () => now });
  voice = new ChimeSDKVoiceClient({ region: 'us-east-1', credentials, endpoint: `${endpoint.url}/chime-sdk-voice`, maxAttempts: 1 });
  endpoint.addPhoneNumbers(['+12065550101']);
});
afterEach(async () => {
  voice.destroy();
  await endpoint.stop();
});

it('answers NotFound to Get, Update, Delete, Associate and Disassociate for a group made less than the lag ago, and leaves it unchanged', async () => {
  const id = await create('fresh');
  endpoint.associatePhoneNumbers(id, ['+12065550100']);
  now += LAG_MS - 1;

  const calls = everyCall(id);
  const answers = Object.fromEntries(await Promise.all(Object.entries(calls).map(async ([op, answer]) => [op, await answer])));

  for (const answer of Object.values(answers)) expect(answer).toEqual({ name: 'NotFoundException', status: 404, message: `Voice connector group ${id} not found` });
  expect(endpoint.isVisible(id)).toBe(false);
  expect(endpoint.groups.get(id)).toMatchObject({ name: 'fresh', phoneNumbers: ['+12065550100'] });
  expect(endpoint.phoneNumbers.get('+12065550101')!.association).toBeUndefined();
});

it('leaves the group out of ListVoiceConnectorGroups and answers an empty ListPhoneNumbers filtered by it during the lag', async () => {
  const old = endpoint.addGroup('chime-sdk-voice', 'us-east-1', 'old');
  const id = await create('fresh');
  endpoint.associatePhoneNumbers(id, ['+12065550100']);

  expect(await listed()).toEqual([old]);
  expect(await numbersOf(id)).toEqual([]);
  // Unfiltered, the inventory still shows the number and where it is.
  const all = await voice.send(new ListPhoneNumbersCommand({}));
  expect(all.PhoneNumbers!.find((n) => n.PhoneNumberId === '+12065550100')!.Associations).toEqual([expect.objectContaining({ Value: id })]);
});

it('shows the group to every call once the lag has passed', async () => {
  const id = await create('fresh');
  endpoint.associatePhoneNumbers(id, ['+12065550100']);
  now += LAG_MS;

  expect(endpoint.isVisible(id)).toBe(true);
  expect((await get(id)).VoiceConnectorGroup!.Name).toBe('fresh');
  expect(await listed()).toEqual([id]);
  expect(await numbersOf(id)).toEqual(['+12065550100']);
  const associated = await voice.send(new AssociatePhoneNumbersWithVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id, E164PhoneNumbers: ['+12065550101'] }));
  const disassociated = await voice.send(new DisassociatePhoneNumbersFromVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id, E164PhoneNumbers: ['+12065550100', '+12065550101'] }));
  const updated = await voice.send(new UpdateVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id, Name: 'renamed', VoiceConnectorItems: [] }));
  const deleted = await voice.send(new DeleteVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id }));
  expect([associated, disassociated, updated, deleted].map((r) => r.$metadata.httpStatusCode)).toEqual([200, 200, 202, 204]);
  expect(endpoint.groups.has(id)).toBe(false);
});

it('shows groups seeded with addGroup at once, as groups made long ago, in both namespaces', async () => {
  const seeded = endpoint.addGroup('chime-sdk-voice', 'us-east-1', 'seeded');
  const legacySeeded = endpoint.addGroup('chime', 'us-east-1', 'legacy');
  const legacy = new ChimeClient({ region: 'us-east-1', credentials, endpoint: `${endpoint.url}/chime`, maxAttempts: 1 });
  const legacyAnswer = await legacy.send(new LegacyGet({ VoiceConnectorGroupId: legacySeeded }));
  legacy.destroy();

  expect(endpoint.isVisible(seeded)).toBe(true);
  expect((await get(seeded)).VoiceConnectorGroup!.Name).toBe('seeded');
  expect(legacyAnswer.VoiceConnectorGroup!.Name).toBe('legacy');
});

it('hides a group made through the legacy namespace too', async () => {
  const legacy = new ChimeClient({ region: 'us-east-1', credentials, endpoint: `${endpoint.url}/chime`, maxAttempts: 1 });
  const id = (await legacy.send(new LegacyCreate({ Name: 'legacy' }))).VoiceConnectorGroup!.VoiceConnectorGroupId!;
  const during = await refusal(legacy.send(new LegacyGet({ VoiceConnectorGroupId: id })));
  now += LAG_MS;
  const after = await legacy.send(new LegacyGet({ VoiceConnectorGroupId: id }));
  legacy.destroy();

  expect(during).toMatchObject({ name: 'NotFoundException', status: 404 });
  expect(after.VoiceConnectorGroup!.VoiceConnectorGroupId).toBe(id);
});

it('applies a lag set after start to groups already made, and none when set to 0', async () => {
  endpoint.readAfterCreateLagMs = 0;
  const id = await create('direct');
  expect((await get(id)).VoiceConnectorGroup!.Name).toBe('direct');

  endpoint.readAfterCreateLagMs = 60_000;
  expect(await refusal(get(id))).toMatchObject({ name: 'NotFoundException' });
  expect(await listed()).toEqual([]);
  expect(endpoint.readAfterCreateLagMs).toBe(60_000);
});

it('has no lag unless asked, so the endpoint’s other tests see their groups at once', async () => {
  const direct = await ChimeEndpoint.start();
  const client = new ChimeSDKVoiceClient({ region: 'us-east-1', credentials, endpoint: `${direct.url}/chime-sdk-voice`, maxAttempts: 1 });
  const id = (await client.send(new CreateVoiceConnectorGroupCommand({ Name: 'direct' }))).VoiceConnectorGroup!.VoiceConnectorGroupId!;
  const got = await client.send(new GetVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id }));
  client.destroy();
  await direct.stop();

  expect(direct.readAfterCreateLagMs).toBe(0);
  expect(got.VoiceConnectorGroup!.VoiceConnectorGroupId).toBe(id);
});
