import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CallDistribution, VoiceConnectorGroup, VoiceConnectorGroupProps } from '../../lib';
import { CREATE_FAILED_MARKER } from '../../lambda/cfn-response';
import { DeployResult } from '../../local/driver';
import { localPerTest, LocalTest, STACK } from './harness';

/**
 * Adoption through the local CloudFormation: groups made "by hand" (seeded straight into the
 * endpoint, with their own name, connectors, call distribution and numbers) adopted by a stack.
 * Each test checks what the endpoint holds and which events CloudFormation sent.
 */
jest.setTimeout(240_000);

const [A, B, C, X] = ['+12065550100', '+12065550101', '+12065550102', '+12065550199'];

/** A group someone made in the console: one connector, load balanced, numbers A and B. */
function handMade(local: LocalTest): { id: string; east: string; west: string } {
  const { endpoint } = local;
  const east = endpoint.addConnector('us-east-1');
  const west = endpoint.addConnector('us-west-2');
  const old = endpoint.addConnector('us-east-1', 'old-pbx');
  const id = endpoint.addGroup('chime-sdk-voice', 'us-east-1', 'console-made', [{ VoiceConnectorId: old, Priority: 5 }]);
  endpoint.groups.get(id)!.callDistribution = 'LoadBalancedDistribution';
  endpoint.associatePhoneNumbers(id, [A, B]);
  return { id, east, west };
}

/** The group as the endpoint holds it: what the tests compare before and after. */
const stateOf = (local: LocalTest, id: string) => {
  const g = local.endpoint.groups.get(id);
  return g && { name: g.name, items: g.items, callDistribution: g.callDistribution, numbers: local.endpoint.phoneNumbersOf(id) };
};

/** The physical ID CloudFormation records for the stack's resource whose logical ID starts with `prefix`. */
const recorded = (local: LocalTest, prefix: string) => {
  const logicalId = local.cfn.sent.find((s) => s.logicalId.startsWith(prefix))?.logicalId;
  return logicalId ? local.cfn.resource(STACK, logicalId)?.physicalId : undefined;
};

const taken = (result: DeployResult) => result.events.filter((e) => e.taken).map((e) => [e.logicalId.replace(/[0-9A-F]{8}$/, ''), e.requestType, e.phase, e.status]);

/**
 * Whether the failed Create answered no group: CDK's marker instead, so the rollback's Delete names
 * the marker (which the handler skips) and never the user's group.
 */
const noGroupAnswered = (local: LocalTest, result: DeployResult) => {
  const deletes = local.cfn.sent.filter((s) => s.requestType === 'Delete').map((s) => s.event.PhysicalResourceId);
  return (
    JSON.stringify(taken(result)) === JSON.stringify([['Group', 'Create', 'deploy', 'FAILED'], ['Group', 'Delete', 'rollback', 'SUCCESS']]) &&
    deletes.length > 0 &&
    deletes.every((id) => id === CREATE_FAILED_MARKER)
  );
};

/** A stack with the adopting group (unless `props` is undefined) and a group of its own, 'Other', so the stack is never empty. */
const withOther = (local: LocalTest, props: VoiceConnectorGroupProps | undefined) =>
  local.synth((s: Stack) => {
    if (props) new VoiceConnectorGroup(s, 'Group', props);
    new VoiceConnectorGroup(s, 'Other', { voiceConnectorGroupName: 'other' });
  });

