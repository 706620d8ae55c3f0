import { VoiceConnectorAwsRegion } from '@aws-sdk/client-chime-sdk-voice';
import {
  ApiNamespace,
  CallDistribution,
  E164_PATTERN,
  GROUP_ID_PATTERN,
  GroupSpec,
  ItemSpec,
  Naming,
  REGION_PATTERN,
  regionWarning,
  SDK_VOICE_NAME_PATTERN,
  validateGroupSpec,
  validateLocation,
  validatePhoneNumbers,
  VOICE_CONNECTOR_REGIONS,
} from '../../lib/rules';

/**
 * lib/rules.ts is pure: the construct and the handler both call it, so its rules are tested here
 * on their own, one row per rule, with the messages in full.
 */

const valid: GroupSpec = {
  apiNamespace: ApiNamespace.CHIME_SDK_VOICE,
  apiRegion: 'us-east-1',
  voiceConnectorGroupName: 'pbx-failover',
  voiceConnectorItems: [
    { voiceConnectorId: 'vc-east', priority: 1 },
    { voiceConnectorId: 'vc-west', priority: 2 },
  ],
};
const items = (n: number): ItemSpec[] => Array.from({ length: n }, (_, i) => ({ voiceConnectorId: `vc-${i}`, priority: i + 1 }));
const numbers = (n: number) => Array.from({ length: n }, (_, i) => `+1206555${String(i).padStart(4, '0')}`);

