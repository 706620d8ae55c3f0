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
import { mockClient } from 'aws-sdk-client-mock';
import { createEvent, deleteEvent, respondTo as respond, updateEvent } from './cfn';

/** The handler's phone-number paths, with the Chime SDK Voice client mocked. */
const sdk = mockClient(ChimeSDKVoiceClient);

const props = { apiNamespace: 'ChimeSDKVoice', apiRegion: 'us-east-1', voiceConnectorGroupName: 'pbx', voiceConnectorItems: [{ voiceConnectorId: 'vc-1', priority: 1 }] };
const group = { VoiceConnectorGroupId: 'grp-1', Name: 'pbx', VoiceConnectorItems: [{ VoiceConnectorId: 'vc-1', Priority: 1 }], CreatedTimestamp: new Date() };
const numbers = (count: number, from = 100) => Array.from({ length: count }, (_, i) => `+1206555${String(from + i).padStart(4, '0')}`);
const listed = (list: string[]) => ({ PhoneNumbers: list.map((n) => ({ E164PhoneNumber: n, PhoneNumberId: n })) });

const calls = (command: object) => sdk.commandCalls(command as never).map((c) => (c.args[0] as { input: Record<string, unknown> }).input);
const names = () => sdk.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''));
const log = () => (console.log as jest.Mock).mock.calls.map((args) => String(args[0])).join('\n');

beforeEach(() => {
  sdk.reset();
  // As the service lists them: every group a Create answered with.
  sdk.on(ListVoiceConnectorGroupsCommand).callsFake(async () => {
    const made = await Promise.all(sdk.commandCalls(CreateVoiceConnectorGroupCommand).map((c) => (c.returnValue as Promise<{ VoiceConnectorGroup?: object }>).catch(() => ({ VoiceConnectorGroup: undefined }))));
    return { VoiceConnectorGroups: made.flatMap((m) => (m.VoiceConnectorGroup ? [m.VoiceConnectorGroup] : [])) };
  });
  sdk.on(ListPhoneNumbersCommand).resolves({ PhoneNumbers: [] });
  sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });
  sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });
  sdk.on(UpdateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });
  sdk.on(AssociatePhoneNumbersWithVoiceConnectorGroupCommand).resolves({ PhoneNumberErrors: [] });
  sdk.on(DisassociatePhoneNumbersFromVoiceConnectorGroupCommand).resolves({ PhoneNumberErrors: [] });
  sdk.on(DeleteVoiceConnectorGroupCommand).resolves({});
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

