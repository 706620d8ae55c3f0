import {
  ChimeSDKVoiceClient,
  AccessDeniedException,
  AssociatePhoneNumbersWithVoiceConnectorGroupCommand,
  ConflictException,
  ForbiddenException,
  CreateVoiceConnectorGroupCommand,
  DeleteVoiceConnectorGroupCommand,
  DisassociatePhoneNumbersFromVoiceConnectorGroupCommand,
  GetVoiceConnectorGroupCommand,
  ListPhoneNumbersCommand,
  ListVoiceConnectorGroupsCommand,
  NotFoundException,
  ResourceLimitExceededException,
  ServiceFailureException,
  ThrottledClientException,
  UpdateVoiceConnectorGroupCommand,
} from '@aws-sdk/client-chime-sdk-voice';
import { ChimeClient } from '@aws-sdk/client-chime';
import { mockClient } from 'aws-sdk-client-mock';
import { RESPONSE_RESERVE_MS } from '../../lambda/framework';
import type { DescribeResource } from '../../lambda/ownership';
import { createEvent, deleteEvent, respondTo, responseUrl, TEST_READ_LAG_WINDOW_MS, updateEvent } from './cfn';

/** The handler asset's entry, with the Chime SDK Voice client mocked; the legacy client is tested through its seam in chime.test.ts. */
const sdk = mockClient(ChimeSDKVoiceClient);
const respond = respondTo;
/** A Lambda context with 3 s left before the answer must go: failures that are retried until the deadline end quickly. */
const nearDeadline = { getRemainingTimeInMillis: () => RESPONSE_RESERVE_MS + 3_000 };

const props = {
  apiNamespace: 'ChimeSDKVoice',
  apiRegion: 'us-east-1',
  voiceConnectorGroupName: 'pbx-failover',
  voiceConnectorItems: [
    { voiceConnectorId: 'vc-east', priority: 1 },
    { voiceConnectorId: 'vc-west', priority: 2 },
  ],
};
const bare = { ...props, voiceConnectorItems: [] };
const wireItems = [
  { VoiceConnectorId: 'vc-east', Priority: 1 },
  { VoiceConnectorId: 'vc-west', Priority: 2 },
];
const group = { VoiceConnectorGroupId: 'grp-1', VoiceConnectorGroupArn: 'arn:aws:chime:us-east-1:123456789012:vcg/grp-1', Name: 'pbx-failover' };
/** A group as the service lists it: made `agoMs` before now. */
const listed = (id: string, agoMs: number, extra: object = {}) => ({
  ...group,
  VoiceConnectorGroupId: id,
  VoiceConnectorItems: wireItems,
  CreatedTimestamp: new Date(Date.now() - agoMs),
  ...extra,
});
/** The event as a later delivery carries it: CloudFormation issued the request `agoMs` before now. */
const issuedAgo = <T extends object>(event: T, agoMs: number): T => ({ ...event, ResponseURL: responseUrl(Date.now() - agoMs) });
const notFound = (message = 'no such group') => new NotFoundException({ message, $metadata: { httpStatusCode: 404, attempts: 1 } });

/** The commands sent, in order, as [command name, input]. */
const sent = () => sdk.calls().map((c) => [(c.args[0] as object).constructor.name.replace(/Command$/, ''), (c.args[0] as { input: object }).input]);
const names = () => sent().map(([name]) => name);
const regionOfCall = (i: number) => (sdk.call(i).thisValue as ChimeSDKVoiceClient).config.region();

beforeEach(() => {
  sdk.reset();
  // As the service lists them: every group a Create answered with.
  sdk.on(ListVoiceConnectorGroupsCommand).callsFake(async () => {
    const made = await Promise.all(sdk.commandCalls(CreateVoiceConnectorGroupCommand).map((c) => (c.returnValue as Promise<{ VoiceConnectorGroup?: object }>).catch(() => ({ VoiceConnectorGroup: undefined }))));
    return { VoiceConnectorGroups: made.flatMap((m) => (m.VoiceConnectorGroup ? [m.VoiceConnectorGroup] : [])) };
  });
  sdk.on(ListPhoneNumbersCommand).resolves({ PhoneNumbers: [] });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  jest.restoreAllMocks();
  delete process.env.AWS_REGION;
});

