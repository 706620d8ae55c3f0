import {
  AssociatePhoneNumbersWithVoiceConnectorGroupCommand,
  ChimeSDKVoiceClient,
  CreateVoiceConnectorGroupCommand,
  DeleteVoiceConnectorGroupCommand,
  DisassociatePhoneNumbersFromVoiceConnectorGroupCommand,
  GetVoiceConnectorGroupCommand,
  ListPhoneNumbersCommand,
  ListVoiceConnectorGroupsCommand,
  NotFoundException,
  UpdateVoiceConnectorGroupCommand,
} from '@aws-sdk/client-chime-sdk-voice';
import { mockClient } from 'aws-sdk-client-mock';
import { CREATE_FAILED_MARKER } from '../../lambda/cfn-response';
import type { DescribeResource } from '../../lambda/ownership';
import { createEvent, respondTo, responseUrl, updateEvent } from './cfn';

/** Adoption through the handler asset's entry, with the Chime SDK Voice client mocked. */
const sdk = mockClient(ChimeSDKVoiceClient);

const ADOPTED = 'a6c3582e-ac81-40e1-9c6c-0a7ee79fb842';
const OTHER = 'b7d4693f-bd92-41f1-8d7d-1b8ff8a0c953';
const location = { apiNamespace: 'ChimeSDKVoice', apiRegion: 'us-east-1' };
const items = [
  { voiceConnectorId: 'vc-east', priority: 1 },
  { voiceConnectorId: 'vc-west', priority: 2 },
];
const wireItems = [
  { VoiceConnectorId: 'vc-east', Priority: 1 },
  { VoiceConnectorId: 'vc-west', Priority: 2 },
];
/** The group as someone made it by hand: another name, one connector, load balanced. */
const handMade = {
  VoiceConnectorGroupId: ADOPTED,
  VoiceConnectorGroupArn: `arn:aws:chime:us-east-1:123456789012:vcg/${ADOPTED}`,
  Name: 'hand-made',
  VoiceConnectorItems: [{ VoiceConnectorId: 'vc-old', Priority: 5 }],
  CallDistributionType: 'LoadBalancedDistribution' as const,
  CreatedTimestamp: new Date('2024-01-01T00:00:00Z'),
};
const handMadeInput = { Name: 'hand-made', VoiceConnectorItems: [{ VoiceConnectorId: 'vc-old', Priority: 5 }], CallDistributionType: 'LoadBalancedDistribution' };
const [A, B, C] = ['+12065550100', '+12065550101', '+12065550102'];
const notFound = () => new NotFoundException({ message: 'no such group', $metadata: { httpStatusCode: 404, attempts: 1 } });
const listed = (list: string[]) => ({ PhoneNumbers: list.map((n) => ({ E164PhoneNumber: n, PhoneNumberId: n })) });

const sent = () => sdk.calls().map((c) => [(c.args[0] as object).constructor.name.replace(/Command$/, ''), (c.args[0] as { input: object }).input]);
const names = () => sent().map(([name]) => name);
const MUTATING = ['CreateVoiceConnectorGroup', 'UpdateVoiceConnectorGroup', 'DeleteVoiceConnectorGroup', 'AssociatePhoneNumbersWithVoiceConnectorGroup', 'DisassociatePhoneNumbersFromVoiceConnectorGroup'];
const changes = () => sent().filter(([name]) => MUTATING.includes(name as string));
const log = () => (console.log as jest.Mock).mock.calls.map((args) => String(args[0])).join('\n');