describe('Create', () => {
  it('associates the numbers after making the group, in batches of 50, without forcing', async () => {
    const wanted = numbers(120);

    const response = await respond(createEvent({ ...props, phoneNumbers: wanted }));

    expect(response.Status).toBe('SUCCESS');
    const sent = calls(AssociatePhoneNumbersWithVoiceConnectorGroupCommand);
    expect(sent.map((c) => (c.E164PhoneNumbers as string[]).length)).toEqual([50, 50, 20]);
    expect(sent.flatMap((c) => c.E164PhoneNumbers as string[])).toEqual(wanted);
    expect(sent.every((c) => c.VoiceConnectorGroupId === 'grp-1' && c.ForceAssociate === false)).toBe(true);
  });

  it('forces the numbers with forceAssociate', async () => {
    await respond(createEvent({ ...props, phoneNumbers: numbers(2), forceAssociate: true }));

    expect(calls(AssociatePhoneNumbersWithVoiceConnectorGroupCommand)).toEqual([{ VoiceConnectorGroupId: 'grp-1', E164PhoneNumbers: numbers(2), ForceAssociate: true }]);
  });

  it('fails naming each refused number with its code, and leaves nothing behind', async () => {
    const [ok, taken, unknown] = numbers(3);
    sdk.on(AssociatePhoneNumbersWithVoiceConnectorGroupCommand).resolves({
      PhoneNumberErrors: [
        { PhoneNumberId: taken, ErrorCode: 'PhoneNumberAssociationsExist', ErrorMessage: 'associated with voice connector vc-9' },
        { PhoneNumberId: unknown, ErrorCode: 'NotFound', ErrorMessage: 'not in the inventory' },
      ],
    });

    const response = await respond(createEvent({ ...props, phoneNumbers: [ok, taken, unknown] }));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(`${taken} (PhoneNumberAssociationsExist: associated with voice connector vc-9), ${unknown} (NotFound: not in the inventory)`);
    expect(response.Reason).toContain('forceAssociate: true');
    expect(response.Reason).toContain(`Undone: everything this delivery changed (associated ${ok} with group grp-1; created group grp-1).`);
    expect(calls(DisassociatePhoneNumbersFromVoiceConnectorGroupCommand)).toEqual([{ VoiceConnectorGroupId: 'grp-1', E164PhoneNumbers: [ok] }]);
    expect(names().slice(-2)).toEqual(['UpdateVoiceConnectorGroup', 'DeleteVoiceConnectorGroup']);
    expect(log()).not.toContain(taken);
  });

  it('says which numbers taken with forceAssociate were released rather than moved back', async () => {
    const [forced, refused] = numbers(2);
    sdk.on(AssociatePhoneNumbersWithVoiceConnectorGroupCommand).resolves({ PhoneNumberErrors: [{ PhoneNumberId: refused, ErrorCode: 'NotFound', ErrorMessage: 'not in the inventory' }] });

    const response = await respond(createEvent({ ...props, phoneNumbers: [forced, refused], forceAssociate: true }));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(`associated ${forced} with group grp-1 (${forced}, taken with forceAssociate, are released, not moved back to where they were)`);
  });

  it('keeps a reason that names many refused numbers within 4,096 bytes', async () => {
    const wanted = numbers(50);
    sdk.on(AssociatePhoneNumbersWithVoiceConnectorGroupCommand).resolves({
      PhoneNumberErrors: wanted.map((n) => ({ PhoneNumberId: n, ErrorCode: 'NotFound', ErrorMessage: `${n} ${'is not in the inventory of this account '.repeat(5)}` })),
    });

    const response = await respond(createEvent({ ...props, phoneNumbers: wanted }));

    expect(response.bytes).toBeLessThanOrEqual(4096);
    expect(response.Reason).toContain('and 40 more');
  });
});

