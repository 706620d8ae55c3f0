import { CfnParameter, Stack } from 'aws-cdk-lib';
import { VoiceConnectorGroup, VoiceConnectorGroupProps } from '../../lib';
import { localPerTest, STACK } from './harness';

/** Phone numbers through the local CloudFormation, the bundled handler and the real SDK. */
jest.setTimeout(90_000);

const local = localPerTest();
const [A, B, C, D] = ['+12065550100', '+12065550101', '+12065550102', '+12065550103'];

const onlyGroup = () => {
  const groups = [...local.endpoint.groups.values()];
  expect(groups).toHaveLength(1);
  return groups[0];
};

it('associates the declared numbers, changes them in place and releases them on delete', async () => {
  const { endpoint, cfn } = local;
  endpoint.addPhoneNumbers([A, B, C]);
  const east = endpoint.addConnector('us-east-1');
  const props = (phoneNumbers: string[]): VoiceConnectorGroupProps => ({ voiceConnectorGroupName: 'pbx', voiceConnectorItems: [{ voiceConnectorId: east, priority: 1 }], phoneNumbers });

  expect((await local.deployGroup(props([A, B]))).status).toBe('CREATE_COMPLETE');
  const group = onlyGroup();
  expect(endpoint.phoneNumbersOf(group.id).sort()).toEqual([A, B]);

  expect((await local.deployGroup(props([A, C]))).status).toBe('UPDATE_COMPLETE');
  expect(endpoint.phoneNumbersOf(group.id).sort()).toEqual([A, C]);
  // A was never touched: only the added and the removed numbers were sent.
  const sent = endpoint.requests.filter((r) => r.operation.endsWith('VoiceConnectorGroup') && r.operation.includes('PhoneNumbers'));
  expect(sent.map((r) => r.operation)).toEqual([
    'AssociatePhoneNumbersWithVoiceConnectorGroup',
    'AssociatePhoneNumbersWithVoiceConnectorGroup',
    'DisassociatePhoneNumbersFromVoiceConnectorGroup',
  ]);

  expect((await cfn.destroy(STACK)).status).toBe('DELETE_COMPLETE');
  expect(endpoint.groups.size).toBe(0);
  expect([A, B, C].map((n) => endpoint.phoneNumbers.get(n)?.association)).toEqual([undefined, undefined, undefined]);
});

it('puts the numbers back when the stack update fails elsewhere and CloudFormation rolls back', async () => {
  const { endpoint, cfn } = local;
  endpoint.addPhoneNumbers([A, B, C]);
  const stackOf = (phoneNumbers: string[], badName: string) =>
    local.synth((s: Stack) => {
      const group = new VoiceConnectorGroup(s, 'Group', { voiceConnectorGroupName: 'pbx', phoneNumbers });
      const name = new CfnParameter(s, 'BadName', { default: badName }).valueAsString;
      new VoiceConnectorGroup(s, 'Bad', { voiceConnectorGroupName: name }).node.addDependency(group);
    });
  expect((await cfn.deploy(stackOf([A, B], 'fine'), STACK)).status).toBe('CREATE_COMPLETE');
  const group = [...endpoint.groups.values()].find((g) => g.name === 'pbx')!;

  const result = await cfn.deploy(stackOf([A, C], 'bad/name'), STACK);

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(endpoint.phoneNumbersOf(group.id).sort()).toEqual([A, B]);
});

describe('a number associated elsewhere', () => {
  it('fails the Create naming the number and where it is, and leaves nothing behind, without forceAssociate', async () => {
    const { endpoint } = local;
    const elsewhere = endpoint.addConnector('us-east-1', 'other-pbx');
    endpoint.addPhoneNumbers([A, B]);
    endpoint.associatePhoneNumbersWithConnector(elsewhere, [B]);

    const result = await local.deployGroup({ voiceConnectorGroupName: 'pbx', phoneNumbers: [A, B] });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.failures[0].reason).toContain(`${B} (PhoneNumberAssociationsExist`);
    expect(result.failures[0].reason).toContain(elsewhere);
    expect(result.failures[0].reason).toContain('forceAssociate: true');
    expect(endpoint.groups.size).toBe(0);
    expect(endpoint.phoneNumbers.get(A)?.association).toBeUndefined();
    expect(endpoint.phoneNumbersOf(elsewhere)).toEqual([B]);
  });

  it('moves to the group with forceAssociate', async () => {
    const { endpoint } = local;
    const elsewhere = endpoint.addConnector('us-east-1', 'other-pbx');
    endpoint.addPhoneNumbers([A]);
    endpoint.associatePhoneNumbersWithConnector(elsewhere, [A]);

    expect((await local.deployGroup({ voiceConnectorGroupName: 'pbx', phoneNumbers: [A], forceAssociate: true })).status).toBe('CREATE_COMPLETE');

    expect(endpoint.phoneNumbersOf(onlyGroup().id)).toEqual([A]);
    expect(endpoint.phoneNumbersOf(elsewhere)).toEqual([]);
  });
});

it('fails the Create naming a number that is not in the inventory, and leaves nothing behind', async () => {
  const { endpoint } = local;
  endpoint.addPhoneNumbers([A]);

  const result = await local.deployGroup({ voiceConnectorGroupName: 'pbx', phoneNumbers: [A, D] });

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.failures[0].reason).toContain(`${D} (NotFound`);
  expect(result.failures[0].reason).toMatch(/Undone: everything this delivery changed \(associated \+12065550100 with group [\w-]+; created group [\w-]+\)\.$/);
  expect(endpoint.groups.size).toBe(0);
  expect(endpoint.phoneNumbers.get(A)?.association).toBeUndefined();
});

it('carries the numbers to the replacement group when the group moves to another Region', async () => {
  const { endpoint } = local;
  endpoint.addPhoneNumbers([A, B]);
  await local.deployGroup({ voiceConnectorGroupName: 'pbx', phoneNumbers: [A, B] });
  const old = onlyGroup();

  const moved = await local.deployGroup({ voiceConnectorGroupName: 'pbx', phoneNumbers: [A, B], apiRegion: 'us-west-2' });

  expect(moved.status).toBe('UPDATE_COMPLETE');
  const replacement = onlyGroup();
  expect(replacement.id).not.toBe(old.id);
  expect(replacement.region).toBe('us-west-2');
  expect(endpoint.phoneNumbersOf(replacement.id).sort()).toEqual([A, B]);
});
