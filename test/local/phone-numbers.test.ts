import {
  AssociatePhoneNumbersWithVoiceConnectorGroupCommand as LegacyAssociate,
  ChimeClient,
  DeleteVoiceConnectorGroupCommand as LegacyDeleteGroup,
  DisassociatePhoneNumbersFromVoiceConnectorGroupCommand as LegacyDisassociate,
  ListPhoneNumbersCommand as LegacyListPhoneNumbers,
} from '@aws-sdk/client-chime';
import {
  AssociatePhoneNumbersWithVoiceConnectorGroupCommand,
  ChimeSDKVoiceClient,
  DeleteVoiceConnectorCommand,
  DeleteVoiceConnectorGroupCommand,
  DisassociatePhoneNumbersFromVoiceConnectorGroupCommand,
  ListPhoneNumbersCommand,
} from '@aws-sdk/client-chime-sdk-voice';
import { ChimeEndpoint, GROUP_OPERATIONS, MAX_PHONE_NUMBERS_PER_GROUP, MAX_PHONE_NUMBERS_PER_REQUEST, Namespace } from '../../local/endpoint';
import { refusal } from './refusal';

/** The endpoint's phone-number operations, spoken to by each namespace's real SDK client. */
const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
let endpoint: ChimeEndpoint;

interface PhoneNumberError {
  PhoneNumberId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}
interface Listed {
  PhoneNumberId?: string;
  ProductType?: string;
  Status?: string;
  Associations?: { Name?: string; Value?: string; AssociatedTimestamp?: Date }[];
}
interface ListInput {
  FilterName?: 'VoiceConnectorGroupId' | 'VoiceConnectorId';
  FilterValue?: string;
  ProductType?: 'VoiceConnector' | 'SipMediaApplicationDialIn';
  MaxResults?: number;
  NextToken?: string;
}
interface Answer {
  status?: number;
  attempts?: number;
  errors?: PhoneNumberError[];
}
/** The calls a test makes, the same for both namespaces. */
interface Api {
  associate(groupId: string, numbers: string[], force?: boolean): Promise<Answer>;
  disassociate(groupId: string, numbers: string[]): Promise<Answer>;
  list(input: ListInput): Promise<{ PhoneNumbers?: Listed[]; NextToken?: string }>;
  deleteGroup(groupId: string): Promise<unknown>;
  destroy(): void;
}

const answer = (r: { PhoneNumberErrors?: PhoneNumberError[]; $metadata: { httpStatusCode?: number; attempts?: number } }): Answer => ({
  status: r.$metadata.httpStatusCode,
  attempts: r.$metadata.attempts,
  errors: r.PhoneNumberErrors,
});

const apis: [Namespace, (maxAttempts?: number) => Api][] = [
  [
    'chime-sdk-voice',
    (maxAttempts = 1) => {
      const client = new ChimeSDKVoiceClient({ region: 'us-east-1', credentials, endpoint: `${endpoint.url}/chime-sdk-voice`, maxAttempts });
      return {
        associate: async (VoiceConnectorGroupId, E164PhoneNumbers, ForceAssociate) =>
          answer(await client.send(new AssociatePhoneNumbersWithVoiceConnectorGroupCommand({ VoiceConnectorGroupId, E164PhoneNumbers, ForceAssociate }))),
        disassociate: async (VoiceConnectorGroupId, E164PhoneNumbers) =>
          answer(await client.send(new DisassociatePhoneNumbersFromVoiceConnectorGroupCommand({ VoiceConnectorGroupId, E164PhoneNumbers }))),
        list: (input) => client.send(new ListPhoneNumbersCommand(input)),
        deleteGroup: (VoiceConnectorGroupId) => client.send(new DeleteVoiceConnectorGroupCommand({ VoiceConnectorGroupId })),
        destroy: () => client.destroy(),
      };
    },
  ],
  [
    'chime',
    (maxAttempts = 1) => {
      const client = new ChimeClient({ region: 'us-east-1', credentials, endpoint: `${endpoint.url}/chime`, maxAttempts });
      return {
        associate: async (VoiceConnectorGroupId, E164PhoneNumbers, ForceAssociate) =>
          answer(await client.send(new LegacyAssociate({ VoiceConnectorGroupId, E164PhoneNumbers, ForceAssociate }))),
        disassociate: async (VoiceConnectorGroupId, E164PhoneNumbers) => answer(await client.send(new LegacyDisassociate({ VoiceConnectorGroupId, E164PhoneNumbers }))),
        list: (input) => client.send(new LegacyListPhoneNumbers(input)),
        deleteGroup: (VoiceConnectorGroupId) => client.send(new LegacyDeleteGroup({ VoiceConnectorGroupId })),
        destroy: () => client.destroy(),
      };
    },
  ],
];