describe('Create', () => {
  it('looks for a group another delivery of the event made, creates the group once, and looks again', async () => {
    sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });

    const response = await respond(createEvent({ ...props, callDistribution: 'PriorityWeightedDistribution' }));

    expect(sent()).toEqual([
      ['ListVoiceConnectorGroups', { MaxResults: 99 }],
      ['CreateVoiceConnectorGroup', { Name: 'pbx-failover', VoiceConnectorItems: wireItems, CallDistributionType: 'PriorityWeightedDistribution' }],
      ['ListVoiceConnectorGroups', { MaxResults: 99 }],
    ]);
    expect(response).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'grp-1',
      Data: { VoiceConnectorGroupId: 'grp-1', VoiceConnectorGroupArn: group.VoiceConnectorGroupArn, VoiceConnectorGroupName: 'pbx-failover' },
    });
  });

  it('calls the API in the Region the properties name, with SDK retries raised for throttling', async () => {
    sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });

    await respond(createEvent({ ...bare, apiRegion: 'us-west-2' }));

    expect(await regionOfCall(0)).toBe('us-west-2');
    expect(await regionOfCall(1)).toBe('us-west-2');
    expect(await (sdk.call(1).thisValue as ChimeSDKVoiceClient).config.maxAttempts()).toBe(8);
    expect(sent()[1]).toEqual(['CreateVoiceConnectorGroup', { Name: 'pbx-failover', VoiceConnectorItems: [] }]);
  });

  it('reuses one SDK client per Region across invocations, as a warm function does', async () => {
    sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });

    await respond(createEvent(props));
    await respond(createEvent(props));
    await respond(createEvent({ ...props, apiRegion: 'eu-central-1' }));

    const clients = sdk.calls().map((c) => c.thisValue);
    expect(new Set(clients.slice(0, 6)).size).toBe(1);
    expect(clients[6]).not.toBe(clients[0]);
  });

  it('follows the pages of ListVoiceConnectorGroups', async () => {
    sdk.on(ListVoiceConnectorGroupsCommand).resolvesOnce({ VoiceConnectorGroups: [], NextToken: 'page-2' }).resolves({ VoiceConnectorGroups: [listed('grp-0', 1_000)] });

    const response = await respond(createEvent(props));

    expect(sent()).toEqual([
      ['ListVoiceConnectorGroups', { MaxResults: 99 }],
      ['ListVoiceConnectorGroups', { MaxResults: 99, NextToken: 'page-2' }],
    ]);
    expect(response.PhysicalResourceId).toBe('grp-0');
  });

  it('takes the group an earlier delivery of the same event made instead of making another', async () => {
    // The request was issued two minutes ago; an earlier delivery made grp-0 a minute ago, then timed out before it answered.
    sdk.on(ListVoiceConnectorGroupsCommand).resolves({ VoiceConnectorGroups: [listed('grp-0', 60_000)] });

    const response = await respond(issuedAgo(createEvent(props), 120_000));

    expect(names()).toEqual(['ListVoiceConnectorGroups']);
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'grp-0' });
  });

  it('takes the oldest group of the request and changes none that this delivery did not make', async () => {
    sdk.on(ListVoiceConnectorGroupsCommand).resolves({ VoiceConnectorGroups: [listed('grp-2', 1_000), listed('grp-0', 60_000)] });

    const response = await respond(issuedAgo(createEvent(props), 120_000));

    expect(names()).toEqual(['ListVoiceConnectorGroups']);
    expect(response.PhysicalResourceId).toBe('grp-0');
  });

  it.each([
    ['another name', listed('grp-0', 1_000, { Name: 'pbx-other' })],
    ['other connectors', listed('grp-0', 1_000, { VoiceConnectorItems: [{ VoiceConnectorId: 'vc-east', Priority: 1 }] })],
    ['other priorities', listed('grp-0', 1_000, { VoiceConnectorItems: [{ VoiceConnectorId: 'vc-east', Priority: 2 }, { VoiceConnectorId: 'vc-west', Priority: 1 }] })],
    // The group a replacement replaces: same name and connectors, made a deploy earlier.
    ['a creation before the request was issued', listed('grp-0', 10_000)],
  ])('does not take a group with %s for its own', async (_case, other) => {
    sdk.on(ListVoiceConnectorGroupsCommand).resolvesOnce({ VoiceConnectorGroups: [other] }).resolves({ VoiceConnectorGroups: [other, listed('grp-1', 0)] });
    sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: listed('grp-1', 0) });

    const response = await respond(createEvent(props));

    expect(names()).toEqual(['ListVoiceConnectorGroups', 'CreateVoiceConnectorGroup', 'ListVoiceConnectorGroups']);
    expect(response.PhysicalResourceId).toBe('grp-1');
  });

  it('answers with the group the call made when its answer was lost', async () => {
    // The connection dropped after the service made the group, and the SDK's retries ran out.
    sdk.on(CreateVoiceConnectorGroupCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    sdk.on(ListVoiceConnectorGroupsCommand).resolvesOnce({ VoiceConnectorGroups: [] }).resolves({ VoiceConnectorGroups: [listed('grp-7', 10)] });

    const response = await respond(createEvent(props));

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'grp-7' });
  });

  it('keeps the oldest of two groups with its name and items, and removes the newer one it made', async () => {
    // A retried POST, or a concurrent delivery of the same event, made a group first.
    sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: listed('grp-2', 0) });
    sdk.on(ListVoiceConnectorGroupsCommand).resolvesOnce({ VoiceConnectorGroups: [] }).resolves({ VoiceConnectorGroups: [listed('grp-2', 0), listed('grp-1', 500)] });
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: listed('grp-2', 0) });

    const response = await respond(createEvent(props));

    expect(sent().slice(3)).toEqual([
      ['GetVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-2' }],
      ['ListPhoneNumbers', { FilterName: 'VoiceConnectorGroupId', FilterValue: 'grp-2', MaxResults: 99 }],
      ['UpdateVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-2', Name: 'pbx-failover', VoiceConnectorItems: [] }],
      ['DeleteVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-2' }],
    ]);
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'grp-1' });
  });

  it('leaves another delivery\'s newer group alone, whatever routes through it', async () => {
    sdk.on(ListVoiceConnectorGroupsCommand).resolves({ VoiceConnectorGroups: [listed('grp-2', 1_000), listed('grp-0', 60_000)] });
    sdk.on(ListPhoneNumbersCommand).resolves({ PhoneNumbers: [{ E164PhoneNumber: '+12065550100' }] });

    const response = await respond(issuedAgo(createEvent(props), 120_000), nearDeadline);

    expect(response.PhysicalResourceId).toBe('grp-0');
    expect(names()).not.toContain('UpdateVoiceConnectorGroup');
    expect(names()).not.toContain('DeleteVoiceConnectorGroup');
  });

  it('looks again only once the second its group was made in has passed, when timestamps are whole seconds', async () => {
    const made = new Date(Math.floor(Date.now() / 1_000) * 1_000);
    sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: listed('grp-1', 0, { CreatedTimestamp: made }) });
    const listedAt: number[] = [];
    sdk.on(ListVoiceConnectorGroupsCommand).callsFake(() => {
      listedAt.push(Date.now());
      return { VoiceConnectorGroups: listedAt.length > 1 ? [listed('grp-1', 0, { CreatedTimestamp: made })] : [] };
    });

    // A Region no earlier test has shown to report milliseconds.
    await respond(createEvent({ ...props, apiRegion: 'ap-southeast-2' }));

    expect(listedAt).toHaveLength(2);
    expect(listedAt[1]).toBeGreaterThanOrEqual(made.getTime() + 1_000);
  });

  it('answers with the older group, and logs its own extra group, when removing its own fails', async () => {
    sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: listed('grp-2', 0) });
    sdk.on(ListVoiceConnectorGroupsCommand).resolvesOnce({ VoiceConnectorGroups: [] }).resolves({ VoiceConnectorGroups: [listed('grp-2', 0), listed('grp-1', 500)] });
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: listed('grp-2', 0) });
    sdk.on(UpdateVoiceConnectorGroupCommand).rejects(new ForbiddenException({ message: 'not allowed', $metadata: {} }));

    const response = await respond(createEvent(props));

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'grp-1' });
    const lines = (console.log as jest.Mock).mock.calls.map((args) => JSON.parse(String(args[0])));
    expect(lines).toContainEqual(expect.objectContaining({ warning: 'this delivery made an extra group and could not remove it', voiceConnectorGroupId: 'grp-2' }));
  });

  it('picks the same survivor from groups made in the same millisecond, by ID', async () => {
    const at = new Date();
    sdk.on(ListVoiceConnectorGroupsCommand).resolves({ VoiceConnectorGroups: [listed('grp-b', 0, { CreatedTimestamp: at }), listed('grp-a', 0, { CreatedTimestamp: at })] });

    const response = await respond(createEvent(props));

    expect(response.PhysicalResourceId).toBe('grp-a');
    expect(names()).toEqual(['ListVoiceConnectorGroups']);
  });

  it('says a group may have been made when the call\'s answer was lost and looking for it failed', async () => {
    sdk.on(CreateVoiceConnectorGroupCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    sdk.on(ListVoiceConnectorGroupsCommand).resolvesOnce({ VoiceConnectorGroups: [] }).rejects(new AccessDeniedException({ message: 'not allowed', $metadata: {} }));

    const response = await respond(createEvent(props));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain("The call may still have made group 'pbx-failover' (its answer was lost and no such group is listed yet)");
    expect(response.Reason).toContain('look for it in ChimeSDKVoice us-east-1');
  });

  it('answers with the group it made when looking again fails', async () => {
    sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });
    sdk.on(ListVoiceConnectorGroupsCommand).resolvesOnce({ VoiceConnectorGroups: [] }).rejects(new AccessDeniedException({ message: 'not allowed', $metadata: {} }));

    const response = await respond(createEvent(props));

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'grp-1' });
  });

  it('fails with a readable reason and no stack frames when the API refuses', async () => {
    sdk.on(CreateVoiceConnectorGroupCommand).rejects(new ResourceLimitExceededException({ message: 'Group limit reached', $metadata: {} }));

    const response = await respond(createEvent(props));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('CreateVoiceConnectorGroup for Group (ChimeSDKVoice) failed: ResourceLimitExceededException: Group limit reached');
    expect(response.Reason).toContain('quota');
    expect(response.Reason).not.toMatch(/\n\s+at /);
    // CDK's entrypoint marks the failed Create so that CloudFormation's Delete of it is ignored.
    expect(response.PhysicalResourceId).toBe('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED');
    expect(names()).toEqual(['ListVoiceConnectorGroups', 'CreateVoiceConnectorGroup', 'ListVoiceConnectorGroups']);
  });

  it('says how many attempts were made when retries ran out', async () => {
    sdk.on(CreateVoiceConnectorGroupCommand).rejects(new ThrottledClientException({ message: 'Rate exceeded', $metadata: { attempts: 8 } }));

    const response = await respond(createEvent(props));

    expect(response.Reason).toContain('failed after 8 attempts: ThrottledClientException: Rate exceeded');
  });

  it.each([
    ['a priority out of range', { voiceConnectorItems: [{ voiceConnectorId: 'vc-east', priority: 0 }] }, 'voiceConnectorItems[0].priority'],
    ['a fractional priority', { voiceConnectorItems: [{ voiceConnectorId: 'vc-east', priority: '1.5' }] }, "'1.5' is not a whole number"],
    ['four connectors', { voiceConnectorItems: ['a', 'b', 'c', 'd'].map((id, i) => ({ voiceConnectorId: id, priority: i + 1 })) }, 'at most 3'],
    ['a connector twice', { voiceConnectorItems: [{ voiceConnectorId: 'a', priority: 1 }, { voiceConnectorId: 'a', priority: 2 }] }, 'may appear once'],
    ['a name too long', { voiceConnectorGroupName: 'x'.repeat(257) }, '257 characters given'],
    ['a name with refused characters', { voiceConnectorGroupName: 'pbx/failover' }, 'letters, digits, spaces'],
    ['a Region with the legacy namespace', { apiNamespace: 'Chime' }, 'apiRegion: \'us-east-1\' cannot be set with ApiNamespace.CHIME'],
  ])('fails without calling the API when deployed with %s', async (_case, change, reason) => {
    const response = await respond(createEvent({ ...props, ...change }));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(reason);
    expect(sdk.calls()).toHaveLength(0);
  });
});