describe('Update', () => {
  it('associates what was added before it disassociates what was removed, and leaves unchanged numbers alone', async () => {
    const [kept, dropped, added] = numbers(3);
    sdk.on(ListPhoneNumbersCommand).resolves(listed([kept, dropped]));

    const response = await respond(updateEvent('grp-1', { ...props, phoneNumbers: [kept, added] }, { ...props, phoneNumbers: [kept, dropped] }));

    expect(response.Status).toBe('SUCCESS');
    // The group already has the declared name and connectors, so it gets no UpdateVoiceConnectorGroup.
    expect(names()).toEqual(['GetVoiceConnectorGroup', 'ListPhoneNumbers', 'AssociatePhoneNumbersWithVoiceConnectorGroup', 'DisassociatePhoneNumbersFromVoiceConnectorGroup']);
    expect(calls(AssociatePhoneNumbersWithVoiceConnectorGroupCommand)[0].E164PhoneNumbers).toEqual([added]);
    expect(calls(DisassociatePhoneNumbersFromVoiceConnectorGroupCommand)[0].E164PhoneNumbers).toEqual([dropped]);
  });

  it('leaves numbers it never declared alone, and associates nothing when the declared numbers did not change', async () => {
    const [declared, other] = numbers(2);
    sdk.on(ListPhoneNumbersCommand).resolves(listed([declared, other]));

    await respond(updateEvent('grp-1', { ...props, phoneNumbers: [declared] }, { ...props, phoneNumbers: [declared] }));

    expect(names()).toEqual(['GetVoiceConnectorGroup', 'ListPhoneNumbers']);
  });

  it('reports a declared number that drifted away in the log and does not fail an unrelated update', async () => {
    const [kept, drifted] = numbers(2);
    sdk.on(ListPhoneNumbersCommand).resolves(listed([kept]));

    const response = await respond(updateEvent('grp-1', { ...props, voiceConnectorGroupName: 'renamed', phoneNumbers: [kept, drifted] }, { ...props, phoneNumbers: [kept, drifted] }));

    expect(response.Status).toBe('SUCCESS');
    expect(names()).toEqual(['GetVoiceConnectorGroup', 'UpdateVoiceConnectorGroup', 'ListPhoneNumbers']);
    expect(log()).toContain('declared phone numbers are not on the group');
    expect(log()).toContain(`*******${drifted.slice(-4)}`);
    expect(log()).not.toContain(drifted);
  });

  it('releases before it adds when adding first would pass the per-group limit', async () => {
    const held = numbers(1000, 1000);
    const [added] = numbers(1);
    sdk.on(ListPhoneNumbersCommand).resolves(listed(held));

    const response = await respond(updateEvent('grp-1', { ...props, phoneNumbers: [...held.slice(1), added] }, { ...props, phoneNumbers: held }));

    expect(response.Status).toBe('SUCCESS');
    expect(names().slice(-2)).toEqual(['DisassociatePhoneNumbersFromVoiceConnectorGroup', 'AssociatePhoneNumbersWithVoiceConnectorGroup']);
    expect(calls(DisassociatePhoneNumbersFromVoiceConnectorGroupCommand)).toEqual([{ VoiceConnectorGroupId: 'grp-1', E164PhoneNumbers: [held[0]] }]);
  });

  it('releases the last numbers when the list becomes empty', async () => {
    const [only] = numbers(1);
    sdk.on(ListPhoneNumbersCommand).resolves(listed([only]));

    await respond(updateEvent('grp-1', { ...props, phoneNumbers: [] }, { ...props, phoneNumbers: [only] }));

    expect(calls(DisassociatePhoneNumbersFromVoiceConnectorGroupCommand)).toEqual([{ VoiceConnectorGroupId: 'grp-1', E164PhoneNumbers: [only] }]);
  });

  it('releases the numbers the old properties declared when the new ones declare none, as a rollback to a template without numbers needs', async () => {
    const [declared, other] = numbers(2);
    sdk.on(ListPhoneNumbersCommand).resolves(listed([declared, other]));
    const response = await respond(updateEvent('grp-1', props, { ...props, phoneNumbers: [declared] }));

    expect(response.Status).toBe('SUCCESS');
    expect(calls(DisassociatePhoneNumbersFromVoiceConnectorGroupCommand)).toEqual([{ VoiceConnectorGroupId: 'grp-1', E164PhoneNumbers: [declared] }]);
  });

  it('says how to release numbers when the role may no longer disassociate them', async () => {
    const [declared] = numbers(1);
    sdk.on(ListPhoneNumbersCommand).resolves(listed([declared]));
    sdk.on(DisassociatePhoneNumbersFromVoiceConnectorGroupCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));

    const response = await respond(updateEvent('grp-1', props, { ...props, phoneNumbers: [declared] }));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('deploy it with phoneNumbers: [] before removing the property or the group');
  });

  it('leaves the numbers alone when neither the old nor the new properties declare any', async () => {
    sdk.on(ListPhoneNumbersCommand).resolves(listed(numbers(1)));

    await respond(updateEvent('grp-1', props, props));

    expect(names()).toEqual(['GetVoiceConnectorGroup']);
  });

  it('puts the previous numbers back when removing fails, so the rollback starts from them', async () => {
    const [kept, dropped, added] = numbers(3);
    sdk.on(ListPhoneNumbersCommand).resolves(listed([kept, dropped]));
    sdk.on(DisassociatePhoneNumbersFromVoiceConnectorGroupCommand)
      .resolvesOnce({ PhoneNumberErrors: [{ PhoneNumberId: dropped, ErrorCode: 'BadRequest', ErrorMessage: 'in use' }] })
      .resolves({ PhoneNumberErrors: [] });

    const response = await respond(updateEvent('grp-1', { ...props, voiceConnectorGroupName: 'renamed', phoneNumbers: [kept, added] }, { ...props, phoneNumbers: [kept, dropped] }));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(`Could not disassociate phone numbers from voice connector group grp-1 of Group (ChimeSDKVoice): ${dropped} (BadRequest: in use)`);
    expect(response.Reason).toContain(`Undone: everything this delivery changed (associated ${added} with group grp-1; updated group grp-1).`);
    // The number added is released again.
    expect(calls(DisassociatePhoneNumbersFromVoiceConnectorGroupCommand).at(-1)).toEqual({ VoiceConnectorGroupId: 'grp-1', E164PhoneNumbers: [added] });
  });

  it('moves the numbers the old group holds to the replacement group, forcing only those', async () => {
    const [ours, elsewhere] = numbers(2);
    // The group is not found in us-west-2 but in us-east-1: a move. The old group holds `ours`.
    sdk.on(GetVoiceConnectorGroupCommand).callsFake(async (_input, getClient: () => ChimeSDKVoiceClient) => {
      if ((await getClient().config.region()) !== 'us-east-1') throw Object.assign(new Error('no such group'), { name: 'NotFoundException' });
      return { VoiceConnectorGroup: group };
    });
    sdk.on(ListPhoneNumbersCommand).resolves(listed([ours]));
    sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: { ...group, VoiceConnectorGroupId: 'grp-2' } });

    const response = await respond(updateEvent('grp-1', { ...props, apiRegion: 'us-west-2', phoneNumbers: [ours, elsewhere] }, { ...props, phoneNumbers: [ours] }));

    expect(response.PhysicalResourceId).toBe('grp-2');
    expect(calls(ListPhoneNumbersCommand)[0]).toMatchObject({ FilterValue: 'grp-1' });
    expect(calls(AssociatePhoneNumbersWithVoiceConnectorGroupCommand)).toEqual([
      { VoiceConnectorGroupId: 'grp-2', E164PhoneNumbers: [ours], ForceAssociate: true },
      { VoiceConnectorGroupId: 'grp-2', E164PhoneNumbers: [elsewhere], ForceAssociate: false },
    ]);
  });
});

