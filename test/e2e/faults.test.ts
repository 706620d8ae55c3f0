import { CfnParameter, Stack } from 'aws-cdk-lib';
import { VoiceConnectorGroup } from '../../lib';
import { localPerTest, STACK } from './harness';

jest.setTimeout(90_000);

const local = localPerTest();

const deploy = local.deployGroup;
const faulted = () => local.endpoint.requests.filter((r) => r.faulted).length;

it('converges under 50% throttling through create, update and delete', async () => {
  const { endpoint, cfn } = local;
  const [east, west] = [endpoint.addConnector('us-east-1'), endpoint.addConnector('us-west-2')];
  endpoint.failFraction(0.5, 'ThrottledClient');

  expect((await deploy({ voiceConnectorGroupName: 'a', voiceConnectorItems: [{ voiceConnectorId: east, priority: 1 }] })).status).toBe('CREATE_COMPLETE');
  expect((await deploy({ voiceConnectorGroupName: 'b', voiceConnectorItems: [{ voiceConnectorId: west, priority: 1 }] })).status).toBe('UPDATE_COMPLETE');
  expect([...endpoint.groups.values()].map((g) => [g.name, g.items])).toEqual([['b', [{ VoiceConnectorId: west, Priority: 1 }]]]);
  expect((await cfn.destroy(STACK)).status).toBe('DELETE_COMPLETE');

  expect(endpoint.groups.size).toBe(0);
  expect(faulted()).toBeGreaterThan(0);
  expect(endpoint.requests.filter((r) => r.faulted).every((r) => r.status === 429)).toBe(true);
});

it('retries bursts of 5xx answers and dropped connections', async () => {
  const { endpoint } = local;
  endpoint.failNext(2, 'ServiceUnavailable');
  endpoint.failNext(2, 'ServiceFailure');
  endpoint.dropNext(1);

  const result = await deploy({ voiceConnectorGroupName: 'burst' });

  expect(result.status).toBe('CREATE_COMPLETE');
  expect(faulted()).toBe(5);
  // The faults hit the first list and the create; the SDK retried through each.
  expect(endpoint.requests.filter((r) => r.faulted).map((r) => r.status)).toEqual([503, 503, 500, 500, 'dropped']);
  expect(endpoint.calls('CreateVoiceConnectorGroup')).toBe(1);
  expect(endpoint.groups.size).toBe(1);
});

it('fails with the API error once retries run out, and leaves nothing behind', async () => {
  const { endpoint } = local;
  endpoint.failFraction(1, 'ServiceUnavailable', ['CreateVoiceConnectorGroup']);

  const result = await deploy({ voiceConnectorGroupName: 'never' });

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.failures[0].reason).toMatch(/CreateVoiceConnectorGroup for .* failed after 8 attempts: ServiceUnavailableException/);
  expect(endpoint.calls('CreateVoiceConnectorGroup', 'all')).toBe(8);
  expect(endpoint.groups.size).toBe(0);
});

it('counts a group already deleted outside CloudFormation as deleted, once NotFound outlasts the read lag', async () => {
  const { endpoint, cfn } = local;
  await deploy({ voiceConnectorGroupName: 'gone', voiceConnectorItems: [{ voiceConnectorId: endpoint.addConnector('us-east-1'), priority: 1 }] });
  endpoint.groups.clear();

  const result = await cfn.destroy(STACK);

  expect(result.status).toBe('DELETE_COMPLETE');
  const gets = endpoint.requests.filter((r) => r.operation === 'GetVoiceConnectorGroup').map((r) => r.status);
  // NotFound is final only after a minute of retries, since a group can be unreadable right after its create.
  expect(gets.length).toBeGreaterThan(1);
  expect(new Set(gets)).toEqual(new Set([404]));
  expect(endpoint.calls('UpdateVoiceConnectorGroup')).toBe(0);
});