beforeEach(() => {
  sdk.reset();
  sdk.on(GetVoiceConnectorGroupCommand, { VoiceConnectorGroupId: ADOPTED }).resolves({ VoiceConnectorGroup: handMade });
  sdk.on(UpdateVoiceConnectorGroupCommand).callsFake(async (input) => ({ VoiceConnectorGroup: { ...handMade, ...input } }));
  sdk.on(ListPhoneNumbersCommand).resolves({ PhoneNumbers: [] });
  sdk.on(AssociatePhoneNumbersWithVoiceConnectorGroupCommand).resolves({ PhoneNumberErrors: [] });
  sdk.on(DisassociatePhoneNumbersFromVoiceConnectorGroupCommand).resolves({ PhoneNumberErrors: [] });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

describe('Create with adoptVoiceConnectorGroupId', () => {
  it('reads the group and makes it match what is declared, instead of creating one; the physical ID is the adopted ID', async () => {
    const response = await respondTo(createEvent({ ...location, adoptVoiceConnectorGroupId: ADOPTED, voiceConnectorGroupName: 'pbx', voiceConnectorItems: items, callDistribution: 'PriorityWeightedDistribution' }));

    expect(sent()).toEqual([
      ['GetVoiceConnectorGroup', { VoiceConnectorGroupId: ADOPTED }],
      ['UpdateVoiceConnectorGroup', { VoiceConnectorGroupId: ADOPTED, Name: 'pbx', VoiceConnectorItems: wireItems, CallDistributionType: 'PriorityWeightedDistribution' }],
    ]);
    expect(response).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: ADOPTED,
      Data: { VoiceConnectorGroupId: ADOPTED, VoiceConnectorGroupName: 'pbx', VoiceConnectorGroupArn: handMade.VoiceConnectorGroupArn },
    });
  });

  it('keeps the name, connectors and call distribution the properties leave out, and changes nothing when nothing is declared', async () => {
    const response = await respondTo(createEvent({ ...location, adoptVoiceConnectorGroupId: ADOPTED }));

    expect(names()).toEqual(['GetVoiceConnectorGroup']);
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: ADOPTED, Data: { VoiceConnectorGroupName: 'hand-made' } });
  });

  it('never strips the connectors when the item list is left out: a rename sends them as they are', async () => {
    await respondTo(createEvent({ ...location, adoptVoiceConnectorGroupId: ADOPTED, voiceConnectorGroupName: 'pbx' }));

    expect(changes()).toEqual([['UpdateVoiceConnectorGroup', { VoiceConnectorGroupId: ADOPTED, ...handMadeInput, Name: 'pbx' }]]);
  });

  it('detaches every connector only when the properties declare an empty item list', async () => {
    await respondTo(createEvent({ ...location, adoptVoiceConnectorGroupId: ADOPTED, voiceConnectorItems: [] }));

    expect(changes()).toEqual([['UpdateVoiceConnectorGroup', { VoiceConnectorGroupId: ADOPTED, ...handMadeInput, VoiceConnectorItems: [] }]]);
  });

  it('associates the declared numbers the group lacks, without forcing, and leaves the numbers it does not declare', async () => {
    sdk.on(ListPhoneNumbersCommand).resolves(listed([B, C]));

    const response = await respondTo(createEvent({ ...location, adoptVoiceConnectorGroupId: ADOPTED, phoneNumbers: [A, B] }));

    expect(response.Status).toBe('SUCCESS');
    expect(changes()).toEqual([['AssociatePhoneNumbersWithVoiceConnectorGroup', { VoiceConnectorGroupId: ADOPTED, E164PhoneNumbers: [A], ForceAssociate: false }]]);
  });

  it('waits out the read lag of a group made moments ago before it concludes the group is not there', async () => {
    sdk.on(GetVoiceConnectorGroupCommand, { VoiceConnectorGroupId: ADOPTED }).rejectsOnce(notFound()).resolves({ VoiceConnectorGroup: handMade });

    const response = await respondTo(createEvent({ ...location, adoptVoiceConnectorGroupId: ADOPTED }));

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: ADOPTED });
    expect(names()).toEqual(['GetVoiceConnectorGroup', 'GetVoiceConnectorGroup']);
  });

  it('fails a group that is not there, naming the ID and where it looked, answering no group and changing nothing', async () => {
    sdk.on(GetVoiceConnectorGroupCommand).rejects(notFound());

    const response = await respondTo(createEvent({ ...location, apiRegion: 'us-west-2', adoptVoiceConnectorGroupId: ADOPTED, voiceConnectorGroupName: 'pbx' }));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(`adoptVoiceConnectorGroupId: there is no voice connector group ${ADOPTED} in ChimeSDKVoice us-west-2, where the resource looked for it`);
    expect(response.Reason).toContain('set apiNamespace and apiRegion to where the group lives');
    expect(response.PhysicalResourceId).toBe(CREATE_FAILED_MARKER);
    expect(changes()).toEqual([]);
    expect(sdk.commandCalls(CreateVoiceConnectorGroupCommand)).toHaveLength(0);
  });

  it('refuses an adoption ID that is not a group ID, with the rule the construct applies, before any call', async () => {
    const response = await respondTo(createEvent({ ...location, adoptVoiceConnectorGroupId: 'not a group' }));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain("adoptVoiceConnectorGroupId: 'not a group' is not a voice connector group ID");
    expect(sent()).toEqual([]);
  });

  it('puts the group back exactly as it was read when a declared number fails, and never answers with the adopted ID', async () => {
    sdk.on(AssociatePhoneNumbersWithVoiceConnectorGroupCommand).resolves({ PhoneNumberErrors: [{ PhoneNumberId: B, ErrorCode: 'NotFound', ErrorMessage: 'not in the inventory' }] });

    const response = await respondTo(
      createEvent({ ...location, adoptVoiceConnectorGroupId: ADOPTED, voiceConnectorGroupName: 'pbx', voiceConnectorItems: items, callDistribution: 'PriorityWeightedDistribution', phoneNumbers: [A, B] }),
    );

    expect(response.Status).toBe('FAILED');
    expect(response.PhysicalResourceId).toBe(CREATE_FAILED_MARKER);
    expect(response.Reason).toContain(`${B} (NotFound: not in the inventory)`);
    expect(response.Reason).toContain(`Undone: everything this delivery changed (associated ${A} with group ${ADOPTED}; updated group ${ADOPTED}`);
    // Newest first: the number this delivery associated is released, then the group is written back as read.
    expect(changes().slice(-2)).toEqual([
      ['DisassociatePhoneNumbersFromVoiceConnectorGroup', { VoiceConnectorGroupId: ADOPTED, E164PhoneNumbers: [A] }],
      ['UpdateVoiceConnectorGroup', { VoiceConnectorGroupId: ADOPTED, ...handMadeInput }],
    ]);
    expect(sdk.commandCalls(DeleteVoiceConnectorGroupCommand)).toHaveLength(0);
  });

  it('undoes nothing when another delivery of the request adopted the group and CloudFormation recorded it', async () => {
    sdk.on(AssociatePhoneNumbersWithVoiceConnectorGroupCommand).resolves({ PhoneNumberErrors: [{ PhoneNumberId: A, ErrorCode: 'Throttled', ErrorMessage: 'slow down' }] });
    const issued = Date.now();
    let asked = 0;
    // The first look (when the delivery starts) finds the request waited for; by the time this delivery fails, another's answer was taken.
    const describe: DescribeResource = async () =>
      ++asked === 1 ? { status: 'CREATE_IN_PROGRESS', lastUpdated: new Date(issued - 200) } : { status: 'CREATE_COMPLETE', physicalId: ADOPTED, lastUpdated: new Date() };

    const response = await respondTo({ ...createEvent({ ...location, adoptVoiceConnectorGroupId: ADOPTED, voiceConnectorGroupName: 'pbx', phoneNumbers: [A] }), ResponseURL: responseUrl(issued) }, {}, describe);

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(`Another delivery of this request finished it, and CloudFormation records group ${ADOPTED}: nothing this delivery changed was undone (updated group ${ADOPTED}).`);
    expect(changes().map(([name]) => name)).toEqual(['UpdateVoiceConnectorGroup', 'AssociatePhoneNumbersWithVoiceConnectorGroup']);
  });

  it('changes nothing when it arrives after CloudFormation took an answer for the request', async () => {
    const describe: DescribeResource = async () => ({ status: 'CREATE_COMPLETE', physicalId: ADOPTED, lastUpdated: new Date() });

    const response = await respondTo(createEvent({ ...location, adoptVoiceConnectorGroupId: ADOPTED, voiceConnectorGroupName: 'pbx' }), {}, describe);

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('came after CloudFormation had taken an answer');
    expect(sent()).toEqual([]);
  });

  it('undoes its adoption after answering when CloudFormation recorded another answer for the request', async () => {
    const issued = Date.now();
    let answered = false;
    const describe: DescribeResource = async () =>
      answered ? { status: 'CREATE_FAILED', lastUpdated: new Date() } : { status: 'CREATE_IN_PROGRESS', lastUpdated: new Date(issued - 200) };
    sdk.on(UpdateVoiceConnectorGroupCommand).callsFake(async (input) => {
      answered = sdk.commandCalls(UpdateVoiceConnectorGroupCommand).length === 1;
      return { VoiceConnectorGroup: { ...handMade, ...input } };
    });

    const response = await respondTo({ ...createEvent({ ...location, adoptVoiceConnectorGroupId: ADOPTED, voiceConnectorGroupName: 'pbx' }), ResponseURL: responseUrl(issued) }, {}, describe);

    expect(response.Status).toBe('SUCCESS');
    expect(changes()).toEqual([
      ['UpdateVoiceConnectorGroup', { VoiceConnectorGroupId: ADOPTED, ...handMadeInput, Name: 'pbx' }],
      ['UpdateVoiceConnectorGroup', { VoiceConnectorGroupId: ADOPTED, ...handMadeInput }],
    ]);
    expect(log()).toContain('CloudFormation recorded another answer for this request; this delivery undid what it did');
  });
});