describe('adoption', () => {
  const local = localPerTest();

  it('adopts a hand-made group with its connectors and numbers: same ID, the declared state, undeclared numbers left on it', async () => {
    const { id, east, west } = handMade(local);
    local.endpoint.addPhoneNumbers([C]);
    const groupsBefore = local.endpoint.groups.size;

    const result = await local.deployGroup({
      adoptVoiceConnectorGroupId: id,
      removalPolicy: RemovalPolicy.RETAIN,
      voiceConnectorGroupName: 'pbx',
      voiceConnectorItems: [{ voiceConnectorId: east, priority: 1 }, { voiceConnectorId: west, priority: 2 }],
      callDistribution: CallDistribution.PRIORITY_WEIGHTED,
      phoneNumbers: [B, C],
    });

    expect(result.status).toBe('CREATE_COMPLETE');
    expect(recorded(local, 'Group')).toBe(id);
    expect(Object.values(result.outputs)).toEqual([id]);
    expect(local.endpoint.groups.size).toBe(groupsBefore);
    expect(local.endpoint.calls('CreateVoiceConnectorGroup')).toBe(0);
    expect(stateOf(local, id)).toEqual({
      name: 'pbx',
      items: [{ VoiceConnectorId: east, Priority: 1 }, { VoiceConnectorId: west, Priority: 2 }],
      callDistribution: 'PriorityWeightedDistribution',
      numbers: [A, B, C],
    });
  });

  it('keeps the name, connectors and call distribution it is not given', async () => {
    const { id } = handMade(local);
    const before = stateOf(local, id);

    const result = await local.deployGroup({ adoptVoiceConnectorGroupId: id, removalPolicy: RemovalPolicy.RETAIN });

    expect(result.status).toBe('CREATE_COMPLETE');
    expect(recorded(local, 'Group')).toBe(id);
    expect(stateOf(local, id)).toEqual(before);
    expect(local.endpoint.calls('UpdateVoiceConnectorGroup')).toBe(0);
  });

  it('fails to adopt a group that is not there, or is in another Region, naming the ID and where it looked, and makes nothing', async () => {
    const missing = 'a6c3582e-ac81-40e1-9c6c-0a7ee79fb842';
    // A group in us-west-2 is not the group a stack in us-east-1 names.
    const elsewhere = local.endpoint.addGroup('chime-sdk-voice', 'us-west-2', 'west-only');
    const before = stateOf(local, elsewhere);

    // Both in one deploy: each waits out the read lag before NotFound stands.
    const result = await local.cfn.deploy(
      local.synth((s) => {
        new VoiceConnectorGroup(s, 'Missing', { adoptVoiceConnectorGroupId: missing, removalPolicy: RemovalPolicy.DESTROY });
        new VoiceConnectorGroup(s, 'Elsewhere', { adoptVoiceConnectorGroupId: elsewhere, removalPolicy: RemovalPolicy.DESTROY });
      }),
      STACK,
    );

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    const reasons = Object.fromEntries(result.failures.map((f) => [f.logicalId.replace(/[0-9A-F]{8}$/, ''), [f.requestType, f.phase, f.reason]]));
    for (const [logicalId, id] of [['Missing', missing], ['Elsewhere', elsewhere]]) {
      expect(reasons[logicalId]).toEqual(['Create', 'deploy', expect.stringContaining(`there is no voice connector group ${id} in ChimeSDKVoice us-east-1, where the resource looked for it`)]);
    }
    // Each failed Create answered CDK's marker, never the group: the rollback's Deletes name no group.
    expect(local.cfn.sent.filter((e) => e.requestType === 'Delete').map((e) => e.event.PhysicalResourceId)).toEqual([CREATE_FAILED_MARKER, CREATE_FAILED_MARKER]);
    expect([...local.endpoint.groups.keys()]).toEqual([elsewhere]);
    expect(stateOf(local, elsewhere)).toEqual(before);
    expect(local.endpoint.calls('CreateVoiceConnectorGroup')).toBe(0);
  });

  it('puts the group back exactly as it was read when the adoption fails, and the rollback deletes nothing', async () => {
    const { id, east } = handMade(local);
    const before = stateOf(local, id);

    // X is not in the account's inventory, so associating it fails after the group was changed and A associated.
    const result = await local.deployGroup({
      adoptVoiceConnectorGroupId: id,
      removalPolicy: RemovalPolicy.DESTROY,
      voiceConnectorGroupName: 'pbx',
      voiceConnectorItems: [{ voiceConnectorId: east, priority: 1 }],
      callDistribution: CallDistribution.PRIORITY_WEIGHTED,
      phoneNumbers: [C, X],
    });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures[0].reason).toContain(X);
    expect(result.failures[0].reason).toContain('Undone: everything this delivery changed');
    expect(noGroupAnswered(local, result)).toBe(true);
    expect(local.endpoint.calls('UpdateVoiceConnectorGroup')).toBe(2);
    expect(stateOf(local, id)).toEqual(before);
  });

  it('keeps the group when the resource leaves the stack with RemovalPolicy.RETAIN, and when the stack is deleted', async () => {
    const { id } = handMade(local);
    expect((await local.cfn.deploy(withOther(local, { adoptVoiceConnectorGroupId: id, removalPolicy: RemovalPolicy.RETAIN, voiceConnectorGroupName: 'pbx' }), STACK)).status).toBe('CREATE_COMPLETE');
    const adopted = stateOf(local, id);

    const removed = await local.cfn.deploy(withOther(local, undefined), STACK);

    expect(removed.status).toBe('UPDATE_COMPLETE');
    expect(taken(removed)).toEqual([]);
    expect(stateOf(local, id)).toEqual(adopted);

    // Adopted again, then the whole stack deleted.
    expect((await local.cfn.deploy(withOther(local, { adoptVoiceConnectorGroupId: id, removalPolicy: RemovalPolicy.RETAIN, voiceConnectorGroupName: 'pbx' }), STACK)).status).toBe('UPDATE_COMPLETE');
    const destroyed = await local.cfn.destroy(STACK);

    expect(destroyed.status).toBe('DELETE_COMPLETE');
    expect(taken(destroyed)).toEqual([['Other', 'Delete', 'destroy', 'SUCCESS']]);
    expect(stateOf(local, id)).toEqual(adopted);
  });

  it('deletes the group when the resource leaves the stack with RemovalPolicy.DESTROY, releasing the numbers it declares', async () => {
    const { id } = handMade(local);
    expect((await local.cfn.deploy(withOther(local, { adoptVoiceConnectorGroupId: id, removalPolicy: RemovalPolicy.DESTROY, phoneNumbers: [A, B] }), STACK)).status).toBe('CREATE_COMPLETE');

    const removed = await local.cfn.deploy(withOther(local, undefined), STACK);

    expect(removed.status).toBe('UPDATE_COMPLETE');
    expect(taken(removed)).toEqual([['Group', 'Delete', 'cleanup', 'SUCCESS']]);
    expect(local.endpoint.groups.has(id)).toBe(false);
    expect(local.endpoint.phoneNumbers.get(A)?.association).toBeUndefined();
  });

  it('refuses at synth to adopt without a removal policy, so nothing reaches CloudFormation', () => {
    const { id } = handMade(local);
    expect(() => local.synth((s) => new VoiceConnectorGroup(s, 'Group', { adoptVoiceConnectorGroupId: id }))).toThrow(
      'VoiceConnectorGroup E2eStack/Group: removalPolicy: a group given by adoptVoiceConnectorGroupId needs a stated removal policy',
    );
    expect(local.cfn.sent).toEqual([]);
  });

  it.each([
    ['RemovalPolicy.RETAIN keeps', RemovalPolicy.RETAIN, true],
    ['RemovalPolicy.DESTROY deletes', RemovalPolicy.DESTROY, false],
  ])('replaces the resource when the ID points at another group; the cleanup of the old one: %s it', async (_case, removalPolicy, kept) => {
    const { id: first } = handMade(local);
    const second = local.endpoint.addGroup('chime-sdk-voice', 'us-east-1', 'second-console-made');
    expect((await local.deployGroup({ adoptVoiceConnectorGroupId: first, removalPolicy })).status).toBe('CREATE_COMPLETE');
    local.endpoint.phoneNumbers.delete(A);
    local.endpoint.phoneNumbers.delete(B);

    const result = await local.deployGroup({ adoptVoiceConnectorGroupId: second, removalPolicy });

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(recorded(local, 'Group')).toBe(second);
    expect(taken(result)).toEqual(kept ? [['Group', 'Update', 'deploy', 'SUCCESS']] : [['Group', 'Update', 'deploy', 'SUCCESS'], ['Group', 'Delete', 'cleanup', 'SUCCESS']]);
    expect(local.endpoint.groups.has(first)).toBe(kept);
    expect(local.endpoint.groups.has(second)).toBe(true);
    expect(local.endpoint.calls('CreateVoiceConnectorGroup')).toBe(0);
  });

  it('changes nothing when the property is removed and the rest is declared', async () => {
    const { id, east } = handMade(local);
    const props: VoiceConnectorGroupProps = { removalPolicy: RemovalPolicy.RETAIN, voiceConnectorGroupName: 'pbx', voiceConnectorItems: [{ voiceConnectorId: east, priority: 1 }], callDistribution: CallDistribution.LOAD_BALANCED };
    expect((await local.deployGroup({ ...props, adoptVoiceConnectorGroupId: id })).status).toBe('CREATE_COMPLETE');
    const adopted = stateOf(local, id);
    const updates = local.endpoint.calls('UpdateVoiceConnectorGroup');

    const result = await local.deployGroup(props);

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(recorded(local, 'Group')).toBe(id);
    expect(local.endpoint.calls('UpdateVoiceConnectorGroup')).toBe(updates);
    expect(stateOf(local, id)).toEqual(adopted);
  });

  it('fails, renaming nothing and detaching nothing, when the property is removed from a group that left its name and connectors to the group', async () => {
    const { id } = handMade(local);
    expect((await local.deployGroup({ adoptVoiceConnectorGroupId: id, removalPolicy: RemovalPolicy.RETAIN })).status).toBe('CREATE_COMPLETE');
    const adopted = stateOf(local, id);

    const result = await local.deployGroup({ removalPolicy: RemovalPolicy.RETAIN });

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.failures[0].reason).toContain("removing adoptVoiceConnectorGroupId would rename it from 'console-made'");
    expect(stateOf(local, id)).toEqual(adopted);
    expect(recorded(local, 'Group')).toBe(id);
  });
});

