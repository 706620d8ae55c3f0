import { ChimeClient, CreateVoiceConnectorGroupCommand as LegacyCreate, ListVoiceConnectorGroupsCommand as LegacyList } from '@aws-sdk/client-chime';
import {
  CallDistributionType,
  ChimeSDKVoiceClient,
  CreateVoiceConnectorGroupCommand,
  ListVoiceConnectorGroupsCommand,
  UpdateVoiceConnectorGroupCommand,
  UpdateVoiceConnectorGroupCommandInput,
} from '@aws-sdk/client-chime-sdk-voice';
import { ChimeEndpoint } from '../../local/endpoint';
import { refusal } from './refusal';

/**
 * The endpoint's own copy of the API's rules. The product's rules (lib/rules.ts) are replaced here
 * by wrong, lenient ones: the endpoint must still refuse what the API reference refuses, so a rule
 * the construct and the handler get wrong cannot pass against the endpoint too. Only the two
 * phone-number limits, which are this project's assumptions, keep their values.
 */
jest.mock('../../lib/rules', () => {
  const actual = jest.requireActual('../../lib/rules');
  return {
    ...actual,
    LIMITS: { ...actual.LIMITS, nameMinLength: 0, nameMaxLength: 10_000, maxItems: 10, priorityMin: 0, priorityMax: 1_000 },
    SDK_VOICE_NAME_PATTERN: /^.*$/,
    E164_PATTERN: /^.*$/,
  };
});

const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
let endpoint: ChimeEndpoint;
let voice: ChimeSDKVoiceClient;
let connectors: string[];

const items = (...priorities: number[]): { VoiceConnectorId: string; Priority: number }[] => priorities.map((Priority, i) => ({ VoiceConnectorId: connectors[i], Priority }));
const create = (Name: string, VoiceConnectorItems: { VoiceConnectorId: string; Priority: number }[] = [], CallDistributionType?: string) =>
  voice.send(new CreateVoiceConnectorGroupCommand({ Name, VoiceConnectorItems, CallDistributionType: CallDistributionType as CallDistributionType }));

beforeEach(async () => {
  endpoint = await ChimeEndpoint.start();
  voice = new ChimeSDKVoiceClient({ region: 'us-east-1', credentials, endpoint: `${endpoint.url}/chime-sdk-voice`, maxAttempts: 1 });
  connectors = ['us-east-1', 'us-west-2', 'eu-west-2', 'ca-central-1'].map((region) => endpoint.addConnector(region));
});
afterEach(async () => {
  voice.destroy();
  await endpoint.stop();
});

it.each<[string, () => Promise<unknown>, string]>([
  ['an empty name', () => create(''), 'Name has 0 characters; it must have 1 to 256'],
  ['a name of 257 characters', () => create('x'.repeat(257)), 'Name has 257 characters; it must have 1 to 256'],
  ['a name with a slash', () => create('pbx/failover'), 'Name "pbx/failover" does not satisfy the pattern [a-zA-Z0-9 _.-]+'],
  ['a name with a non-ASCII letter', () => create('Zürich'), 'Name "Zürich" does not satisfy the pattern [a-zA-Z0-9 _.-]+'],
  ['four voice connectors', () => create('four', items(1, 2, 3, 4)), 'VoiceConnectorItems has 4 members; a group holds at most 3'],
  ['priority 0', () => create('low', items(0)), 'Priority 0 is out of range; it must be from 1 to 99'],
  ['priority 100', () => create('high', items(100)), 'Priority 100 is out of range; it must be from 1 to 99'],
  ['a fractional priority', () => create('half', items(1.5)), 'Priority 1.5 is out of range; it must be from 1 to 99'],
  ['an unknown CallDistributionType', () => create('spread', [], 'RoundRobin'), 'CallDistributionType "RoundRobin" is not one of LoadBalancedDistribution, PriorityWeightedDistribution'],
])('refuses %s with BadRequest, whatever the product’s rules say', async (_, call, message) => {
  expect(await refusal(call())).toEqual({ name: 'BadRequestException', status: 400, message });
  expect(endpoint.groups.size).toBe(0);
});