it('deletes a group whose Create failed without any API call', async () => {
  const { endpoint } = local;
  endpoint.groupQuota = 0;

  const result = await deploy({ voiceConnectorGroupName: 'over-quota', voiceConnectorItems: [{ voiceConnectorId: endpoint.addConnector('us-east-1'), priority: 1 }] });

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.events.map((e) => [e.requestType, e.phase, e.status])).toEqual([
    ['Create', 'deploy', 'FAILED'],
    ['Delete', 'rollback', 'SUCCESS'],
  ]);
  expect(result.events[0].reason).toContain('ResourceLimitExceededException');
  expect(result.events[0].reason).toContain('quota');
  // The Create looked before and after its call; the rollback's Delete of the failed Create made no call.
  expect(endpoint.requests.map((r) => r.operation)).toEqual(['ListVoiceConnectorGroups', 'CreateVoiceConnectorGroup', 'ListVoiceConnectorGroups']);
});

it('fails invalid properties that were tokens at synth time with a readable reason, creating nothing', async () => {
  const { endpoint, cfn } = local;
  const outdir = local.synth((s: Stack) => {
    const priority = new CfnParameter(s, 'Priority', { type: 'Number' }).valueAsNumber;
    const name = new CfnParameter(s, 'Name').valueAsString;
    new VoiceConnectorGroup(s, 'Group', { voiceConnectorGroupName: name, voiceConnectorItems: [{ voiceConnectorId: endpoint.addConnector('us-east-1'), priority }] });
  });

  const result = await cfn.deploy(outdir, STACK, { Priority: '100', Name: 'pbx/failover' });

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const reason = result.failures[0].reason;
  expect(reason).toContain("voiceConnectorGroupName: 'pbx/failover' has characters Amazon Chime SDK Voice refuses");
  expect(reason).toContain("voiceConnectorItems[0].priority: 100 is not allowed; use a whole number from 1 to 99");
  expect(endpoint.requests).toEqual([]);
});

it('fails to delete a group that still has phone numbers, before changing anything, and a retry succeeds once they are gone', async () => {
  const { endpoint, cfn } = local;
  const east = endpoint.addConnector('us-east-1');
  await deploy({ voiceConnectorGroupName: 'numbers', voiceConnectorItems: [{ voiceConnectorId: east, priority: 1 }] });
  const [group] = endpoint.groups.values();
  endpoint.associatePhoneNumbers(group.id, ['+12065550100']);
  const before = JSON.stringify(group);

  const result = await cfn.destroy(STACK);

  expect(result.status).toBe('DELETE_FAILED');
  expect(result.failures[0].reason).toContain('1 phone number(s) that this resource does not declare are associated with it (+12065550100)');
  expect(result.failures[0].reason).toContain('DisassociatePhoneNumbersFromVoiceConnectorGroup');
  expect(JSON.stringify(endpoint.groups.get(group.id))).toBe(before);
  expect(endpoint.calls('UpdateVoiceConnectorGroup')).toBe(0);

  group.phoneNumbers = [];
  expect((await cfn.destroy(STACK)).status).toBe('DELETE_COMPLETE');
  expect(endpoint.groups.size).toBe(0);
});

it('writes a drifted group back exactly as the service reported it when the delete is refused after the detach', async () => {
  const { endpoint, cfn } = local;
  const [east, west] = [endpoint.addConnector('us-east-1'), endpoint.addConnector('us-west-2')];
  await deploy({ voiceConnectorGroupName: 'template-name', voiceConnectorItems: [{ voiceConnectorId: east, priority: 1 }] });
  const [group] = endpoint.groups.values();
  // Changed outside CloudFormation: renamed, the template's connector swapped for another, call distribution set.
  Object.assign(group, { name: 'renamed-by-hand', items: [{ VoiceConnectorId: west, Priority: 5 }], callDistribution: 'PriorityWeightedDistribution' });
  const before = JSON.stringify({ ...group, updated: undefined });
  endpoint.failNext(10, 'Conflict', ['DeleteVoiceConnectorGroup']);

  const result = await cfn.destroy(STACK);

  expect(result.status).toBe('DELETE_FAILED');
  expect(result.failures[0].reason).toMatch(/Undone: everything this delivery changed \(detached \w+ \(priority 5\) from group [\w-]+\)\.$/);
  expect(JSON.stringify({ ...endpoint.groups.get(group.id), updated: undefined })).toBe(before);
});

