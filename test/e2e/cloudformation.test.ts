import { localPerTest, STACK } from './harness';

/**
 * The lifecycle under what the real CloudFormation and Lambda do and the local CloudFormation
 * models: rollback to the same physical ID, duplicate deliveries, calls whose answers are lost or
 * come after the handler's deadline.
 */
jest.setTimeout(90_000);

describe('under ordinary delivery', () => {
  const local = localPerTest();

  it('updates in place, keeping its ID, when the rollback of a failed Region move points back to where the group is', async () => {
    const { endpoint } = local;
    const east = endpoint.addConnector('us-east-1');
    const items = [{ voiceConnectorId: east, priority: 1 }];
    await local.deployGroup({ voiceConnectorGroupName: 'pbx', voiceConnectorItems: items });
    const [group] = endpoint.groups.values();
    // The move to us-west-2 is refused there, before anything is made.
    endpoint.failNext(1, 'AccessDenied', ['GetVoiceConnectorGroup']);

    const result = await local.deployGroup({ voiceConnectorGroupName: 'pbx', voiceConnectorItems: items, apiRegion: 'us-west-2' });

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.failures[0].reason).toContain('AccessDeniedException');
    const rollback = result.events.filter((e) => e.phase === 'rollback' && e.taken);
    expect(rollback.map((e) => [e.requestType, e.status, e.physicalId])).toEqual([['Update', 'SUCCESS', group.id]]);
    expect([...endpoint.groups.values()].map((g) => [g.id, g.region, g.name])).toEqual([[group.id, 'us-east-1', 'pbx']]);
    expect(endpoint.calls('CreateVoiceConnectorGroup')).toBe(1);
  });

  it('ends with one group, answered, when the create call took effect but its connection dropped', async () => {
    const { endpoint } = local;
    // The SDK retries the POST; the service had already made the first group.
    endpoint.commitThenDropNext(1, ['CreateVoiceConnectorGroup']);

    const result = await local.deployGroup({ voiceConnectorGroupName: 'dropped', voiceConnectorItems: [{ voiceConnectorId: endpoint.addConnector('us-east-1'), priority: 1 }] });

    expect(result.status).toBe('CREATE_COMPLETE');
    expect(endpoint.calls('CreateVoiceConnectorGroup', 'all')).toBe(2);
    const [group, ...others] = endpoint.groups.values();
    expect(others).toEqual([]);
    expect(Object.values(result.outputs)).toEqual([group.id]);
  });
});

describe('with a 5-second function timeout, which leaves the handler about a second for its calls', () => {
  const local = localPerTest({ functionTimeoutMs: 5_000 });

  it('ends with one group, answered, when the create call takes effect after the handler stopped waiting for it', async () => {
    const { endpoint } = local;
    // This case is the late answer alone: a function with about a second for its calls cannot also
    // outwait the read lag, which the other cases here keep on.
    endpoint.readAfterCreateLagMs = 0;
    endpoint.delayNext(1, 3_000, ['CreateVoiceConnectorGroup']);

    const result = await local.deployGroup({ voiceConnectorGroupName: 'late' });

    expect(result.status).toBe('CREATE_COMPLETE');
    const [group, ...others] = endpoint.groups.values();
    expect(others).toEqual([]);
    expect(Object.values(result.outputs)).toEqual([group.id]);
  });
});

describe('when Lambda delivers every event twice, at the same time', () => {
  const local = localPerTest({ duplicates: { probability: 'always' } });

  it('creates one group, updates it, and deletes it, every answer naming the same group', async () => {
    const { endpoint, cfn } = local;
    const east = endpoint.addConnector('us-east-1');

    const created = await local.deployGroup({ voiceConnectorGroupName: 'twice', voiceConnectorItems: [{ voiceConnectorId: east, priority: 1 }] });
    await cfn.settled();

    expect(created.status).toBe('CREATE_COMPLETE');
    expect(endpoint.groups.size).toBe(1);
    const [group] = endpoint.groups.values();
    const creates = [...cfn.events, ...cfn.lateResponses].filter((e) => e.requestType === 'Create');
    expect(creates.length).toBeGreaterThanOrEqual(2);
    expect(new Set(creates.map((e) => e.physicalId))).toEqual(new Set([group.id]));

    expect((await local.deployGroup({ voiceConnectorGroupName: 'twice-renamed', voiceConnectorItems: [{ voiceConnectorId: east, priority: 2 }] })).status).toBe('UPDATE_COMPLETE');
    await cfn.settled();
    expect([...endpoint.groups.values()].map((g) => [g.id, g.name, g.items])).toEqual([[group.id, 'twice-renamed', [{ VoiceConnectorId: east, Priority: 2 }]]]);

    expect((await cfn.destroy(STACK)).status).toBe('DELETE_COMPLETE');
    await cfn.settled();
    expect(endpoint.groups.size).toBe(0);
  });
});