describe('validateGroupSpec', () => {
  it.each<[string, Partial<GroupSpec>]>([
    ['a valid group', {}],
    ['a name of 1 character', { voiceConnectorGroupName: 'x' }],
    ['a name of 256 characters', { voiceConnectorGroupName: 'x'.repeat(256) }],
    ['no items', { voiceConnectorItems: [] }],
    ['3 items', { voiceConnectorItems: items(3) }],
    ['5 items under a stated quota of 5', { voiceConnectorItems: items(5), voiceConnectorsPerGroupQuota: 5 }],
    ['1 item under a stated quota of 1', { voiceConnectorItems: items(1), voiceConnectorsPerGroupQuota: 1 }],
    ['priorities 1 and 99', { voiceConnectorItems: [{ voiceConnectorId: 'a', priority: 1 }, { voiceConnectorId: 'b', priority: 99 }] }],
    ['equal priorities', { voiceConnectorItems: [{ voiceConnectorId: 'a', priority: 5 }, { voiceConnectorId: 'b', priority: 5 }] }],
    ['each call distribution', { callDistribution: CallDistribution.LOAD_BALANCED }],
    ['a legacy name with characters Chime SDK Voice refuses', { apiNamespace: ApiNamespace.CHIME, apiRegion: undefined, voiceConnectorGroupName: 'pbx/failover' }],
    ['an empty list of phone numbers', { phoneNumbers: [] }],
    ['1,000 phone numbers', { phoneNumbers: numbers(1000) }],
    ['an adopted group that leaves its name and items to the group', { adoptVoiceConnectorGroupId: 'a6c3582e-ac81-40e1-9c6c-0a7ee79fb842', voiceConnectorGroupName: undefined, voiceConnectorItems: undefined }],
  ])('accepts %s', (_case, change) => {
    expect(validateGroupSpec({ ...valid, ...change })).toEqual([]);
  });

  it.each<[string, Partial<GroupSpec>, string[]]>([
    ['an empty name', { voiceConnectorGroupName: '' }, ['voiceConnectorGroupName: 0 characters given; the name must have 1 to 256']],
    [
      'an adoption ID that is not a group ID',
      { adoptVoiceConnectorGroupId: 'vcg/1' },
      [
        "adoptVoiceConnectorGroupId: 'vcg/1' is not a voice connector group ID, which is up to 128 letters, digits and '-', starting with a letter or digit, " +
          "for example 'a6c3582e-ac81-40e1-9c6c-0a7ee79fb842'; give the ID of the group to adopt, as ListVoiceConnectorGroups or the Amazon Chime SDK console shows it",
      ],
    ],
    ['a name of 257 characters', { voiceConnectorGroupName: 'x'.repeat(257) }, ['voiceConnectorGroupName: 257 characters given; the name must have 1 to 256']],
    [
      'a Chime SDK Voice name with a slash',
      { voiceConnectorGroupName: 'pbx/failover' },
      ["voiceConnectorGroupName: 'pbx/failover' has characters Amazon Chime SDK Voice refuses; use only letters, digits, spaces, '_', '.' and '-'"],
    ],
    [
      '4 items under the default quota',
      { voiceConnectorItems: items(4) },
      [
        'voiceConnectorItems: 4 items given; a group holds at most 3, the default quota of voice connectors per group; ' +
          'remove items, or ask AWS for a higher quota of voice connectors per group and state it in voiceConnectorsPerGroupQuota',
      ],
    ],
    [
      '6 items under a stated quota of 5',
      { voiceConnectorItems: items(6), voiceConnectorsPerGroupQuota: 5 },
      [
        'voiceConnectorItems: 6 items given; a group holds at most 5, the quota voiceConnectorsPerGroupQuota states; ' +
          'remove items, or ask AWS for a higher quota of voice connectors per group and state it in voiceConnectorsPerGroupQuota',
      ],
    ],
    ['a quota of 0', { voiceConnectorsPerGroupQuota: 0 }, ["voiceConnectorsPerGroupQuota: 0 is not a quota; give the account's quota of voice connectors per group, a whole number of at least 1"]],
    [
      'a quota of 4.5, which leaves the default in force',
      { voiceConnectorsPerGroupQuota: 4.5, voiceConnectorItems: items(4) },
      [
        "voiceConnectorsPerGroupQuota: 4.5 is not a quota; give the account's quota of voice connectors per group, a whole number of at least 1",
        'voiceConnectorItems: 4 items given; a group holds at most 3, the default quota of voice connectors per group; ' +
          'remove items, or ask AWS for a higher quota of voice connectors per group and state it in voiceConnectorsPerGroupQuota',
      ],
    ],
    ['priority 0', { voiceConnectorItems: [{ voiceConnectorId: 'a', priority: 0 }] }, ['voiceConnectorItems[0].priority: 0 is not allowed; use a whole number from 1 to 99']],
    ['priority 100', { voiceConnectorItems: [{ voiceConnectorId: 'a', priority: 100 }] }, ['voiceConnectorItems[0].priority: 100 is not allowed; use a whole number from 1 to 99']],
    ['priority 1.5', { voiceConnectorItems: [{ voiceConnectorId: 'a', priority: 1.5 }] }, ['voiceConnectorItems[0].priority: 1.5 is not allowed; use a whole number from 1 to 99']],
    ['a blank connector ID', { voiceConnectorItems: [{ voiceConnectorId: ' ', priority: 1 }] }, ["voiceConnectorItems[0].voiceConnectorId: ' ' is not a voice connector ID"]],
    [
      'a connector twice',
      { voiceConnectorItems: [{ voiceConnectorId: 'a', priority: 1 }, { voiceConnectorId: 'a', priority: 2 }] },
      ["voiceConnectorItems[1].voiceConnectorId: 'a' is already in the group; each voice connector may appear once"],
    ],
    [
      'callDistribution in the legacy namespace',
      { apiNamespace: ApiNamespace.CHIME, apiRegion: undefined, callDistribution: CallDistribution.LOAD_BALANCED },
      ['callDistribution: only Amazon Chime SDK Voice supports call distribution; remove it or use ApiNamespace.CHIME_SDK_VOICE'],
    ],
    [
      'an unknown call distribution',
      { callDistribution: 'RoundRobin' as CallDistribution },
      ["callDistribution: 'RoundRobin' is not one of LoadBalancedDistribution, PriorityWeightedDistribution"],
    ],
    [
      'every rule at once, in property order',
      { voiceConnectorGroupName: '', voiceConnectorItems: [{ voiceConnectorId: 'a', priority: 0 }], phoneNumbers: ['0100'] },
      [
        'voiceConnectorGroupName: 0 characters given; the name must have 1 to 256',
        'voiceConnectorItems[0].priority: 0 is not allowed; use a whole number from 1 to 99',
        "phoneNumbers[0]: '0100' is not an E.164 phone number such as '+12065550100'",
      ],
    ],
  ])('refuses %s', (_case, change, messages) => {
    expect(validateGroupSpec({ ...valid, ...change })).toEqual(messages);
  });

  it('leaves values that are not known yet to the deploy-time check, but catches the same unknown value twice', () => {
    const token = '${Token[TOKEN.1]}';
    const isUnresolved = (v: unknown) => typeof v === 'string' && v.startsWith('${Token');
    const spec: GroupSpec = { ...valid, voiceConnectorGroupName: token, apiRegion: token, voiceConnectorItems: [{ voiceConnectorId: token, priority: 1 }] };
    expect(validateGroupSpec(spec, isUnresolved)).toEqual([]);
    // A quota not known yet checks no count.
    expect(validateGroupSpec({ ...valid, voiceConnectorItems: items(9), voiceConnectorsPerGroupQuota: Number(token) }, (v) => Number.isNaN(v))).toEqual([]);
    expect(validateGroupSpec({ ...spec, voiceConnectorItems: [{ voiceConnectorId: token, priority: 1 }, { voiceConnectorId: token, priority: 2 }] }, isUnresolved)).toEqual([
      `voiceConnectorItems[1].voiceConnectorId: '${token}' is already in the group; each voice connector may appear once`,
    ]);
  });

  it('shows values and names the connector property as the given Naming says', () => {
    const naming: Naming = { value: (v) => `<${String(v)}>`, connectorProperty: (i) => `items[${i}].connector` };
    const spec = { ...valid, voiceConnectorItems: [{ voiceConnectorId: 'a', priority: 1 }, { voiceConnectorId: 'a', priority: 2 }] };
    expect(validateGroupSpec(spec, () => false, naming)).toEqual(['items[1].connector: <a> is already in the group; each voice connector may appear once']);
  });
});