/** Fictional numbers (555-01xx and the like), `count` of them from `first`. */
const numbers = (count: number, first = 100) => Array.from({ length: count }, (_, i) => `+1206555${String(first + i).padStart(4, '0')}`);

beforeEach(async () => {
  endpoint = await ChimeEndpoint.start();
});
afterEach(async () => {
  await endpoint.stop();
});

describe.each(apis)('phone numbers in the %s namespace', (namespace, apiOf) => {
  let api: Api;
  let group: string;
  beforeEach(() => {
    api = apiOf();
    group = endpoint.addGroup(namespace, 'us-east-1', 'pbx');
  });
  afterEach(() => api.destroy());

  it('associates numbers from the inventory with a group, and again without error on a retry', async () => {
    const [a, b, c] = numbers(3);
    endpoint.addPhoneNumbers([a, b, c]);

    const first = await api.associate(group, [a, b]);
    const again = await api.associate(group, [a, b]);

    expect(first).toMatchObject({ status: 200, errors: [] });
    expect(again).toMatchObject({ status: 200, errors: [] });
    expect(endpoint.phoneNumbersOf(group)).toEqual([a, b]);
    expect(endpoint.groups.get(group)!.phoneNumbers).toEqual([a, b]);
    expect(endpoint.phoneNumbers.get(c)!.association).toBeUndefined();
    expect(endpoint.requests.map((r) => [r.operation, r.namespace, r.status])).toEqual(
      Array(2).fill(['AssociatePhoneNumbersWithVoiceConnectorGroup', namespace, 200]),
    );
  });

  it('answers 200 with an error for each number it cannot associate, naming where a taken number is, and associates the rest', async () => {
    const [ok, unknown, dialIn, onOtherGroup, onConnector] = numbers(5);
    const other = endpoint.addGroup(namespace, 'us-east-1', 'other');
    const connector = endpoint.addConnector('us-east-1');
    endpoint.addPhoneNumbers([ok]);
    endpoint.addPhoneNumbers([dialIn], { productType: 'SipMediaApplicationDialIn' });
    endpoint.associatePhoneNumbers(other, [onOtherGroup]);
    endpoint.associatePhoneNumbersWithConnector(connector, [onConnector]);

    const result = await api.associate(group, [ok, unknown, dialIn, onOtherGroup, onConnector]);

    expect(result.status).toBe(200);
    expect(result.errors).toEqual([
      { PhoneNumberId: unknown, ErrorCode: 'NotFound', ErrorMessage: expect.stringContaining('not found') },
      { PhoneNumberId: dialIn, ErrorCode: 'BadRequest', ErrorMessage: expect.stringContaining('SipMediaApplicationDialIn') },
      { PhoneNumberId: onOtherGroup, ErrorCode: 'PhoneNumberAssociationsExist', ErrorMessage: expect.stringContaining(`voice connector group ${other}`) },
      { PhoneNumberId: onConnector, ErrorCode: 'PhoneNumberAssociationsExist', ErrorMessage: expect.stringContaining(`voice connector ${connector}`) },
    ]);
    expect(endpoint.phoneNumbersOf(group)).toEqual([ok]);
    expect(endpoint.phoneNumbersOf(other)).toEqual([onOtherGroup]);
    expect(endpoint.phoneNumbersOf(connector)).toEqual([onConnector]);
    expect(endpoint.phoneNumbers.has(unknown)).toBe(false);
  });

  it('moves numbers associated with another group or a voice connector when ForceAssociate is set', async () => {
    const [onOtherGroup, onConnector, unknown] = numbers(3);
    const other = endpoint.addGroup(namespace, 'us-east-1', 'other');
    const connector = endpoint.addConnector('us-west-2');
    endpoint.associatePhoneNumbers(other, [onOtherGroup]);
    endpoint.associatePhoneNumbersWithConnector(connector, [onConnector]);

    const result = await api.associate(group, [onOtherGroup, onConnector, unknown], true);

    expect(result).toMatchObject({ status: 200, errors: [{ PhoneNumberId: unknown, ErrorCode: 'NotFound' }] });
    expect(endpoint.phoneNumbersOf(group)).toEqual([onOtherGroup, onConnector]);
    expect(endpoint.phoneNumbersOf(other)).toEqual([]);
    expect(endpoint.phoneNumbersOf(connector)).toEqual([]);
  });

  it('refuses a whole request for an unknown group, an empty or malformed list, or more numbers than the limits allow', async () => {
    const inventory = numbers(MAX_PHONE_NUMBERS_PER_REQUEST + 1);
    endpoint.addPhoneNumbers(inventory);
    const westGroup = endpoint.addGroup(namespace, 'us-west-2', 'west');

    const refused = [
      await refusal(api.associate('no-such-group', [inventory[0]])),
      await refusal(api.associate(westGroup, [inventory[0]])),
      await refusal(api.associate(group, [])),
      await refusal(api.associate(group, ['+0123456789'])),
      await refusal(api.associate(group, ['206-555-0100'])),
      await refusal(api.associate(group, inventory)),
      await refusal(api.disassociate('no-such-group', [inventory[0]])),
      await refusal(api.disassociate(group, [])),
      await refusal(api.disassociate(group, inventory)),
    ];

    expect(refused.map((r) => [r.name, r.status])).toEqual([
      ['NotFoundException', 404],
      ['NotFoundException', 404],
      ...Array(4).fill(['BadRequestException', 400]),
      ['NotFoundException', 404],
      ...Array(2).fill(['BadRequestException', 400]),
    ]);
    expect(refused[5].message).toContain(`at most ${MAX_PHONE_NUMBERS_PER_REQUEST}`);
    expect(endpoint.phoneNumbersOf(group)).toEqual([]);
    // Exactly the request limit is allowed.
    expect(await api.associate(group, inventory.slice(0, MAX_PHONE_NUMBERS_PER_REQUEST))).toMatchObject({ status: 200, errors: [] });
  });

  it(`holds at most ${MAX_PHONE_NUMBERS_PER_GROUP} numbers on a group and refuses a request that would pass it without associating any of it`, async () => {
    const full = numbers(MAX_PHONE_NUMBERS_PER_GROUP, 0);
    endpoint.associatePhoneNumbers(group, full.slice(0, -1));
    const [last, extra] = [full[full.length - 1], '+12065551000'];
    endpoint.addPhoneNumbers([last, extra]);

    const refused = await refusal(api.associate(group, [last, extra]));
    const filled = await api.associate(group, [last]);
    const repeated = await api.associate(group, [full[0], last]);
    const over = await refusal(api.associate(group, [extra]));

    expect(refused).toMatchObject({ name: 'BadRequestException', status: 400, message: expect.stringContaining(`limit of ${MAX_PHONE_NUMBERS_PER_GROUP}`) });
    expect(filled).toMatchObject({ status: 200, errors: [] });
    expect(repeated).toMatchObject({ status: 200, errors: [] });
    expect(over.name).toBe('BadRequestException');
    expect(endpoint.phoneNumbersOf(group)).toHaveLength(MAX_PHONE_NUMBERS_PER_GROUP);
    expect(endpoint.phoneNumbers.get(extra)!.association).toBeUndefined();
  });

  it('disassociates the group’s numbers and answers an error for each number the group does not hold', async () => {
    const [a, b, elsewhere, unassigned, unknown] = numbers(5);
    const other = endpoint.addGroup(namespace, 'us-east-1', 'other');
    endpoint.associatePhoneNumbers(group, [a, b]);
    endpoint.associatePhoneNumbers(other, [elsewhere]);
    endpoint.addPhoneNumbers([unassigned]);

    const result = await api.disassociate(group, [a, elsewhere, unassigned, unknown]);

    expect(result.status).toBe(200);
    expect(result.errors).toEqual([
      { PhoneNumberId: elsewhere, ErrorCode: 'NotFound', ErrorMessage: expect.stringContaining(`it is associated with voice connector group ${other}`) },
      { PhoneNumberId: unassigned, ErrorCode: 'NotFound', ErrorMessage: expect.stringContaining(`not associated with voice connector group ${group}`) },
      { PhoneNumberId: unknown, ErrorCode: 'NotFound', ErrorMessage: expect.stringContaining('not found') },
    ]);
    expect(endpoint.phoneNumbersOf(group)).toEqual([b]);
    expect(endpoint.phoneNumbersOf(other)).toEqual([elsewhere]);
    expect((await api.list({ FilterName: 'VoiceConnectorGroupId', FilterValue: group })).PhoneNumbers!.map((n) => n.PhoneNumberId)).toEqual([b]);
    expect((await api.list({})).PhoneNumbers!.find((n) => n.PhoneNumberId === a)).toMatchObject({ Status: 'Unassigned', Associations: [] });
  });

  it('lists numbers by group and by voice connector page by page, and the whole inventory unfiltered', async () => {
    const [g1, g2, g3, c1, c2, c3, free, dialIn] = numbers(8);
    const connector = endpoint.addConnector('us-east-1');
    endpoint.addPhoneNumbers([g1, g2, g3, free]);
    await api.associate(group, [g1, g2, g3]);
    endpoint.associatePhoneNumbersWithConnector(connector, [c1, c2, c3]);
    endpoint.addPhoneNumbers([dialIn], { productType: 'SipMediaApplicationDialIn' });
    const pages = async (input: ListInput) => {
      const all: Listed[][] = [];
      let NextToken: string | undefined;
      do {
        const page = await api.list({ ...input, NextToken });
        all.push(page.PhoneNumbers!);
        NextToken = page.NextToken;
      } while (NextToken);
      return all;
    };

    const byGroup = await pages({ FilterName: 'VoiceConnectorGroupId', FilterValue: group, MaxResults: 2 });
    const byConnector = await pages({ FilterName: 'VoiceConnectorId', FilterValue: connector, MaxResults: 2 });
    const everything = await pages({});
    const dialIns = await pages({ ProductType: 'SipMediaApplicationDialIn' });

    expect(byGroup.map((p) => p.map((n) => n.PhoneNumberId))).toEqual([[g1, g2], [g3]]);
    expect(byGroup[0][0]).toMatchObject({ ProductType: 'VoiceConnector', Status: 'Assigned', Associations: [{ Name: 'VoiceConnectorGroupId', Value: group, AssociatedTimestamp: expect.any(Date) }] });
    expect(byConnector.map((p) => p.map((n) => n.PhoneNumberId))).toEqual([[c1, c2], [c3]]);
    expect(byConnector[0][0].Associations).toEqual([{ Name: 'VoiceConnectorId', Value: connector, AssociatedTimestamp: expect.any(Date) }]);
    expect(everything.flat().map((n) => [n.PhoneNumberId, n.Status])).toEqual([
      [g1, 'Assigned'],
      [g2, 'Assigned'],
      [g3, 'Assigned'],
      [free, 'Unassigned'],
      [c1, 'Assigned'],
      [c2, 'Assigned'],
      [c3, 'Assigned'],
      [dialIn, 'Unassigned'],
    ]);
    expect(dialIns.flat().map((n) => n.PhoneNumberId)).toEqual([dialIn]);
  });

  it('refuses to delete a group while numbers are associated with it, and deletes it once they are disassociated', async () => {
    const [a, b] = numbers(2);
    endpoint.addPhoneNumbers([a, b]);
    await api.associate(group, [a, b]);

    const refused = await refusal(api.deleteGroup(group));
    await api.disassociate(group, [a, b]);
    await api.deleteGroup(group);

    expect(refused).toMatchObject({ name: 'ConflictException', status: 409, message: expect.stringContaining('phone numbers') });
    expect(endpoint.groups.has(group)).toBe(false);
    expect([...endpoint.phoneNumbers.values()].map((n) => n.association)).toEqual([undefined, undefined]);
  });

  it('faults the association calls with the group operations, and a retried association that had taken effect answers no errors', async () => {
    const [a, b] = numbers(2);
    endpoint.addPhoneNumbers([a, b]);
    expect(GROUP_OPERATIONS).toEqual(expect.arrayContaining(['AssociatePhoneNumbersWithVoiceConnectorGroup', 'DisassociatePhoneNumbersFromVoiceConnectorGroup']));

    endpoint.failNext(1, 'ThrottledClient');
    const throttled = await refusal(api.associate(group, [a]));
    endpoint.dropNext(1);
    const dropped = await refusal(api.associate(group, [a]));
    expect(endpoint.phoneNumbersOf(group)).toEqual([]);

    endpoint.commitThenDropNext(1, ['AssociatePhoneNumbersWithVoiceConnectorGroup']);
    const retrying = apiOf(3);
    const retried = await retrying.associate(group, [a, b]);
    endpoint.failNext(1, 'ServiceUnavailable');
    const unavailable = await refusal(api.disassociate(group, [a]));
    retrying.destroy();

    expect(throttled).toMatchObject({ name: 'ThrottledClientException', status: 429 });
    expect(dropped.status).toBeUndefined();
    expect(retried).toMatchObject({ status: 200, attempts: 2, errors: [] });
    expect(unavailable).toMatchObject({ name: 'ServiceUnavailableException', status: 503 });
    expect(endpoint.phoneNumbersOf(group)).toEqual([a, b]);
    expect(endpoint.requests.map((r) => [r.operation.replace(/PhoneNumbers.*/, ''), r.status, r.faulted, r.committed ?? false])).toEqual([
      ['Associate', 429, true, false],
      ['Associate', 'dropped', true, false],
      ['Associate', 'dropped', true, true],
      ['Associate', 200, false, false],
      ['Disassociate', 503, true, false],
    ]);
  });
});