it('accepts the limits themselves: 256 characters, 3 voice connectors, priorities 1 and 99, each call distribution', async () => {
  const longest = await create('x'.repeat(256), items(1, 99, 50));
  const spread = await create('a-Z 0_9.', [], 'PriorityWeightedDistribution');

  expect(longest.VoiceConnectorGroup!.VoiceConnectorItems).toHaveLength(3);
  expect(spread.VoiceConnectorGroup!.CallDistributionType).toBe('PriorityWeightedDistribution');
});

it('refuses an update without VoiceConnectorItems, which UpdateVoiceConnectorGroup requires', async () => {
  const id = endpoint.addGroup('chime-sdk-voice', 'us-east-1', 'pbx', items(1));
  const input = { VoiceConnectorGroupId: id, Name: 'renamed' } as UpdateVoiceConnectorGroupCommandInput;

  expect(await refusal(voice.send(new UpdateVoiceConnectorGroupCommand(input)))).toEqual({ name: 'BadRequestException', status: 400, message: 'VoiceConnectorItems is required' });
  expect(endpoint.groups.get(id)).toMatchObject({ name: 'pbx', items: items(1) });
});

it('applies the same length rule in the legacy namespace, but no name pattern, and refuses CallDistributionType there', async () => {
  const legacy = new ChimeClient({ region: 'us-east-1', credentials, endpoint: `${endpoint.url}/chime`, maxAttempts: 1 });
  const tooLong = await refusal(legacy.send(new LegacyCreate({ Name: 'x'.repeat(257) })));
  const slashed = await legacy.send(new LegacyCreate({ Name: 'pbx/legacy' }));
  // The current legacy client has no CallDistributionType member; a raw body is what a handler bug would send.
  const spread = await rawCreate(endpoint, 'chime', { Name: 'spread', CallDistributionType: 'LoadBalancedDistribution' });
  legacy.destroy();

  expect(tooLong).toEqual({ name: 'BadRequestException', status: 400, message: 'Name has 257 characters; it must have 1 to 256' });
  expect(slashed.VoiceConnectorGroup!.Name).toBe('pbx/legacy');
  expect(spread).toEqual({ status: 400, body: { Code: 'BadRequest', Message: 'CallDistributionType is not a member of the Amazon Chime request' } });
});

it('pages ListVoiceConnectorGroups up to 100 in Chime SDK Voice and 99 in the legacy namespace', async () => {
  const legacy = new ChimeClient({ region: 'us-east-1', credentials, endpoint: `${endpoint.url}/chime`, maxAttempts: 1 });
  const voice100 = await voice.send(new ListVoiceConnectorGroupsCommand({ MaxResults: 100 }));
  const voice101 = await refusal(voice.send(new ListVoiceConnectorGroupsCommand({ MaxResults: 101 })));
  const legacy99 = await legacy.send(new LegacyList({ MaxResults: 99 }));
  const legacy100 = await refusal(legacy.send(new LegacyList({ MaxResults: 100 })));
  legacy.destroy();

  expect([voice100.$metadata.httpStatusCode, legacy99.$metadata.httpStatusCode]).toEqual([200, 200]);
  expect(voice101).toEqual({ name: 'BadRequestException', status: 400, message: 'MaxResults must be from 1 to 100' });
  expect(legacy100).toEqual({ name: 'BadRequestException', status: 400, message: 'MaxResults must be from 1 to 99' });
});

it('holds inventory numbers to E.164 with its +, whatever the product’s pattern says', () => {
  expect(() => endpoint.addPhoneNumbers(['12065550100'])).toThrow('is not an E.164 number');
  expect(() => endpoint.addPhoneNumbers(['+02065550100'])).toThrow('is not an E.164 number');
});

/** A signed-looking request with a body the SDK clients would not send. */
async function rawCreate(e: ChimeEndpoint, namespace: 'chime' | 'chime-sdk-voice', body: object): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${e.url}/${namespace}/voice-connector-groups`, {
    method: 'POST',
    headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/chime/aws4_request, SignedHeaders=host, Signature=0' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}