describe('validateLocation', () => {
  it.each<[string, ApiNamespace, string | undefined, string[]]>([
    ['Chime SDK Voice in a Region', ApiNamespace.CHIME_SDK_VOICE, 'eu-central-1', []],
    ['Chime SDK Voice with no Region (the stack decides)', ApiNamespace.CHIME_SDK_VOICE, undefined, []],
    ['the legacy namespace without a Region', ApiNamespace.CHIME, undefined, []],
    ['a Region that is not a Region name', ApiNamespace.CHIME_SDK_VOICE, 'Ohio', ["where: 'Ohio' is not an AWS Region name such as 'us-east-1'"]],
    [
      'a Region with the legacy namespace',
      ApiNamespace.CHIME,
      'us-east-1',
      ["where: 'us-east-1' cannot be set with ApiNamespace.CHIME, whose only endpoint is in us-east-1; remove where or use ApiNamespace.CHIME_SDK_VOICE"],
    ],
    ['an unknown namespace', 'Voice' as ApiNamespace, undefined, ["apiNamespace: 'Voice' is not a namespace; use one of ChimeSDKVoice, Chime"]],
  ])('%s', (_case, namespace, region, messages) => {
    expect(validateLocation(namespace, region, 'where', () => false)).toEqual(messages);
  });
});

describe('validatePhoneNumbers', () => {
  it.each<[string, string[] | undefined, string[]]>([
    ['no declaration', undefined, []],
    ['an empty list', [], []],
    ['the shortest and longest E.164 numbers', ['+12', '+123456789012345'], []],
    ['1,000 numbers', numbers(1000), []],
    ['1,001 numbers', numbers(1001), ['phoneNumbers: 1001 numbers given; a group holds at most 1000']],
    ['16 digits', ['+1234567890123456'], ["phoneNumbers[0]: '+1234567890123456' is not an E.164 phone number such as '+12065550100'"]],
    ['a leading zero', ['+0123'], ["phoneNumbers[0]: '+0123' is not an E.164 phone number such as '+12065550100'"]],
    ['a number twice', ['+12065550100', '+12065550100'], ["phoneNumbers[1]: '+12065550100' is already in the list; each number may appear once"]],
  ])('%s', (_case, list, messages) => {
    expect(validatePhoneNumbers(list)).toEqual(messages);
  });
});

describe('patterns', () => {
  it.each<[string, RegExp, string[], string[]]>([
    ['E164_PATTERN', E164_PATTERN, ['+12065550100', '+442071838750'], ['12065550100', '+1 206 555 0100', '+', '']],
    ['SDK_VOICE_NAME_PATTERN', SDK_VOICE_NAME_PATTERN, ['pbx failover_1.0-a'], ['pbx/failover', 'pbx:1', '']],
    ['REGION_PATTERN', REGION_PATTERN, ['us-east-1', 'us-gov-west-1', 'ap-southeast-2'], ['Ohio', 'us-east', 'US-EAST-1', '']],
    ['GROUP_ID_PATTERN', GROUP_ID_PATTERN, ['a6c3582e-ac81-40e1-9c6c-0a7ee79fb842', 'x'.repeat(128)], ['-leading', 'has space', 'abc/123', 'x'.repeat(129), '']],
  ])('%s matches what it should and nothing else', (_name, pattern, matching, other) => {
    expect(matching.filter((v) => !pattern.test(v))).toEqual([]);
    expect(other.filter((v) => pattern.test(v))).toEqual([]);
  });
});

describe('Regions', () => {
  it("lists exactly the Amazon Chime SDK Voice API's VoiceConnectorAwsRegion enum", () => {
    expect([...VOICE_CONNECTOR_REGIONS].sort()).toEqual(Object.values(VoiceConnectorAwsRegion).sort());
  });

  it.each<[string, string | undefined]>([
    ['us-east-1', undefined],
    ['ap-southeast-2', undefined],
    [
      'us-west-9',
      "apiRegion: 'us-west-9' is not a Region where Amazon Chime SDK Voice has voice connectors " +
        '(ap-northeast-1, ap-northeast-2, ap-southeast-1, ap-southeast-2, ca-central-1, eu-central-1, eu-west-1, eu-west-2, us-east-1, us-west-2); ' +
        'use one of them, or ignore this warning if AWS has added the Region since',
    ],
  ])('warns about %s as it should', (region, message) => {
    expect(regionWarning('apiRegion', region)).toBe(message);
  });
});
