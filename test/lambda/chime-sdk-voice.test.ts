import {
  ChimeSDKVoiceClient,
  ConflictException,
  CreateVoiceConnectorGroupCommand,
  DeleteVoiceConnectorGroupCommand,
  GetVoiceConnectorGroupCommand,
  NotFoundException,
  ResourceLimitExceededException,
  ThrottledClientException,
  UpdateVoiceConnectorGroupCommand,
} from '@aws-sdk/client-chime-sdk-voice';
import { mockClient } from 'aws-sdk-client-mock';
import { createEvent, deleteEvent, respondTo, updateEvent } from './cfn';

const sdk = mockClient(ChimeSDKVoiceClient);
const respond = (event: unknown, context?: object) => respondTo('chime-sdk-voice', event, context);

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

/** The commands sent, in order, as [command name, input]. */
const sent = () => sdk.calls().map((c) => [(c.args[0] as object).constructor.name, (c.args[0] as { input: object }).input]);
const regionOfCall = (i: number) => (sdk.call(i).thisValue as ChimeSDKVoiceClient).config.region();

beforeEach(() => {
  sdk.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

describe('Create', () => {
  it('creates the group once, converting CloudFormation string priorities to numbers', async () => {
    sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });

    const response = await respond(createEvent({ ...props, callDistribution: 'PriorityWeightedDistribution' }));

    expect(sent()).toEqual([
      ['CreateVoiceConnectorGroupCommand', { Name: 'pbx-failover', VoiceConnectorItems: wireItems, CallDistributionType: 'PriorityWeightedDistribution' }],
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
    expect(await (sdk.call(0).thisValue as ChimeSDKVoiceClient).config.maxAttempts()).toBe(8);
    expect(sent()).toEqual([['CreateVoiceConnectorGroupCommand', { Name: 'pbx-failover', VoiceConnectorItems: [] }]]);
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
    ['another namespace', { apiNamespace: 'Chime', apiRegion: undefined }, "apiNamespace 'Chime' but was sent to the ChimeSDKVoice handler"],
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
      ['UpdateVoiceConnectorGroupCommand', { VoiceConnectorGroupId: 'grp-1', Name: 'renamed', VoiceConnectorItems: wireItems }],
    ]);
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'grp-1', Data: { VoiceConnectorGroupName: 'renamed' } });
  });

  it('restores the old name and connectors when CloudFormation rolls the update back', async () => {
    sdk.on(UpdateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });
    const changed = { ...bare, voiceConnectorGroupName: 'renamed' };

    // A rollback is an Update whose new properties are the old ones.
    const response = await respond(updateEvent('grp-1', props, changed));

    expect(sent()).toEqual([
      ['UpdateVoiceConnectorGroupCommand', { VoiceConnectorGroupId: 'grp-1', Name: 'pbx-failover', VoiceConnectorItems: wireItems }],
    ]);
    expect(response.PhysicalResourceId).toBe('grp-1');
  });

  it('replaces the group when the API Region changes, leaving the old one for the cleanup Delete', async () => {
    sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: { ...group, VoiceConnectorGroupId: 'grp-2' } });

    const response = await respond(updateEvent('grp-1', { ...props, apiRegion: 'us-west-2' }, props));

    expect(sent().map(([name]) => name)).toEqual(['CreateVoiceConnectorGroupCommand']);
    expect(await regionOfCall(0)).toBe('us-west-2');
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'grp-2' });
  });

  it('replaces the group when the namespace changes', async () => {
    sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: { ...group, VoiceConnectorGroupId: 'grp-2' } });

    const response = await respond(updateEvent('grp-1', props, { ...props, apiNamespace: 'Chime', apiRegion: undefined }));

    expect(sent().map(([name]) => name)).toEqual(['CreateVoiceConnectorGroupCommand']);
    expect(response.PhysicalResourceId).toBe('grp-2');
  });

  it('makes the group again when it was deleted outside CloudFormation', async () => {
    sdk.on(UpdateVoiceConnectorGroupCommand).rejects(new NotFoundException({ message: 'no such group', $metadata: {} }));
    sdk.on(GetVoiceConnectorGroupCommand).rejects(new NotFoundException({ message: 'no such group', $metadata: {} }));
    sdk.on(CreateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: { ...group, VoiceConnectorGroupId: 'grp-2' } });

    const response = await respond(updateEvent('grp-1', props, bare));

    expect(sent().map(([name]) => name)).toEqual(['UpdateVoiceConnectorGroupCommand', 'GetVoiceConnectorGroupCommand', 'CreateVoiceConnectorGroupCommand']);
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'grp-2' });
  });

  it('fails, without making a new group, when NotFound names a voice connector', async () => {
    sdk.on(UpdateVoiceConnectorGroupCommand).rejects(new NotFoundException({ message: 'Voice connector vc-gone not found', $metadata: {} }));
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });

    const response = await respond(updateEvent('grp-1', props, bare));

    expect(sent().map(([name]) => name)).toEqual(['UpdateVoiceConnectorGroupCommand', 'GetVoiceConnectorGroupCommand']);
    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'grp-1' });
    expect(response.Reason).toContain('Voice connector vc-gone not found');
  });

  it('fails with the reason and keeps the physical ID when the new properties are invalid', async () => {
    const response = await respond(updateEvent('grp-1', { ...props, voiceConnectorGroupName: '' }, props));

    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'grp-1' });
    expect(response.Reason).toContain('voiceConnectorGroupName: missing');
    expect(sdk.calls()).toHaveLength(0);
  });
});