describe('Update', () => {
  it('updates name and connectors in place and keeps the group ID', async () => {
    sdk.on(UpdateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: { ...group, Name: 'renamed' } });

    const response = await respond(updateEvent('grp-1', { ...props, voiceConnectorGroupName: 'renamed' }, bare));

    expect(sent()).toEqual([
      ['GetVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-1' }],
      ['UpdateVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-1', Name: 'renamed', VoiceConnectorItems: wireItems }],
    ]);
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'grp-1', Data: { VoiceConnectorGroupName: 'renamed' } });
  });

  it('restores the old name and connectors when CloudFormation rolls the update back', async () => {
    sdk.on(UpdateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });
    const changed = { ...bare, voiceConnectorGroupName: 'renamed' };

    // A rollback is an Update whose new properties are the old ones.
    const response = await respond(updateEvent('grp-1', props, changed));

    expect(sent()).toEqual([
      ['GetVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-1' }],
      ['UpdateVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-1', Name: 'pbx-failover', VoiceConnectorItems: wireItems }],
    ]);
    expect(response.PhysicalResourceId).toBe('grp-1');
  });

  /** The group lives in `region` only: Get elsewhere answers NotFound. */
  const livesIn = (region: string) =>
    sdk.on(GetVoiceConnectorGroupCommand).callsFake(async (_input, getClient: () => ChimeSDKVoiceClient) => {
      if ((await getClient().config.region()) !== region) throw notFound();
      return { VoiceConnectorGroup: group };
    });

  it('replaces the group when the API Region changes, leaving the old one for the cleanup Delete', async () => {
    livesIn('us-east-1');
    sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: { ...group, VoiceConnectorGroupId: 'grp-2' } });

    const response = await respond(updateEvent('grp-1', { ...props, apiRegion: 'us-west-2' }, props));

    // Where the group is: not in us-west-2, in us-east-1, so this is a move.
    expect(names()).toEqual(['GetVoiceConnectorGroup', 'GetVoiceConnectorGroup', 'ListVoiceConnectorGroups', 'CreateVoiceConnectorGroup', 'ListVoiceConnectorGroups']);
    expect(await regionOfCall(0)).toBe('us-west-2');
    expect(await regionOfCall(1)).toBe('us-east-1');
    expect(await regionOfCall(3)).toBe('us-west-2');
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'grp-2' });
  });

  it('updates in place, keeping the ID, when the rollback of a failed move points back to where the group is', async () => {
    // The move to us-west-2 failed before it made a group; CloudFormation now sends the old
    // properties (us-east-1) as the new ones, to the same physical ID.
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });
    sdk.on(UpdateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });

    const response = await respond(updateEvent('grp-1', props, { ...props, apiRegion: 'us-west-2' }));

    // Where the group is (the move's check), then the group as it is (for the undo), then the update.
    expect(sent()).toEqual([
      ['GetVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-1' }],
      ['GetVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-1' }],
      ['UpdateVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-1', Name: 'pbx-failover', VoiceConnectorItems: wireItems }],
    ]);
    expect(await regionOfCall(2)).toBe('us-east-1');
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'grp-1' });
  });

  it('does not take old properties without apiRegion for a move when the function is in the same Region', async () => {
    process.env.AWS_REGION = 'us-east-1';
    sdk.on(UpdateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });

    const response = await respond(updateEvent('grp-1', props, { ...props, apiRegion: undefined }));

    expect(names()).toEqual(['GetVoiceConnectorGroup', 'UpdateVoiceConnectorGroup']);
    expect(response.PhysicalResourceId).toBe('grp-1');
  });

  it('replaces the group when the namespace changes and the group is found in the old one', async () => {
    sdk.on(GetVoiceConnectorGroupCommand).rejects(notFound());
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    jest.spyOn(ChimeClient.prototype, 'send').mockImplementation(async () => ({ VoiceConnectorGroup: group }));
    sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: { ...group, VoiceConnectorGroupId: 'grp-2' } });

    const response = await respond(updateEvent('grp-1', props, { ...props, apiNamespace: 'Chime', apiRegion: undefined }));

    expect(names()).toEqual(['GetVoiceConnectorGroup', 'ListVoiceConnectorGroups', 'CreateVoiceConnectorGroup', 'ListVoiceConnectorGroups']);
    expect(response.PhysicalResourceId).toBe('grp-2');
  });

  it('makes the group again when it was deleted outside CloudFormation, once NotFound outlasts the read lag', async () => {
    sdk.on(GetVoiceConnectorGroupCommand).rejects(notFound());
    sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: { ...group, VoiceConnectorGroupId: 'grp-2' } });

    const started = Date.now();
    const response = await respond(updateEvent('grp-1', props, bare));

    expect(Date.now() - started).toBeGreaterThanOrEqual(TEST_READ_LAG_WINDOW_MS);
    expect(names().filter((n) => n === 'GetVoiceConnectorGroup').length).toBeGreaterThan(1);
    expect(names().filter((n) => n !== 'GetVoiceConnectorGroup')).toEqual(['ListVoiceConnectorGroups', 'CreateVoiceConnectorGroup', 'ListVoiceConnectorGroups']);
    expect(names()).not.toContain('UpdateVoiceConnectorGroup');
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'grp-2' });
  });

  it('fails, without making a new group, when NotFound names a voice connector', async () => {
    sdk.on(UpdateVoiceConnectorGroupCommand).rejectsOnce(notFound('Voice connector vc-gone not found')).resolves({ VoiceConnectorGroup: group });
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });

    const response = await respond(updateEvent('grp-1', props, bare));

    // The failed call's effect is not known from its answer alone, so the group is written back as read.
    expect(names()).toEqual(['GetVoiceConnectorGroup', 'UpdateVoiceConnectorGroup', 'UpdateVoiceConnectorGroup']);
    expect(sent().at(-1)).toEqual(['UpdateVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-1', Name: 'pbx-failover' , VoiceConnectorItems: [] }]);
    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'grp-1' });
    expect(response.Reason).toContain('Voice connector vc-gone not found');
    expect(response.Reason).toContain('wrote group grp-1 back as it was read');
  });

  it('fails with the reason and keeps the physical ID when the new properties are invalid', async () => {
    const response = await respond(updateEvent('grp-1', { ...props, voiceConnectorGroupName: '' }, props));

    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'grp-1' });
    expect(response.Reason).toContain('voiceConnectorGroupName: missing');
    expect(sdk.calls()).toHaveLength(0);
  });
});