describe('adoption under duplicate deliveries', () => {
  const local = localPerTest({ duplicates: { probability: 'always' } });

  it('adopts once: the duplicate changes nothing more, and the group is as declared', async () => {
    const { id, east } = handMade(local);
    local.endpoint.addPhoneNumbers([C]);

    const result = await local.deployGroup({ adoptVoiceConnectorGroupId: id, removalPolicy: RemovalPolicy.RETAIN, voiceConnectorGroupName: 'pbx', voiceConnectorItems: [{ voiceConnectorId: east, priority: 1 }], phoneNumbers: [A, B, C] });
    await local.cfn.settled();

    expect(result.failures).toEqual([]);
    expect(result.status).toBe('CREATE_COMPLETE');
    expect(recorded(local, 'Group')).toBe(id);
    expect(stateOf(local, id)).toEqual({ name: 'pbx', items: [{ VoiceConnectorId: east, Priority: 1 }], callDistribution: 'LoadBalancedDistribution', numbers: [A, B, C] });
  });

  it('puts the group back as it was read when the adoption fails, whichever delivery answers', async () => {
    const { id, east } = handMade(local);
    const before = stateOf(local, id);

    const result = await local.deployGroup({ adoptVoiceConnectorGroupId: id, removalPolicy: RemovalPolicy.DESTROY, voiceConnectorGroupName: 'pbx', voiceConnectorItems: [{ voiceConnectorId: east, priority: 1 }], phoneNumbers: [X] });
    await local.cfn.settled();

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(stateOf(local, id)).toEqual(before);
    expect(local.endpoint.groups.size).toBe(1);
  });
});