it('deletes from the physical ID when the stored properties no longer validate', async () => {
  const { endpoint, cfn } = local;
  const outdir = local.synth((s: Stack) => {
    const name = new CfnParameter(s, 'Name').valueAsString;
    new VoiceConnectorGroup(s, 'Group', { voiceConnectorGroupName: name, voiceConnectorItems: [{ voiceConnectorId: endpoint.addConnector('us-east-1'), priority: 1 }] });
  });
  expect((await cfn.deploy(outdir, STACK, { Name: 'valid' })).status).toBe('CREATE_COMPLETE');
  // As if an older release had accepted a name today's rules refuse.
  const live = cfn.resource(STACK, 'GroupC77FDACD')!;
  live.properties = { ...live.properties, voiceConnectorGroupName: 'pbx/failover', voiceConnectorItems: [{ voiceConnectorId: 'x', priority: 'one' }] };

  expect((await cfn.destroy(STACK)).status).toBe('DELETE_COMPLETE');
  expect(endpoint.groups.size).toBe(0);
});

it('detaches connectors added outside CloudFormation before deleting', async () => {
  const { endpoint, cfn } = local;
  await deploy({ voiceConnectorGroupName: 'drift' });
  const [group] = endpoint.groups.values();
  group.items.push({ VoiceConnectorId: endpoint.addConnector('us-west-2'), Priority: 3 });

  expect((await cfn.destroy(STACK)).status).toBe('DELETE_COMPLETE');
  expect(endpoint.groups.size).toBe(0);
});

it('delivers its answer when the response URL refuses the first PUT', async () => {
  local.cfn.refuseNextResponses(1);

  const result = await deploy({ voiceConnectorGroupName: 'refused-once' });

  expect(result.status).toBe('CREATE_COMPLETE');
  expect(result.events.map((e) => e.status)).toEqual(['SUCCESS']);
  expect(local.endpoint.calls('CreateVoiceConnectorGroup')).toBe(1);
});

it('restores the old name and connectors when an update fails elsewhere and CloudFormation rolls back', async () => {
  const { endpoint, cfn } = local;
  const [east, west] = [endpoint.addConnector('us-east-1'), endpoint.addConnector('us-west-2')];
  const stackOf = (name: string, priority: string) =>
    local.synth((s: Stack) => {
      new VoiceConnectorGroup(s, 'Good', { voiceConnectorGroupName: name, voiceConnectorItems: [{ voiceConnectorId: east, priority: 1 }] });
      const p = new CfnParameter(s, 'Priority', { type: 'Number', default: priority }).valueAsNumber;
      new VoiceConnectorGroup(s, 'Bad', { voiceConnectorGroupName: 'bad', voiceConnectorItems: [{ voiceConnectorId: west, priority: p }] });
    });
  expect((await cfn.deploy(stackOf('good', '1'), STACK)).status).toBe('CREATE_COMPLETE');
  const before = JSON.stringify([...endpoint.groups.values()].map((g) => [g.id, g.name, g.items]));

  const result = await cfn.deploy(stackOf('good-renamed', '0'), STACK);

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.events.filter((e) => e.phase === 'rollback').every((e) => e.status === 'SUCCESS')).toBe(true);
  expect(endpoint.calls('UpdateVoiceConnectorGroup')).toBeGreaterThanOrEqual(2);
  expect(JSON.stringify([...endpoint.groups.values()].map((g) => [g.id, g.name, g.items]))).toBe(before);
});