describe('Update of an adopted group', () => {
  const adopted = { ...location, adoptVoiceConnectorGroupId: ADOPTED };

  it('changes nothing when the property is removed and everything else is declared as it is', async () => {
    const declared = { ...location, ...{ voiceConnectorGroupName: 'hand-made', voiceConnectorItems: [{ voiceConnectorId: 'vc-old', priority: 5 }], callDistribution: 'LoadBalancedDistribution' } };

    const response = await respondTo(updateEvent(ADOPTED, declared, { ...declared, adoptVoiceConnectorGroupId: ADOPTED }));

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: ADOPTED, Data: { VoiceConnectorGroupName: 'hand-made' } });
    expect(names()).toEqual(['GetVoiceConnectorGroup']);
  });

  it('refuses to rename the group or detach its connectors when the property goes and the construct would declare its defaults for them', async () => {
    const response = await respondTo(updateEvent(ADOPTED, { ...location, voiceConnectorGroupName: 'Telephony-Group-1A2B', voiceConnectorItems: [] }, adopted));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(
      "removing adoptVoiceConnectorGroupId would rename it from 'hand-made' to 'Telephony-Group-1A2B' (declare voiceConnectorGroupName: 'hand-made'); " +
        'change its voice connectors from vc-old (priority 5) to none (declare voiceConnectorItems as they are); ' +
        "change its call distribution from LoadBalancedDistribution to the service's default (declare callDistribution: 'LoadBalancedDistribution')",
    );
    expect(response.PhysicalResourceId).toBe(ADOPTED);
    expect(changes()).toEqual([]);
  });

  it('keeps what the properties leave out when the property stays and another property changes', async () => {
    const response = await respondTo(updateEvent(ADOPTED, { ...adopted, voiceConnectorGroupName: 'renamed' }, adopted));

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: ADOPTED });
    expect(changes()).toEqual([['UpdateVoiceConnectorGroup', { VoiceConnectorGroupId: ADOPTED, ...handMadeInput, Name: 'renamed' }]]);
  });

  it('replaces the resource when the property points at another group: a new physical ID, the old group untouched', async () => {
    sdk.on(GetVoiceConnectorGroupCommand, { VoiceConnectorGroupId: OTHER }).resolves({ VoiceConnectorGroup: { ...handMade, VoiceConnectorGroupId: OTHER, Name: 'other' } });

    const response = await respondTo(updateEvent(ADOPTED, { ...location, adoptVoiceConnectorGroupId: OTHER }, adopted));

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: OTHER, Data: { VoiceConnectorGroupName: 'other' } });
    expect(sent()).toEqual([['GetVoiceConnectorGroup', { VoiceConnectorGroupId: OTHER }]]);
  });

  it('adopts a group in place of one the resource made when the property is added, and moves the declared numbers the old group holds', async () => {
    sdk.on(ListPhoneNumbersCommand, { FilterName: 'VoiceConnectorGroupId', FilterValue: 'grp-made' }).resolves(listed([A]));
    const made = { ...location, voiceConnectorGroupName: 'made', voiceConnectorItems: items, phoneNumbers: [A] };

    const response = await respondTo(updateEvent('grp-made', { ...made, adoptVoiceConnectorGroupId: ADOPTED }, made));

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: ADOPTED });
    expect(changes().at(-1)).toEqual(['AssociatePhoneNumbersWithVoiceConnectorGroup', { VoiceConnectorGroupId: ADOPTED, E164PhoneNumbers: [A], ForceAssociate: true }]);
  });

  it('fails, making no group, when the adopted group was deleted outside CloudFormation', async () => {
    sdk.on(GetVoiceConnectorGroupCommand).rejects(notFound());

    const response = await respondTo(updateEvent(ADOPTED, { ...adopted, voiceConnectorGroupName: 'renamed' }, adopted));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(`voice connector group ${ADOPTED}, adopted with adoptVoiceConnectorGroupId, is no longer in ChimeSDKVoice us-east-1`);
    expect(changes()).toEqual([]);
    expect(sdk.commandCalls(ListVoiceConnectorGroupsCommand)).toHaveLength(0);
  });
});