describe('Delete', () => {
  it('detaches the connectors before deleting the group: two calls', async () => {
    sdk.on(UpdateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });
    sdk.on(DeleteVoiceConnectorGroupCommand).resolves({});

    const response = await respond(deleteEvent('grp-1', props));

    expect(sent()).toEqual([
      ['UpdateVoiceConnectorGroupCommand', { VoiceConnectorGroupId: 'grp-1', Name: 'pbx-failover', VoiceConnectorItems: [] }],
      ['DeleteVoiceConnectorGroupCommand', { VoiceConnectorGroupId: 'grp-1' }],
    ]);
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'grp-1' });
  });

  it('deletes a group without connectors in one call', async () => {
    sdk.on(DeleteVoiceConnectorGroupCommand).resolves({});

    await respond(deleteEvent('grp-1', bare));

    expect(sent()).toEqual([['DeleteVoiceConnectorGroupCommand', { VoiceConnectorGroupId: 'grp-1' }]]);
  });

  it('succeeds when the group is already gone', async () => {
    sdk.on(UpdateVoiceConnectorGroupCommand).rejects(new NotFoundException({ message: 'gone', $metadata: {} }));

    const response = await respond(deleteEvent('grp-1', props));

    expect(response.Status).toBe('SUCCESS');
    expect(sent().map(([name]) => name)).toEqual(['UpdateVoiceConnectorGroupCommand']);
  });

  it.each([
    ['the marker of a failed Create', 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED'],
    ['a log stream name', '2026/11/25/[$LATEST]0123456789abcdef'],
  ])('makes no call for %s', async (_case, id) => {
    const response = await respond(deleteEvent(id, props));

    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id });
    expect(sdk.calls()).toHaveLength(0);
  });

  it('detaches connectors added outside CloudFormation and deletes again', async () => {
    sdk.on(DeleteVoiceConnectorGroupCommand)
      .rejectsOnce(new ConflictException({ message: 'group has voice connectors', $metadata: {} }))
      .resolves({});
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: { ...group, VoiceConnectorItems: [{ VoiceConnectorId: 'vc-x', Priority: 5 }] } });
    sdk.on(UpdateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });

    const response = await respond(deleteEvent('grp-1', bare));

    expect(sent()).toEqual([
      ['DeleteVoiceConnectorGroupCommand', { VoiceConnectorGroupId: 'grp-1' }],
      ['GetVoiceConnectorGroupCommand', { VoiceConnectorGroupId: 'grp-1' }],
      ['UpdateVoiceConnectorGroupCommand', { VoiceConnectorGroupId: 'grp-1', Name: 'pbx-failover', VoiceConnectorItems: [] }],
      ['DeleteVoiceConnectorGroupCommand', { VoiceConnectorGroupId: 'grp-1' }],
    ]);
    expect(response.Status).toBe('SUCCESS');
  });

  it('fails, naming phone numbers, and puts the connectors back when phone numbers hold the group', async () => {
    sdk.on(UpdateVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: group });
    sdk.on(DeleteVoiceConnectorGroupCommand).rejects(new ConflictException({ message: 'group has phone numbers', $metadata: {} }));
    sdk.on(GetVoiceConnectorGroupCommand).resolves({ VoiceConnectorGroup: { ...group, VoiceConnectorItems: [] } });

    const response = await respond(deleteEvent('grp-1', props));

    expect(sent()).toEqual([
      ['UpdateVoiceConnectorGroupCommand', { VoiceConnectorGroupId: 'grp-1', Name: 'pbx-failover', VoiceConnectorItems: [] }],
      ['DeleteVoiceConnectorGroupCommand', { VoiceConnectorGroupId: 'grp-1' }],
      ['GetVoiceConnectorGroupCommand', { VoiceConnectorGroupId: 'grp-1' }],
      ['UpdateVoiceConnectorGroupCommand', { VoiceConnectorGroupId: 'grp-1', Name: 'pbx-failover', VoiceConnectorItems: wireItems }],
    ]);
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('group has phone numbers');
    expect(response.Reason).toContain('DisassociatePhoneNumbersFromVoiceConnectorGroup');
    expect(response.Reason).toContain('RemovalPolicy.RETAIN');
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
