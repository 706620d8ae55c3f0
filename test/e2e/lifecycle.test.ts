import * as fs from 'fs';
import { telephonyStacks } from '../../bin/telephony-app';
import { ApiNamespace } from '../../lib';
import { appWithCdkJsonContext } from '../bin/cdk-json';
import { localPerTest, STACK } from './harness';

jest.setTimeout(60_000);

const local = localPerTest();

const deploy = local.deployGroup;
const only = <T>(list: T[]): T => {
  expect(list).toHaveLength(1);
  return list[0];
};

describe.each([
  [ApiNamespace.CHIME_SDK_VOICE, 'chime-sdk-voice'],
  [ApiNamespace.CHIME, 'chime'],
] as const)('the %s namespace, through the bundled handler and the real SDK', (apiNamespace, wire) => {
  it('creates, updates in place and deletes a group, detaching its connectors first', async () => {
    const { endpoint, cfn } = local;
    const east = endpoint.addConnector('us-east-1');
    const west = endpoint.addConnector('us-west-2');

    const created = await deploy({
      apiNamespace,
      voiceConnectorGroupName: 'pbx-failover',
      voiceConnectorItems: [
        { voiceConnectorId: east, priority: 1 },
        { voiceConnectorId: west, priority: 2 },
      ],
    });
    expect(created.status).toBe('CREATE_COMPLETE');
    const group = only(endpoint.groupsIn(wire, 'us-east-1'));
    expect(group).toMatchObject({ name: 'pbx-failover', items: [{ VoiceConnectorId: east, Priority: 1 }, { VoiceConnectorId: west, Priority: 2 }] });
    expect(Object.values(created.outputs)).toEqual([group.id]);
    expect(endpoint.calls('CreateVoiceConnectorGroup')).toBe(1);

    const updated = await deploy({ apiNamespace, voiceConnectorGroupName: 'pbx-west-first', voiceConnectorItems: [{ voiceConnectorId: west, priority: 1 }] });
    expect(updated.status).toBe('UPDATE_COMPLETE');
    expect(only(endpoint.groupsIn(wire))).toMatchObject({ id: group.id, name: 'pbx-west-first', items: [{ VoiceConnectorId: west, Priority: 1 }] });
    expect(endpoint.calls('UpdateVoiceConnectorGroup')).toBe(1);

    const deleted = await cfn.destroy(STACK);
    expect(deleted.status).toBe('DELETE_COMPLETE');
    expect(endpoint.groups.size).toBe(0);
    expect(endpoint.calls('UpdateVoiceConnectorGroup')).toBe(2);
    expect(endpoint.calls('DeleteVoiceConnectorGroup')).toBe(1);
    // The detach came before the delete, so the delete was answered 204 first time.
    expect(endpoint.requests.filter((r) => r.operation === 'DeleteVoiceConnectorGroup').map((r) => r.status)).toEqual([204]);
  });
});

it('replaces the group when the API Region changes, and the cleanup Delete removes the old one', async () => {
  const { endpoint, cfn } = local;
  const east = endpoint.addConnector('us-east-1');
  await deploy({ voiceConnectorItems: [{ voiceConnectorId: east, priority: 1 }] });
  const old = only(endpoint.groupsIn('chime-sdk-voice', 'us-east-1'));

  const moved = await deploy({ apiRegion: 'us-west-2', voiceConnectorItems: [{ voiceConnectorId: east, priority: 1 }] });

  expect(moved.status).toBe('UPDATE_COMPLETE');
  expect(moved.events.map((e) => [e.requestType, e.phase, e.status])).toEqual([
    ['Update', 'deploy', 'SUCCESS'],
    ['Delete', 'cleanup', 'SUCCESS'],
  ]);
  expect(endpoint.groupsIn('chime-sdk-voice', 'us-east-1')).toEqual([]);
  const replacement = only(endpoint.groupsIn('chime-sdk-voice', 'us-west-2'));
  expect(replacement.id).not.toBe(old.id);
  expect(cfn.resource(STACK, moved.events[0].logicalId)?.physicalId).toBe(replacement.id);
});

it('replaces the group when the namespace changes, through the same function, whose ServiceToken CloudFormation will not let change', async () => {
  const { endpoint } = local;
  const east = endpoint.addConnector('us-east-1');
  await deploy({ apiNamespace: ApiNamespace.CHIME, voiceConnectorItems: [{ voiceConnectorId: east, priority: 1 }] });
  expect(endpoint.groupsIn('chime')).toHaveLength(1);

  const moved = await deploy({ apiNamespace: ApiNamespace.CHIME_SDK_VOICE, voiceConnectorItems: [{ voiceConnectorId: east, priority: 1 }] });

  expect(moved.status).toBe('UPDATE_COMPLETE');
  expect(moved.failures).toEqual([]);
  expect(endpoint.groupsIn('chime')).toEqual([]);
  expect(only(endpoint.groupsIn('chime-sdk-voice', 'us-east-1')).items).toEqual([{ VoiceConnectorId: east, Priority: 1 }]);
  expect(endpoint.requests.filter((r) => r.operation === 'DeleteVoiceConnectorGroup').map((r) => [r.namespace, r.status])).toEqual([['chime', 204]]);
});

it('runs the example app whole, as cdk synth builds it: every stack deployed in order, then destroyed', async () => {
  const { endpoint, cfn } = local;
  const app = appWithCdkJsonContext();
  telephonyStacks(app);
  const outdir = app.synth({ force: true }).directory;

  const created = await cfn.deployApp(outdir);

  expect(created.ok).toBe(true);
  expect(Object.keys(created.stacks)).toEqual(['ChimeTelephonyStack', 'ChimeConnectorEast', 'ChimeConnectorWest', 'ChimeFailoverGroup']);
  // Each group sends calls to its us-east-1 connector first and fails over to the us-west-2 one;
  // the failover group's connectors come from the connector stacks' outputs (Fn::GetStackOutput).
  const regionsByPriority = (g: { items: { VoiceConnectorId: string; Priority: number }[] }) =>
    g.items.map((i) => [endpoint.connectors.get(i.VoiceConnectorId)?.region, i.Priority]);
  expect(endpoint.groupsIn('chime-sdk-voice', 'us-east-1').map(regionsByPriority)).toEqual([[['us-east-1', 1], ['us-west-2', 2]]]);
  expect(endpoint.groupsIn('chime-sdk-voice', 'us-west-2').map(regionsByPriority)).toEqual([[['us-east-1', 1], ['us-west-2', 2]]]);

  expect((await cfn.destroyApp(outdir)).ok).toBe(true);
  expect(endpoint.groups.size).toBe(0);
  expect(endpoint.connectors.size).toBe(0);
  fs.rmSync(outdir, { recursive: true, force: true });
});

