import * as fs from 'fs';
import * as path from 'path';
import { CfnParameter, Stack } from 'aws-cdk-lib';
import { VoiceConnectorGroup, VoiceConnectorGroupProps } from '../../lib';
import { LIMITS } from '../../lib/rules';
import { DeployResult } from '../../local/driver';
import { localPerTest, LocalTest, STACK } from './harness';

/**
 * The nine ways issue 14 found the handler harming groups it did not own, each replayed through the
 * local CloudFormation with the endpoint's read-after-create lag on (the harness's default). Each
 * test asserts what the endpoint holds and what CloudFormation recorded, not how the handler did it.
 */
jest.setTimeout(240_000);

const ASSOCIATE = 'AssociatePhoneNumbersWithVoiceConnectorGroup';
const DISASSOCIATE = 'DisassociatePhoneNumbersFromVoiceConnectorGroup';
/** `count` numbers of the 206-555 test range, from `first` on. */
const numbers = (count: number, first = 0) => Array.from({ length: count }, (_, i) => `+1206555${String(first + i).padStart(4, '0')}`);
const [A, B, C, D] = numbers(4, 100);

/** The physical ID CloudFormation records for the stack's resource whose logical ID starts with `prefix`. */
function recorded(local: LocalTest, result: DeployResult, prefix: string): string | undefined {
  const logicalId = result.events.find((e) => e.logicalId.startsWith(prefix))?.logicalId;
  return logicalId ? local.cfn.resource(STACK, logicalId)?.physicalId : undefined;
}

/** A stack with the group under test and a second group, 'Bad', updated after it, that fails when its name is 'bad/name'. */
function withBad(local: LocalTest, props: VoiceConnectorGroupProps, badName: string): string {
  return local.synth((s: Stack) => {
    const group = new VoiceConnectorGroup(s, 'Group', props);
    const name = new CfnParameter(s, 'BadName', { default: badName }).valueAsString;
    new VoiceConnectorGroup(s, 'Bad', { voiceConnectorGroupName: name }).node.addDependency(group);
  });
}