it('refuses to delete a voice connector while numbers are associated with it', async () => {
  const voice = new ChimeSDKVoiceClient({ region: 'us-east-1', credentials, endpoint: `${endpoint.url}/chime-sdk-voice`, maxAttempts: 1 });
  const connector = endpoint.addConnector('us-east-1');
  endpoint.associatePhoneNumbersWithConnector(connector, ['+12065550100']);

  const refused = await refusal(voice.send(new DeleteVoiceConnectorCommand({ VoiceConnectorId: connector })));
  endpoint.phoneNumbers.get('+12065550100')!.association = undefined;
  await voice.send(new DeleteVoiceConnectorCommand({ VoiceConnectorId: connector }));
  voice.destroy();

  expect(refused).toMatchObject({ name: 'ConflictException', status: 409, message: expect.stringContaining('phone numbers') });
  expect(endpoint.connectors.has(connector)).toBe(false);
});

it('pages ListPhoneNumbers up to 100 in Chime SDK Voice and 99 in the legacy namespace, as each API reference allows', async () => {
  const [voiceApi, legacyApi] = apis.map(([, apiOf]) => apiOf());
  endpoint.addPhoneNumbers(numbers(101));

  const voicePage = await voiceApi.list({ MaxResults: 100 });
  const legacyRefusal = await refusal(legacyApi.list({ MaxResults: 100 }));
  const legacyPage = await legacyApi.list({ MaxResults: 99 });
  voiceApi.destroy();
  legacyApi.destroy();

  expect(voicePage.PhoneNumbers).toHaveLength(100);
  expect(voicePage.NextToken).toBeDefined();
  expect(legacyRefusal).toMatchObject({ name: 'BadRequestException', message: expect.stringContaining('1 to 99') });
  expect(legacyPage.PhoneNumbers).toHaveLength(99);
});