describe('Delete', () => {
  const live = { ...group, VoiceConnectorItems: wireItems, CallDistributionType: 'PriorityWeightedDistribution' as const };

  it('checks for phone numbers, detaches the live connectors, then deletes the group', async () => {
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: live });
    sdk.on(UpdateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });
    sdk.on(DeleteVoiceConnectorGroupCommand).resolves({});

    const response = await respond(deleteEvent('grp-1', props));

    expect(sent()).toEqual([
      ['GetVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-1' }],
      ['ListPhoneNumbers', { FilterName: 'VoiceConnectorGroupId', FilterValue: 'grp-1', MaxResults: 99 }],
      ['UpdateVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-1', Name: 'pbx-failover', VoiceConnectorItems: [], CallDistributionType: 'PriorityWeightedDistribution' }],
      ['DeleteVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-1' }],
    ]);
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'grp-1' });
  });

  it('deletes a group without connectors without detaching', async () => {
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });
    sdk.on(DeleteVoiceConnectorGroupCommand).resolves({});

    await respond(deleteEvent('grp-1', props));

    expect(names()).toEqual(['GetVoiceConnectorGroup', 'ListPhoneNumbers', 'DeleteVoiceConnectorGroup']);
  });

  it('succeeds, changing nothing, when the group stays NotFound past the read lag', async () => {
    sdk.on(GetVoiceConnectorGroupCommand).rejects(notFound());

    const started = Date.now();
    const response = await respond(deleteEvent('grp-1', props));

    expect(response.Status).toBe('SUCCESS');
    expect(Date.now() - started).toBeGreaterThanOrEqual(TEST_READ_LAG_WINDOW_MS);
    expect(new Set(names())).toEqual(new Set(['GetVoiceConnectorGroup']));
  });

  it('deletes a group that answers NotFound at first, as right after its create', async () => {
    sdk.on(GetVoiceConnectorGroupCommand).rejectsOnce(notFound()).resolves({ VoiceConnectorGroup: group });
    sdk.on(DeleteVoiceConnectorGroupCommand).resolves({});

    const response = await respond(deleteEvent('grp-1', props));

    expect(response.Status).toBe('SUCCESS');
    expect(names()).toEqual(['GetVoiceConnectorGroup', 'GetVoiceConnectorGroup', 'ListPhoneNumbers', 'DeleteVoiceConnectorGroup']);
  });

  it.each([
    ['the marker of a failed Create', 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED'],
    ['a log stream name', '2026/11/25/[$LATEST]0123456789abcdef'],
  ])('makes no call for %s', async (_case, id) => {
    const response = await respond(deleteEvent(id, props));

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(sdk.calls()).toHaveLength(0);
  });

  it.each([
    ['a name today\'s rules refuse', { voiceConnectorGroupName: 'pbx/failover' }],
    ['four connectors', { voiceConnectorItems: ['a', 'b', 'c', 'd'].map((id, i) => ({ voiceConnectorId: id, priority: i + 1 })) }],
    ['a priority in words', { voiceConnectorItems: [{ voiceConnectorId: 'a', priority: 'one' }] }],
    ['no name at all', { voiceConnectorGroupName: undefined }],
    ['an unknown call distribution', { callDistribution: 'Random' }],
  ])('deletes from the physical ID when the stored properties have %s', async (_case, change) => {
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });
    sdk.on(DeleteVoiceConnectorGroupCommand).resolves({});

    const response = await respond(deleteEvent('grp-1', { ...props, ...change }));

    expect(response.Status).toBe('SUCCESS');
    expect(names()).toEqual(['GetVoiceConnectorGroup', 'ListPhoneNumbers', 'DeleteVoiceConnectorGroup']);
  });

  it('looks in the Region the unreadable stored apiRegion means, and in the function\'s, and fails rather than leave the group', async () => {
    process.env.AWS_REGION = 'us-east-1';
    sdk.on(GetVoiceConnectorGroupCommand).rejects(notFound());

    const response = await respond(deleteEvent('grp-1', { ...props, apiRegion: 'EU-WEST-1' }));

    expect(await regionOfCall(0)).toBe('eu-west-1');
    expect(await regionOfCall(1)).toBe('us-east-1');
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toBe(
      'Group (ChimeSDKVoice): the stored apiRegion "EU-WEST-1" is not a Region name, and group grp-1 is not in ChimeSDKVoice eu-west-1 or ChimeSDKVoice us-east-1. ' +
        'Delete the group where it lives, then retry, or keep it with removalPolicy: RemovalPolicy.RETAIN.',
    );
  });

  it('deletes the group where the unreadable stored apiRegion meant', async () => {
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });
    sdk.on(DeleteVoiceConnectorGroupCommand).resolves({});

    const response = await respond(deleteEvent('grp-1', { ...props, apiRegion: 'EU-WEST-1' }));

    expect(response.Status).toBe('SUCCESS');
    expect(await regionOfCall(2)).toBe('eu-west-1');
    expect(names()).toContain('DeleteVoiceConnectorGroup');
  });

  it('fails before changing anything when numbers it does not declare are associated, naming them, and masks them in its log', async () => {
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: live });
    sdk.on(ListPhoneNumbersCommand).resolves({ PhoneNumbers: [{ E164PhoneNumber: '+12065550100' }, { E164PhoneNumber: '+12065550199' }] });

    const response = await respond(deleteEvent('grp-1', { ...props, phoneNumbers: ['+12065550100'] }));

    expect(names()).toEqual(['GetVoiceConnectorGroup', 'ListPhoneNumbers']);
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('1 phone number(s) that this resource does not declare are associated with it (+12065550199)');
    expect(response.Reason).toContain('DisassociatePhoneNumbersFromVoiceConnectorGroup');
    expect(response.Reason).toContain('RemovalPolicy.RETAIN');
    expect(response.Reason).toContain('Nothing was changed');
    const log = (console.log as jest.Mock).mock.calls.map((args) => String(args[0])).join('\n');
    expect(log).toContain('+*******0199');
    expect(log).not.toContain('+12065550199');
  });

  it('uses what the service reports, not the template: a drifted group is detached and deleted', async () => {
    const drifted = { ...group, Name: 'renamed-by-hand', VoiceConnectorItems: [{ VoiceConnectorId: 'vc-other', Priority: 7 }] };
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: drifted });
    sdk.on(UpdateVoiceConnectorGroupCommand).resolves({});
    sdk.on(DeleteVoiceConnectorGroupCommand).resolves({});

    await respond(deleteEvent('grp-1', props));

    expect(sent()[2]).toEqual(['UpdateVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-1', Name: 'renamed-by-hand', VoiceConnectorItems: [] }]);
  });

  it('empties the group again when a number it declares is associated after it was emptied (a late delivery of the Create it rolls back)', async () => {
    const number = '+12065550100';
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });
    sdk.on(ListPhoneNumbersCommand).resolvesOnce({ PhoneNumbers: [] }).resolves({ PhoneNumbers: [{ E164PhoneNumber: number }] });
    sdk.on(DisassociatePhoneNumbersFromVoiceConnectorGroupCommand).callsFake(async () => {
      sdk.on(ListPhoneNumbersCommand).resolves({ PhoneNumbers: [] });
      return { PhoneNumberErrors: [] };
    });
    sdk.on(DeleteVoiceConnectorGroupCommand).rejectsOnce(new ConflictException({ message: 'group has phone numbers', $metadata: {} })).resolves({});

    const response = await respond(deleteEvent('grp-1', { ...bare, phoneNumbers: [number] }));

    expect(response.Status).toBe('SUCCESS');
    expect(names().filter((n) => n !== 'GetVoiceConnectorGroup' && n !== 'ListPhoneNumbers')).toEqual([
      'DeleteVoiceConnectorGroup',
      'DisassociatePhoneNumbersFromVoiceConnectorGroup',
      'DeleteVoiceConnectorGroup',
    ]);
  });

  it('stops emptying a group that keeps getting something associated, and puts back what it released', async () => {
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: live });
    sdk.on(UpdateVoiceConnectorGroupCommand).resolves({});
    sdk.on(DeleteVoiceConnectorGroupCommand).rejects(new ConflictException({ message: 'group has phone numbers', $metadata: {} }));

    const response = await respond(deleteEvent('grp-1', props));

    expect(names().filter((n) => n === 'DeleteVoiceConnectorGroup')).toHaveLength(4);
    expect(sent().at(-1)).toEqual(['UpdateVoiceConnectorGroup', expect.objectContaining({ VoiceConnectorItems: wireItems })]);
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('Something was associated with the group again after it was emptied 4 time(s)');
  });

  it.each([
    ['keeps throttling', new ThrottledClientException({ message: 'Rate exceeded', $metadata: { attempts: 8 } }), 'after 8 attempts'],
  ])('writes the group back exactly as it was read when the delete %s', async (_case, error, reason) => {
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: live });
    sdk.on(UpdateVoiceConnectorGroupCommand).resolves({});
    sdk.on(DeleteVoiceConnectorGroupCommand).rejects(error);

    const response = await respond(deleteEvent('grp-1', { ...bare, voiceConnectorGroupName: 'stale-template-name' }));

    expect(sent().slice(2).filter(([name]) => name !== 'GetVoiceConnectorGroup')).toEqual([
      ['UpdateVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-1', Name: 'pbx-failover', VoiceConnectorItems: [], CallDistributionType: 'PriorityWeightedDistribution' }],
      ['DeleteVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-1' }],
      ['UpdateVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-1', Name: 'pbx-failover', VoiceConnectorItems: wireItems, CallDistributionType: 'PriorityWeightedDistribution' }],
    ]);
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(reason);
    expect(response.Reason).toContain('Undone: everything this delivery changed (detached vc-east (priority 1), vc-west (priority 2) from group grp-1).');
  });

  it('says which connectors to add back when writing the group back fails too', async () => {
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: live });
    sdk.on(UpdateVoiceConnectorGroupCommand).resolvesOnce({}).rejects(new ServiceFailureException({ message: 'down', $metadata: {} }));
    sdk.on(DeleteVoiceConnectorGroupCommand).rejects(new ServiceFailureException({ message: 'down', $metadata: {} }));

    const response = await respond(deleteEvent('grp-1', props), nearDeadline);

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('Undoing what this delivery changed failed at "detached vc-east (priority 1), vc-west (priority 2) from group grp-1"');
    expect(response.Reason).toContain('Check the group and put it right by hand.');
  });

  it('keeps trying to write the group back while the deadline allows, beyond the SDK\'s own retries', async () => {
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: live });
    const throttled = new ThrottledClientException({ message: 'Rate exceeded', $metadata: { attempts: 8 } });
    sdk.on(UpdateVoiceConnectorGroupCommand).resolvesOnce({}).rejectsOnce(throttled).rejectsOnce(throttled).resolves({});
    sdk.on(DeleteVoiceConnectorGroupCommand).rejects(throttled);

    const response = await respond(deleteEvent('grp-1', props), nearDeadline);

    expect(names().filter((n) => n === 'UpdateVoiceConnectorGroup')).toHaveLength(4);
    expect(sent().at(-1)).toEqual(['UpdateVoiceConnectorGroup', expect.objectContaining({ VoiceConnectorItems: wireItems })]);
    expect(response.Reason).toContain('Undone: everything this delivery changed (detached vc-east (priority 1), vc-west (priority 2) from group grp-1).');
  });

  it('does not take NotFound for a voice connector, when writing the group back, as the group being gone', async () => {
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: live });
    sdk.on(UpdateVoiceConnectorGroupCommand).resolvesOnce({}).rejects(notFound('Voice connector vc-west not found'));
    sdk.on(DeleteVoiceConnectorGroupCommand).rejects(new ConflictException({ message: 'group has phone numbers', $metadata: {} }));

    const response = await respond(deleteEvent('grp-1', props));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('Voice connector vc-west not found');
    expect(response.Reason).toContain('failed at "detached vc-east (priority 1), vc-west (priority 2) from group grp-1"');
  });

  it('counts a namespace that refuses the account as not holding the group, when the stored one is unknown', async () => {
    sdk.on(GetVoiceConnectorGroupCommand).rejects(notFound());
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    jest.spyOn(ChimeClient.prototype, 'send').mockImplementation(async () => {
      throw Object.assign(new Error('The account may not use this API'), { name: 'ForbiddenException' });
    });

    const response = await respond(deleteEvent('grp-1', { ...props, apiNamespace: 'chime' }));

    expect(response.Status).toBe('SUCCESS');
  });

  it('looks in each namespace when the stored apiNamespace is not one it knows', async () => {
    sdk.on(GetVoiceConnectorGroupCommand).rejects(notFound());
    const legacy: string[] = [];
    // The legacy namespace's client, on its seam: record the call and answer that the group is gone.
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    jest.spyOn(ChimeClient.prototype, 'send').mockImplementation(async function (this: ChimeClient, command: object) {
      legacy.push(`${command.constructor.name} ${await this.config.region()}`);
      throw notFound();
    });

    const response = await respond(deleteEvent('grp-1', { ...props, apiNamespace: 'chime' }));

    expect(response.Status).toBe('SUCCESS');
    expect(new Set(names())).toEqual(new Set(['GetVoiceConnectorGroup']));
    expect(new Set(legacy)).toEqual(new Set(['GetVoiceConnectorGroupCommand us-east-1']));
  });

  it('succeeds when the delete took effect although its answer was lost', async () => {
    sdk.on(GetVoiceConnectorGroupCommand).resolvesOnce({ VoiceConnectorGroup: live }).rejects(notFound());
    sdk.on(UpdateVoiceConnectorGroupCommand).resolvesOnce({}).rejects(notFound());
    sdk.on(DeleteVoiceConnectorGroupCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));

    const response = await respond(deleteEvent('grp-1', props));

    expect(response.Status).toBe('SUCCESS');
  });
});

