import {
  AssociatePhoneNumbersWithVoiceConnectorGroupCommand,
  ChimeSDKVoiceClient,
  DisassociatePhoneNumbersFromVoiceConnectorGroupCommand,
  UpdateVoiceConnectorGroupCommand,
} from '@aws-sdk/client-chime-sdk-voice';
import { mockClient } from 'aws-sdk-client-mock';
import { ApiNamespace, CallDistribution, GroupSpec } from '../../lib/rules';
import { sdkVoiceWire } from '../../lambda/chime-sdk-voice';
import { restoreDeclared } from '../../lambda/restore';

/** The drift command's revert: the handler's update and ledger, with the Chime SDK Voice client mocked. */
const sdk = mockClient(ChimeSDKVoiceClient);
const wire = sdkVoiceWire(new ChimeSDKVoiceClient({ region: 'us-east-1' }));
const signals = { work: AbortSignal.timeout(10_000), settle: AbortSignal.timeout(10_000) };
const names = () => sdk.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''));
const inputs = (command: object) => sdk.commandCalls(command as never).map((c) => (c.args[0] as { input: Record<string, unknown> }).input);

const spec: GroupSpec = {
  apiNamespace: ApiNamespace.CHIME_SDK_VOICE,
  apiRegion: 'us-east-1',
  voiceConnectorGroupName: 'pbx',
  voiceConnectorItems: [{ voiceConnectorId: 'vc-1', priority: 1 }, { voiceConnectorId: 'vc-2', priority: 2 }],
  phoneNumbers: ['+12065550100', '+12065550101'],
};
const declared = { VoiceConnectorGroupId: 'grp-1', Name: 'pbx', VoiceConnectorItems: [{ VoiceConnectorId: 'vc-2', Priority: 2 }, { VoiceConnectorId: 'vc-1', Priority: 1 }], CallDistributionType: 'LoadBalancedDistribution' };

beforeEach(() => {
  sdk.reset();
  sdk.on(UpdateVoiceConnectorGroupCommand).callsFake(async (input) => ({ VoiceConnectorGroup: { ...input } }));
  sdk.on(AssociatePhoneNumbersWithVoiceConnectorGroupCommand).resolves({ PhoneNumberErrors: [] });
  sdk.on(DisassociatePhoneNumbersFromVoiceConnectorGroupCommand).resolves({ PhoneNumberErrors: [] });
});

it('makes no call for a group that matches what it declares, whatever its undeclared numbers and call distribution', async () => {
  expect(await restoreDeclared(wire, wire, 'grp-1', spec, { group: declared, numbers: [...spec.phoneNumbers!, '+12065550199'] }, 'Group', signals)).toEqual([]);
  expect(names()).toEqual([]);
});

it('writes the declared name and connectors, keeps the live call distribution when none is declared, and associates the declared numbers that are missing', async () => {
  const live = { group: { ...declared, Name: 'by-hand', VoiceConnectorItems: [{ VoiceConnectorId: 'vc-1', Priority: 5 }] }, numbers: ['+12065550100', '+12065550199'] };

  const changed = await restoreDeclared(wire, wire, 'grp-1', spec, live, 'Group', signals);

  expect(names()).toEqual(['UpdateVoiceConnectorGroup', 'AssociatePhoneNumbersWithVoiceConnectorGroup']);
  expect(inputs(UpdateVoiceConnectorGroupCommand)).toEqual([
    { VoiceConnectorGroupId: 'grp-1', Name: 'pbx', VoiceConnectorItems: [{ VoiceConnectorId: 'vc-1', Priority: 1 }, { VoiceConnectorId: 'vc-2', Priority: 2 }], CallDistributionType: 'LoadBalancedDistribution' },
  ]);
  expect(inputs(AssociatePhoneNumbersWithVoiceConnectorGroupCommand)).toEqual([{ VoiceConnectorGroupId: 'grp-1', E164PhoneNumbers: ['+12065550101'], ForceAssociate: false }]);
  expect(changed).toEqual(['wrote the declared name and voice connectors to group grp-1', 'associated +12065550101 with group grp-1 again']);
});

it('writes a declared call distribution, and takes numbers from elsewhere only with forceAssociate', async () => {
  await restoreDeclared(wire, wire, 'grp-1', { ...spec, callDistribution: CallDistribution.PRIORITY_WEIGHTED, forceAssociate: true }, { group: declared, numbers: [] }, 'Group', signals);

  expect(inputs(UpdateVoiceConnectorGroupCommand)[0]).toMatchObject({ CallDistributionType: 'PriorityWeightedDistribution' });
  expect(inputs(AssociatePhoneNumbersWithVoiceConnectorGroupCommand)).toEqual([{ VoiceConnectorGroupId: 'grp-1', E164PhoneNumbers: spec.phoneNumbers, ForceAssociate: true }]);
});

it('undoes its own update when a number cannot be associated, and says so', async () => {
  sdk.on(AssociatePhoneNumbersWithVoiceConnectorGroupCommand).resolves({ PhoneNumberErrors: [{ PhoneNumberId: '+12065550101', ErrorCode: 'NotFound', ErrorMessage: 'not in the inventory' }] });
  const live = { group: { ...declared, Name: 'by-hand' }, numbers: ['+12065550100'] };

  await expect(restoreDeclared(wire, wire, 'grp-1', spec, live, 'Group', signals)).rejects.toThrow(/Could not associate phone numbers with voice connector group grp-1 of Group: \+12065550101 \(NotFound.*Undone: everything this delivery changed \(updated group grp-1\)/);
  // The group written back as it was read.
  expect(inputs(UpdateVoiceConnectorGroupCommand).map((i) => i.Name)).toEqual(['pbx', 'by-hand']);
});