it('keeps its inventory consistent through the test hooks', () => {
  const group = endpoint.addGroup('chime-sdk-voice', 'us-east-1', 'pbx');
  const other = endpoint.addGroup('chime-sdk-voice', 'us-east-1', 'other');
  endpoint.addPhoneNumbers(['+12065550100'], { productType: 'SipMediaApplicationDialIn' });

  expect(() => endpoint.addPhoneNumbers(['12065550101'])).toThrow('not an E.164 number');
  expect(() => endpoint.addPhoneNumbers(['+12065550100'])).toThrow('already in the inventory');
  expect(() => endpoint.associatePhoneNumbers(group, ['+12065550100'])).toThrow('not a VoiceConnector number');
  expect(() => endpoint.associatePhoneNumbers('no-such-group', ['+12065550101'])).toThrow('no group');

  // Unknown numbers join the inventory as VoiceConnector numbers; known ones move.
  endpoint.associatePhoneNumbers(other, ['+12065550102']);
  endpoint.associatePhoneNumbers(group, ['+12065550101', '+12065550102']);
  expect(endpoint.phoneNumbers.get('+12065550101')).toMatchObject({ productType: 'VoiceConnector', association: { name: 'VoiceConnectorGroupId', value: group } });
  expect(endpoint.groups.get(other)!.phoneNumbers).toEqual([]);

  // Assigning a group's numbers, as a change outside CloudFormation, releases the ones left out.
  endpoint.groups.get(group)!.phoneNumbers = ['+12065550102'];
  expect(endpoint.phoneNumbersOf(group)).toEqual(['+12065550102']);
  expect(endpoint.phoneNumbers.get('+12065550101')!.association).toBeUndefined();
  expect(JSON.parse(JSON.stringify(endpoint.groups.get(group)))).toMatchObject({ name: 'pbx', phoneNumbers: ['+12065550102'] });
});