describe('every answer fits CloudFormation\'s 4,096 bytes', () => {
  const live = { ...group, VoiceConnectorItems: wireItems };
  // A long API message in a script of several bytes a character, with characters JSON escapes.
  const huge = `${'ошибка "сервиса" \\ '.repeat(400)}${'\u{1F4DE}'.repeat(300)}`;

  it.each([
    ['a failed Create', () => sdk.on(CreateVoiceConnectorGroupCommand).rejects(new ServiceFailureException({ message: huge, $metadata: {} })), () => createEvent(props)],
    ['a failed Update', () => sdk.on(UpdateVoiceConnectorGroupCommand).rejects(new ServiceFailureException({ message: huge, $metadata: {} })), () => updateEvent('grp-1', props, props)],
    [
      'a failed Delete',
      () => {
        sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });
        sdk.on(DeleteVoiceConnectorGroupCommand).rejects(new ServiceFailureException({ message: huge, $metadata: {} }));
      },
      () => deleteEvent('grp-1', props),
    ],
    [
      'invalid properties',
      () => undefined,
      () => createEvent({ ...props, voiceConnectorItems: Array.from({ length: 500 }, (_, i) => ({ voiceConnectorId: `вк-${i}`, priority: 'один' })) }),
    ],
  ])('%s with a long non-ASCII message', async (_case, arrange, event) => {
    arrange();

    const response = await respond(event(), nearDeadline);

    expect(response.Status).toBe('FAILED');
    expect(response.bytes).toBeLessThanOrEqual(4096);
    expect(response.Reason).toMatch(/more characters/);
  });

  it('keeps what the handler says about the group and what to do when the API messages are long', async () => {
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: live });
    sdk.on(UpdateVoiceConnectorGroupCommand).resolvesOnce({}).rejects(new ForbiddenException({ message: huge, $metadata: {} }));
    sdk.on(DeleteVoiceConnectorGroupCommand).rejects(new ForbiddenException({ message: huge, $metadata: {} }));

    const response = await respond(deleteEvent('grp-1', props));

    expect(response.bytes).toBeLessThanOrEqual(4096);
    expect(response.Reason).toContain('failed at "detached vc-east (priority 1), vc-west (priority 2) from group grp-1"');
    expect(response.Reason).toMatch(/Check the group and put it right by hand\.$/);
  });

  it('with a 1 KB physical ID and the longest stack ID', async () => {
    sdk.on(GetVoiceConnectorGroupCommand).rejects(new ServiceFailureException({ message: huge, $metadata: {} }));
    const id = 'g'.repeat(128);
    const event = { ...deleteEvent(id, props), StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${'s'.repeat(128)}/${'0'.repeat(36)}`, LogicalResourceId: 'L'.repeat(255) };

    const response = await respond(event);

    expect(response.bytes).toBeLessThanOrEqual(4096);
  });
});

it('answers an unknown request type with FAILED', async () => {
  const response = await respond({ ...createEvent(props), RequestType: 'Destroy' });

  expect(response.Status).toBe('FAILED');
  expect(response.Reason).toContain('Unknown RequestType "Destroy"');
  expect(sdk.calls()).toHaveLength(0);
});

it('logs one structured line per event, without the response URL', async () => {
  sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });

  await respond(createEvent(props));

  const lines = (console.log as jest.Mock).mock.calls.map((args) => String(args[0]));
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0])).toMatchObject({ requestType: 'Create', logicalResourceId: 'Group', physicalResourceId: 'grp-1', outcome: 'SUCCESS' });
  expect(lines[0]).not.toContain('ResponseURL');
});

describe('ownership', () => {
  it('changes nothing when CloudFormation already took an answer to the request', async () => {
    const answered: DescribeResource = async () => ({ status: 'CREATE_COMPLETE', physicalId: 'grp-0', lastUpdated: new Date() });

    const response = await respondTo(createEvent(props), {}, answered);

    expect(sdk.calls()).toHaveLength(0);
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('came after CloudFormation had taken an answer (CloudFormation records resource Group as CREATE_COMPLETE); it changed nothing.');
  });

  it('keeps the replacement an Update made once CloudFormation records it, after waiting out the record still in progress', async () => {
    const group2 = { ...group, VoiceConnectorGroupId: 'grp-2' };
    sdk.on(GetVoiceConnectorGroupCommand).callsFake(async (_input, getClient: () => ChimeSDKVoiceClient) => {
      if ((await getClient().config.region()) !== 'us-east-1') throw notFound();
      return { VoiceConnectorGroup: group };
    });
    sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group2 });
    let looks = 0;
    const record: DescribeResource = async () => {
      looks++;
      // In progress for this request until the third look, then the answer is recorded.
      return looks < 3 ? { status: 'UPDATE_IN_PROGRESS', physicalId: 'grp-1', lastUpdated: new Date(Date.now() - 60_000) } : { status: 'UPDATE_COMPLETE', physicalId: 'grp-2', lastUpdated: new Date() };
    };

    const response = await respondTo(issuedAgo(updateEvent('grp-1', { ...props, apiRegion: 'us-west-2' }, props), 60_000), {}, record);

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'grp-2' });
    expect(looks).toBeGreaterThanOrEqual(3);
    expect(names()).not.toContain('DeleteVoiceConnectorGroup');
  });

  it('undoes what it made when CloudFormation records another answer for the request', async () => {
    sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });
    let looks = 0;
    const record: DescribeResource = async () => (++looks === 1 ? { status: 'CREATE_IN_PROGRESS', lastUpdated: new Date(Date.now() - 500) } : { status: 'CREATE_COMPLETE', physicalId: 'grp-other', lastUpdated: new Date() });

    const response = await respondTo(createEvent(props), {}, record);

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'grp-1' });
    expect(sent().at(-1)).toEqual(['DeleteVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-1' }]);
  });

  it('removes a group it made that CloudFormation did not record, waiting until the service shows it', async () => {
    // Read-after-create lag: for a while the service answers NotFound for the group, and
    // ListPhoneNumbers filtered by it answers an empty list, which is no sign the group can be read.
    let visibleAt = Infinity;
    const lagging = (answer: object) => async () => {
      if (Date.now() < visibleAt) throw notFound();
      return answer;
    };
    const made = { ...group, VoiceConnectorItems: wireItems, CreatedTimestamp: new Date() };
    sdk.on(ListVoiceConnectorGroupsCommand).resolves({ VoiceConnectorGroups: [] });
    sdk.on(CreateVoiceConnectorGroupCommand).callsFake(async () => {
      visibleAt = Date.now() + TEST_READ_LAG_WINDOW_MS * 2;
      return { VoiceConnectorGroup: made };
    });
    sdk.on(GetVoiceConnectorGroupCommand).callsFake(lagging({ VoiceConnectorGroup: made }));
    sdk.on(UpdateVoiceConnectorGroupCommand).callsFake(lagging({}));
    sdk.on(DeleteVoiceConnectorGroupCommand).callsFake(lagging({}));
    let looks = 0;
    const record: DescribeResource = async () => (++looks === 1 ? { status: 'CREATE_IN_PROGRESS', lastUpdated: new Date(Date.now() - 500) } : { status: 'CREATE_COMPLETE', physicalId: 'grp-other', lastUpdated: new Date() });

    // The window in which NotFound may be lag outlasts the lag here, as the real one (a minute) does.
    const response = await respondTo(createEvent(props), {}, record, TEST_READ_LAG_WINDOW_MS * 10);

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'grp-1' });
    expect(sent().slice(-2)).toEqual([
      ['UpdateVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-1', Name: 'pbx-failover', VoiceConnectorItems: [] }],
      ['DeleteVoiceConnectorGroup', { VoiceConnectorGroupId: 'grp-1' }],
    ]);
  });

  it('asks CloudFormation again before associating numbers with a group another delivery made, and leaves it once that delivery answered', async () => {
    sdk.on(ListVoiceConnectorGroupsCommand).resolves({ VoiceConnectorGroups: [listed('grp-0', 1_000)] });
    let looks = 0;
    const record: DescribeResource = async () => (++looks === 1 ? { status: 'CREATE_IN_PROGRESS', lastUpdated: new Date(Date.now() - 5_000) } : { status: 'CREATE_COMPLETE', physicalId: 'grp-0', lastUpdated: new Date() });

    const response = await respondTo(issuedAgo(createEvent({ ...props, phoneNumbers: ['+12065550100'] }), 3_000), {}, record);

    expect(names()).toEqual(['ListVoiceConnectorGroups']);
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('CloudFormation took an answer to this Create request');
  });

  it("leaves an update as it is when it fails after another delivery of the request finished it: undoing would strip the group CloudFormation records", async () => {
    const declared = { ...props, voiceConnectorGroupName: 'pbx-renamed', phoneNumbers: ['+12065550100'] };
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: { ...group, VoiceConnectorItems: wireItems } });
    sdk.on(UpdateVoiceConnectorGroupCommand).resolves({});
    sdk.on(AssociatePhoneNumbersWithVoiceConnectorGroupCommand).rejects(new ThrottledClientException({ message: 'Rate exceeded', $metadata: { attempts: 8 } }));
    const issued = Date.now() - 3_000;
    let looks = 0;
    // Waited for while this delivery works; by the time it fails, another delivery's SUCCESS was taken.
    const record: DescribeResource = async () =>
      ++looks === 1 ? { status: 'UPDATE_IN_PROGRESS', physicalId: 'grp-1', lastUpdated: new Date(issued - 200) } : { status: 'UPDATE_COMPLETE', physicalId: 'grp-1', lastUpdated: new Date() };

    const response = await respondTo({ ...updateEvent('grp-1', declared, props), ResponseURL: responseUrl(issued) }, nearDeadline, record);

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('Another delivery of this request finished it, and CloudFormation records group grp-1: nothing this delivery changed was undone');
    expect(names().filter((n) => n === 'UpdateVoiceConnectorGroup')).toHaveLength(1);
    expect(names()).not.toContain('DisassociatePhoneNumbersFromVoiceConnectorGroup');
  });

  it("leaves the numbers it associated with another delivery's group when that delivery's answer was recorded meanwhile", async () => {
    const numbers = Array.from({ length: 60 }, (_, i) => `+1206555${String(1000 + i)}`);
    sdk.on(ListVoiceConnectorGroupsCommand).resolves({ VoiceConnectorGroups: [listed('grp-0', 1_000)] });
    // The first batch of 50 goes through, the second keeps being throttled.
    sdk.on(AssociatePhoneNumbersWithVoiceConnectorGroupCommand).resolvesOnce({ PhoneNumberErrors: [] }).rejects(new ThrottledClientException({ message: 'Rate exceeded', $metadata: { attempts: 8 } }));
    const issued = Date.now() - 3_000;
    let looks = 0;
    const record: DescribeResource = async () =>
      ++looks <= 2 ? { status: 'CREATE_IN_PROGRESS', lastUpdated: new Date(issued - 200) } : { status: 'CREATE_COMPLETE', physicalId: 'grp-0', lastUpdated: new Date() };

    const response = await respondTo({ ...createEvent({ ...props, phoneNumbers: numbers }), ResponseURL: responseUrl(issued) }, nearDeadline, record);

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('Another delivery of this request finished it, and CloudFormation records group grp-0');
    expect(names()).not.toContain('DisassociatePhoneNumbersFromVoiceConnectorGroup');
  });

  it.each(['StackId', 'RequestId', 'LogicalResourceId'])('refuses an event without %s, changing nothing', async (key) => {
    const response = await respond({ ...createEvent(props), [key]: undefined });

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(`has no ${key}`);
    expect(sdk.calls()).toHaveLength(0);
  });
});

describe('the connectors-per-group quota', () => {
  const four = ['a', 'b', 'c', 'd'].map((id, i) => ({ voiceConnectorId: id, priority: i + 1 }));

  it('takes the quota the properties state, sent as a string, instead of the default of 3', async () => {
    sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });

    const response = await respond(createEvent({ ...props, voiceConnectorItems: four, voiceConnectorsPerGroupQuota: 4 }));

    expect(response.Status).toBe('SUCCESS');
    expect(sent().find(([name]) => name === 'CreateVoiceConnectorGroup')?.[1]).toMatchObject({ VoiceConnectorItems: expect.arrayContaining([{ VoiceConnectorId: 'd', Priority: 4 }]) });
  });

  it('refuses a quota that is not a whole number, calling nothing', async () => {
    const response = await respond(createEvent({ ...props, voiceConnectorsPerGroupQuota: 'four' }));

    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain("voiceConnectorsPerGroupQuota: 'four' is not a whole number");
    expect(sdk.calls()).toHaveLength(0);
  });
});

it('succeeds, putting nothing back, when another delivery deleted the group while this one was deleting it', async () => {
  const live = { ...group, VoiceConnectorItems: wireItems };
  sdk.on(GetVoiceConnectorGroupCommand).resolvesOnce({ VoiceConnectorGroup: live }).rejects(notFound());
  sdk.on(UpdateVoiceConnectorGroupCommand).rejects(notFound());

  const response = await respond(deleteEvent('grp-1', props));

  expect(response.Status).toBe('SUCCESS');
  expect(names()).toEqual(['GetVoiceConnectorGroup', 'ListPhoneNumbers', 'UpdateVoiceConnectorGroup', 'GetVoiceConnectorGroup']);
});

it('stops waiting out the read lag once it may no longer read its stack\'s record, as when the stack and its role are deleted', async () => {
  sdk.on(GetVoiceConnectorGroupCommand).rejects(notFound());
  let looks = 0;
  const record: DescribeResource = async () => {
    if (++looks === 1) return { status: 'DELETE_IN_PROGRESS', physicalId: 'grp-1', lastUpdated: new Date(Date.now() - 500) };
    throw Object.assign(new Error('not authorized to perform: cloudformation:DescribeStackResource'), { name: 'AccessDenied' });
  };

  const started = Date.now();
  const response = await respondTo(deleteEvent('grp-1', props), {}, record, 20_000);

  expect(Date.now() - started).toBeLessThan(10_000);
  expect(response.Status).toBe('FAILED');
  expect(response.Reason).toContain('the stack is being deleted, so this delivery stopped waiting');
});