describe('Delete', () => {
  it('releases the declared numbers, then detaches and deletes the group', async () => {
    const declared = numbers(2);
    sdk.on(ListPhoneNumbersCommand).resolves(listed(declared));

    const response = await respond(deleteEvent('grp-1', { ...props, phoneNumbers: declared }));

    expect(response.Status).toBe('SUCCESS');
    expect(names()).toEqual(['GetVoiceConnectorGroup', 'ListPhoneNumbers', 'DisassociatePhoneNumbersFromVoiceConnectorGroup', 'UpdateVoiceConnectorGroup', 'DeleteVoiceConnectorGroup']);
  });

  it('reads the declared numbers leniently: invalid entries never block the Delete', async () => {
    const [declared] = numbers(1);
    sdk.on(ListPhoneNumbersCommand).resolves(listed([declared]));

    const response = await respond(deleteEvent('grp-1', { ...props, phoneNumbers: [declared, 'not a number', 42] }));

    expect(response.Status).toBe('SUCCESS');
  });

  it('associates the numbers again when the delete fails after releasing them', async () => {
    const declared = numbers(2);
    sdk.on(ListPhoneNumbersCommand).resolves(listed(declared));
    sdk.on(DeleteVoiceConnectorGroupCommand).rejects(Object.assign(new Error('refused'), { name: 'ForbiddenException' }));

    const response = await respond(deleteEvent('grp-1', { ...props, phoneNumbers: declared }));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(`Undone: everything this delivery changed (detached vc-1 (priority 1) from group grp-1; released ${declared.join(', ')} from group grp-1).`);
    expect(calls(AssociatePhoneNumbersWithVoiceConnectorGroupCommand)).toEqual([{ VoiceConnectorGroupId: 'grp-1', E164PhoneNumbers: declared, ForceAssociate: false }]);
  });
});