/** Resolves once CloudFormation records `status` for the resource whose logical ID starts with `prefix`. */
async function whenStatus(local: LocalTest, prefix: string, status: string): Promise<void> {
  for (const end = Date.now() + 200_000; Date.now() < end; ) {
    const logicalId = local.cfn.stackEvents.find((e) => e.logicalId.startsWith(prefix) && e.status === status)?.logicalId;
    if (logicalId) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${prefix} never reached ${status}`);
}

describe('under ordinary delivery', () => {
  const local = localPerTest();

  it('1. a replacement with the same name and connectors makes a group of its own, and the cleanup Delete removes only the old one', async () => {
    const { endpoint, cfn } = local;
    const items = [{ voiceConnectorId: endpoint.addConnector('us-east-1'), priority: 1 }, { voiceConnectorId: endpoint.addConnector('us-west-2'), priority: 2 }];
    const first = await cfn.deploy(local.synth((s) => new VoiceConnectorGroup(s, 'Group', { voiceConnectorGroupName: 'pbx', voiceConnectorItems: items })), STACK);
    expect(first.status).toBe('CREATE_COMPLETE');
    const old = recorded(local, first, 'Group')!;
    // Past the README's stated clock allowance (2 s) for telling a group made before the request from one made after it.
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    // A new construct ID: a new logical ID, so CloudFormation creates the new resource and then deletes the old one.
    const moved = await cfn.deploy(local.synth((s) => new VoiceConnectorGroup(s, 'Renamed', { voiceConnectorGroupName: 'pbx', voiceConnectorItems: items })), STACK);

    expect(moved.status).toBe('UPDATE_COMPLETE');
    expect(moved.events.filter((e) => e.taken).map((e) => [e.requestType, e.phase, e.status])).toEqual([
      ['Create', 'deploy', 'SUCCESS'],
      ['Delete', 'cleanup', 'SUCCESS'],
    ]);
    const replacement = recorded(local, moved, 'Renamed')!;
    expect(replacement).not.toBe(old);
    expect([...endpoint.groups.values()].map((g) => [g.id, g.name, g.items.length])).toEqual([[replacement, 'pbx', 2]]);
  });

  it('4. a declared number that drifted away fails neither an unrelated update nor the rollback of an update that fails elsewhere', async () => {
    const { endpoint, cfn } = local;
    const east = endpoint.addConnector('us-east-1');
    const elsewhere = endpoint.addConnector('us-east-1', 'other-pbx');
    endpoint.addPhoneNumbers([A, B, C]);
    const props = (name: string): VoiceConnectorGroupProps => ({ voiceConnectorGroupName: name, voiceConnectorItems: [{ voiceConnectorId: east, priority: 1 }], phoneNumbers: [A, B, C] });
    const created = await cfn.deploy(withBad(local, props('pbx'), 'fine'), STACK);
    expect(created.status).toBe('CREATE_COMPLETE');
    const group = recorded(local, created, 'Group')!;
    // Drift: A removed from the account's inventory, B moved by hand to another voice connector.
    endpoint.phoneNumbers.delete(A);
    endpoint.associatePhoneNumbersWithConnector(elsewhere, [B]);

    const renamed = await cfn.deploy(withBad(local, props('pbx-renamed'), 'fine'), STACK);

    expect(renamed.status).toBe('UPDATE_COMPLETE');
    expect(endpoint.groups.get(group)).toMatchObject({ name: 'pbx-renamed', items: [{ VoiceConnectorId: east, Priority: 1 }] });
    expect(endpoint.phoneNumbersOf(group)).toEqual([C]);

    const failedElsewhere = await cfn.deploy(withBad(local, props('pbx-again'), 'bad/name'), STACK);

    expect(failedElsewhere.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(failedElsewhere.failures.map((f) => [f.logicalId.slice(0, 3), f.phase])).toEqual([['Bad', 'deploy']]);
    expect(failedElsewhere.events.filter((e) => e.phase === 'rollback' && e.taken).every((e) => e.status === 'SUCCESS')).toBe(true);
    expect(endpoint.groups.get(group)).toMatchObject({ name: 'pbx-renamed', items: [{ VoiceConnectorId: east, Priority: 1 }] });
    expect(endpoint.phoneNumbersOf(group)).toEqual([C]);
    expect(endpoint.phoneNumbersOf(elsewhere)).toEqual([B]);
    expect(endpoint.phoneNumbers.has(A)).toBe(false);
  });

  /** A group declaring [A]; B associated with it by hand, then declared by an update that fails elsewhere and is rolled back. */
  async function rollBackAHandAssociatedNumber(): Promise<{ group: string; result: DeployResult; logged: string[] }> {
    const { endpoint, cfn } = local;
    const east = endpoint.addConnector('us-east-1');
    endpoint.addPhoneNumbers([A, B]);
    const props = (phoneNumbers: string[]): VoiceConnectorGroupProps => ({ voiceConnectorGroupName: 'pbx', voiceConnectorItems: [{ voiceConnectorId: east, priority: 1 }], phoneNumbers });
    const created = await cfn.deploy(withBad(local, props([A]), 'fine'), STACK);
    expect(created.status).toBe('CREATE_COMPLETE');
    const group = recorded(local, created, 'Group')!;
    endpoint.associatePhoneNumbers(group, [B]);
    const from = cfn.logs.length;
    const result = await cfn.deploy(withBad(local, props([A, B]), 'bad/name'), STACK);
    await cfn.settled();
    return { group, result, logged: cfn.logs.slice(from) };
  }

  it('5. releases a number the group had before the template declared it when a rollback stops declaring it (the stated policy)', async () => {
    const { endpoint } = local;
    const { group, result } = await rollBackAHandAssociatedNumber();

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    // A number is released when the template stops declaring it, wherever it came from.
    expect(endpoint.phoneNumbersOf(group)).toEqual([A]);
    expect(endpoint.phoneNumbers.get(B)?.association).toBeUndefined();
    const rollback = result.events.filter((e) => e.phase === 'rollback' && e.taken && e.logicalId.startsWith('Group'));
    expect(rollback.map((e) => [e.requestType, e.status])).toEqual([['Update', 'SUCCESS']]);
  });

  it('5. logs which number the rollback released and that it was because the template no longer declares it', async () => {
    const { logged } = await rollBackAHandAssociatedNumber();

    // Nothing in the event says where B was before the update, so the log is where the policy shows.
    const lines = logged.filter((l) => l.includes(B.slice(-4)));
    expect(lines.some((l) => /releas/i.test(l) && /no longer declare/i.test(l))).toBe(true);
  });

  it('6. swaps a number of a group at the per-group limit by releasing before adding', async () => {
    const { endpoint, cfn } = local;
    const all = numbers(LIMITS.phoneNumbersPerGroup + 1);
    endpoint.addPhoneNumbers(all);
    const full = all.slice(0, LIMITS.phoneNumbersPerGroup);
    const swapped = all.slice(1);
    const props = (phoneNumbers: string[]): VoiceConnectorGroupProps => ({ voiceConnectorGroupName: 'full', voiceConnectorItems: [{ voiceConnectorId: endpoint.addConnector('us-east-1'), priority: 1 }], phoneNumbers });
    const created = await local.deployGroup(props(full));
    expect(created.status).toBe('CREATE_COMPLETE');
    const group = recorded(local, created, 'Group')!;
    expect(endpoint.phoneNumbersOf(group)).toHaveLength(LIMITS.phoneNumbersPerGroup);
    const before = endpoint.requests.length;

    const result = await cfn.deploy(local.synth((s) => new VoiceConnectorGroup(s, 'Group', { ...props(swapped), voiceConnectorItems: endpoint.groups.get(group)!.items.map((i) => ({ voiceConnectorId: i.VoiceConnectorId, priority: i.Priority })) })), STACK);

    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(endpoint.phoneNumbersOf(group).sort()).toEqual(swapped);
    expect(endpoint.phoneNumbers.get(all[0])?.association).toBeUndefined();
    const numberCalls = endpoint.requests.slice(before).filter((r) => r.operation === ASSOCIATE || r.operation === DISASSOCIATE);
    expect(numberCalls.map((r) => [r.operation, r.status])).toEqual([
      [DISASSOCIATE, 200],
      [ASSOCIATE, 200],
    ]);
  });

  it('7. the function logs no full phone number and no part of the response URL\'s signature, through deploy, a failed update, its rollback and delete', async () => {
    const { endpoint, cfn } = local;
    endpoint.addPhoneNumbers([A, B, C]);
    const east = endpoint.addConnector('us-east-1');
    const props = (phoneNumbers: string[]): VoiceConnectorGroupProps => ({ voiceConnectorGroupName: 'pbx', voiceConnectorItems: [{ voiceConnectorId: east, priority: 1 }], phoneNumbers });

    expect((await local.deployGroup(props([A, B]))).status).toBe('CREATE_COMPLETE');
    expect((await local.deployGroup(props([A, C]))).status).toBe('UPDATE_COMPLETE');
    // D is not in the inventory: the update fails naming it, and CloudFormation rolls it back.
    const failed = await local.deployGroup(props([A, B, D]));
    expect(failed.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(failed.failures[0].reason).toContain(D);
    expect((await cfn.destroy(STACK)).status).toBe('DELETE_COMPLETE');
    await cfn.settled();

    const log = cfn.logs.join('\n');
    expect(cfn.logs.length).toBeGreaterThan(0);
    // The failure was logged, its number masked to the last four digits.
    expect(log).toMatch(/\*+0103/);
    for (const n of [A, B, C, D]) {
      expect(log).not.toContain(n.slice(1));
      expect(log).not.toContain(n.slice(2));
    }
    expect(log).not.toMatch(/\+[1-9]\d{6,14}/);
    expect(log).not.toMatch(/X-Amz-Signature|X-Amz-Credential/i);
    for (const sent of cfn.sent) {
      const url = new URL(String(sent.event.ResponseURL));
      for (const param of ['X-Amz-Signature', 'X-Amz-Credential']) {
        const value = url.searchParams.get(param)!;
        expect(value).toBeTruthy();
        expect(log).not.toContain(value);
        expect(log).not.toContain(encodeURIComponent(value));
      }
    }
  });

  it('8. deletes a group whose stored apiRegion is not a Region name from where the group is, rather than answer SUCCESS and leave it', async () => {
    const { endpoint, cfn } = local;
    const outdir = local.synth((s) => new VoiceConnectorGroup(s, 'Group', { voiceConnectorGroupName: 'eu-pbx', apiRegion: 'eu-west-1' }));
    const created = await cfn.deploy(outdir, STACK);
    expect(created.status).toBe('CREATE_COMPLETE');
    const group = recorded(local, created, 'Group')!;
    expect(endpoint.groups.get(group)?.region).toBe('eu-west-1');
    // Hand-edited after synth, as an older release or a hand-written template could hold it.
    const file = path.join(outdir, `${STACK}.template.json`);
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    const logicalId = Object.keys(template.Resources).find((id) => template.Resources[id].Properties?.apiRegion === 'eu-west-1')!;
    template.Resources[logicalId].Properties.apiRegion = 'EU-WEST-1';
    fs.writeFileSync(file, JSON.stringify(template, null, 1));
    const edited = await cfn.deploy(outdir, STACK);
    if (cfn.resource(STACK, logicalId)!.properties.apiRegion !== 'EU-WEST-1') {
      // The handler refused the edited Update and CloudFormation rolled it back; CloudFormation stores
      // what an older release's template deployed, which a test can only write into its record.
      expect(edited.status).toBe('UPDATE_ROLLBACK_COMPLETE');
      const live = cfn.resource(STACK, logicalId)!;
      live.properties = { ...live.properties, apiRegion: 'EU-WEST-1' };
    }
    expect([...endpoint.groups.keys()]).toEqual([group]);

    const result = await cfn.destroy(STACK);

    expect(result.status).toBe('DELETE_COMPLETE');
    expect(endpoint.groups.size).toBe(0);
  });

  it('9. a rollback Delete seconds after the Create, while reads of the new group still answer NotFound, deletes the group', async () => {
    const { endpoint, cfn } = local;
    const outdir = withBad(local, { voiceConnectorGroupName: 'pbx', voiceConnectorItems: [{ voiceConnectorId: endpoint.addConnector('us-east-1'), priority: 1 }] }, 'bad/name');
    // Once the Create has answered, reads of the group lag again (as a read from a replica that has
    // not seen it yet would): 10 s after its creation, far past the rollback Delete.
    const lagging = whenStatus(local, 'Group', 'CREATE_COMPLETE').then(() => {
      endpoint.readAfterCreateLagMs = 10_000;
    });

    const result = await cfn.deploy(outdir, STACK);
    await lagging;

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.events.filter((e) => e.taken && e.logicalId.startsWith('Group')).map((e) => [e.requestType, e.phase, e.status])).toEqual([
      ['Create', 'deploy', 'SUCCESS'],
      ['Delete', 'rollback', 'SUCCESS'],
    ]);
    // The Delete met NotFound first, then found the group and deleted it.
    const gets = endpoint.requests.filter((r) => r.operation === 'GetVoiceConnectorGroup').map((r) => r.status);
    expect(gets[0]).toBe(404);
    expect(endpoint.calls('DeleteVoiceConnectorGroup')).toBe(1);
    expect(endpoint.groups.size).toBe(0);
  });
});

describe('when Lambda delivers every event a second time, 8 s after the first', () => {
  const local = localPerTest({ duplicates: { probability: 'always', afterMs: 8_000 }, functionTimeoutMs: 100_000 });

  it('2. the duplicate of an answered Create, whose association calls are throttled, leaves the recorded group its connectors and numbers', async () => {
    const { endpoint, cfn } = local;
    const declared = numbers(60, 200);
    endpoint.addPhoneNumbers(declared);
    const items = [{ voiceConnectorId: endpoint.addConnector('us-east-1'), priority: 1 }, { voiceConnectorId: endpoint.addConnector('us-west-2'), priority: 2 }];

    const created = await local.deployGroup({ voiceConnectorGroupName: 'pbx', voiceConnectorItems: items, phoneNumbers: declared });
    expect(created.status).toBe('CREATE_COMPLETE');
    // The first delivery has answered; the duplicate has not started. Every association is throttled from now on.
    expect(cfn.events.filter((e) => e.requestType === 'Create').map((e) => [e.cause, e.status])).toEqual([['event', 'SUCCESS']]);
    endpoint.failFraction(1, 'ThrottledClient', [ASSOCIATE]);
    await cfn.settled();

    expect(cfn.events.filter((e) => e.requestType === 'Create').map((e) => e.cause)).toEqual(['event', 'duplicate']);
    const group = recorded(local, created, 'Group')!;
    expect([...endpoint.groups.keys()]).toEqual([group]);
    expect(endpoint.groups.get(group)!.items).toEqual([{ VoiceConnectorId: items[0].voiceConnectorId, Priority: 1 }, { VoiceConnectorId: items[1].voiceConnectorId, Priority: 2 }]);
    expect(endpoint.phoneNumbersOf(group).sort()).toEqual(declared);
    endpoint.clearFaults();
  });
});

describe('with a 90-second function timeout, which leaves the handler 10 s for its calls', () => {
  const local = localPerTest({ functionTimeoutMs: 90_000 });

  it('3. a Create whose association answers after the work deadline takes back the numbers and removes its group, and says so', async () => {
    const { endpoint } = local;
    endpoint.addPhoneNumbers([A, B]);
    const items = [{ voiceConnectorId: endpoint.addConnector('us-east-1'), priority: 1 }, { voiceConnectorId: endpoint.addConnector('us-west-2'), priority: 2 }];
    // Takes effect at once; its answer comes after the handler stopped waiting.
    endpoint.delayNext(1, 12_000, [ASSOCIATE]);

    const result = await local.deployGroup({ voiceConnectorGroupName: 'pbx', voiceConnectorItems: items, phoneNumbers: [A, B] });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(endpoint.groups.size).toBe(0);
    expect([A, B].map((n) => endpoint.phoneNumbers.get(n)?.association)).toEqual([undefined, undefined]);
    const reason = result.failures[0].reason;
    // Truthful: the association's answer was lost, and what was undone is named.
    expect(reason).toMatch(/answer lost/);
    expect(reason).toMatch(/Undone/);
    expect(reason).not.toMatch(/put back as they were|were associated again|every number is where it was/);
  });

  it('3. a Create whose call takes effect only after the work deadline fails with a reason that names the group to look for', async () => {
    const { endpoint } = local;
    endpoint.addPhoneNumbers([A]);
    // The call takes effect 12 s after it arrived, after the handler's 10 s of work, while the handler undoes and answers.
    endpoint.delayEffectNext(1, 12_000, ['CreateVoiceConnectorGroup']);

    const result = await local.deployGroup({ voiceConnectorGroupName: 'pbx', voiceConnectorItems: [{ voiceConnectorId: endpoint.addConnector('us-east-1'), priority: 1 }], phoneNumbers: [A] });
    await local.cfn.settled();
    // Until the call has taken effect.
    while (!endpoint.requests.some((r) => r.operation === 'CreateVoiceConnectorGroup')) await new Promise((resolve) => setTimeout(resolve, 50));

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(endpoint.phoneNumbers.get(A)?.association).toBeUndefined();
    // What the README leaves alone: a group made after the handler stopped waiting remains, and the
    // reason says so and where to look, rather than read as a failure that made nothing.
    expect([...endpoint.groups.values()].map((g) => [g.name, g.region, g.items.length])).toEqual([['pbx', 'us-east-1', 1]]);
    expect(result.failures[0].reason).toContain("may still have made group 'pbx'");
    expect(result.failures[0].reason).toContain('look for it in ChimeSDKVoice us-east-1');
  });
});
