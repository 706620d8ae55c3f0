import { RESOLVED_METADATA_KEY } from '../../lib/rules';
import { parseArgs } from '../../cli/args';
import { connectorId, constructPath, declaredSpec, intrinsicPaths, TemplateResource } from '../../cli/declared';
import { compare } from '../../cli/drift';

/** The drift command's pure parts: options, what a group declares, and the comparison. */

describe('parseArgs', () => {
  it.each<[string[], object]>([
    [['drift'], { command: 'drift', stacks: [], app: 'cdk.out', json: false, fail: false, revert: false }],
    [['drift', '--stack', 'A', '--stack=B', '--region', 'eu-west-2', '--json', '--fail'], { stacks: ['A', 'B'], region: 'eu-west-2', json: true, fail: true }],
    [['drift', '--app', 'out', '--profile', 'ops', '--revert'], { app: 'out', profile: 'ops', revert: true }],
    [[], { command: 'help' }],
    [['drift', '--help'], { command: 'help' }],
  ])('reads %j', (argv, expected) => {
    expect(parseArgs(argv)).toMatchObject(expected);
  });

  it.each([
    [['deploy'], "unknown command 'deploy'; the only command is drift"],
    [['drift', '--stack'], '--stack needs a value'],
    [['drift', '--stack', '--json'], '--stack needs a value'],
    [['drift', '--fail=yes'], '--fail takes no value'],
    [['drift', '--force'], "unknown option '--force'"],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe('what a group declares', () => {
  const resource = (properties: Record<string, unknown>, metadata: Record<string, unknown> = {}): TemplateResource =>
    ({
      Type: 'Custom::VoiceConnectorGroup',
      Metadata: metadata,
      Properties: { ServiceToken: { 'Fn::GetAtt': ['Handler', 'Arn'] }, ServiceTimeout: '300', apiNamespace: 'ChimeSDKVoice', apiRegion: 'us-east-1', ...properties },
    }) as TemplateResource;

  it('finds the paths of intrinsic functions, not of plain objects', () => {
    expect(intrinsicPaths({ a: { Ref: 'P' }, b: [{ c: 'x' }, { 'Fn::Join': ['', []] }], d: { e: 1, f: 2 } })).toEqual(['a', 'b.1']);
  });

  it('takes what only CloudFormation can resolve from the resolved Metadata, and the rest from the template', () => {
    const declared = resource({
      voiceConnectorGroupName: { Ref: 'Name' },
      voiceConnectorItems: [{ voiceConnectorId: { 'Fn::ImportValue': 'East' }, priority: 1 }, { voiceConnectorId: 'west', priority: 2 }],
      phoneNumbers: ['+12065550100'],
    });
    const resolved = JSON.stringify({ 'aws:cdk:path': 'S/G/Resource/Default', [RESOLVED_METADATA_KEY]: { voiceConnectorGroupName: 'pbx', 'voiceConnectorItems.0.voiceConnectorId': 'east' } });

    expect(declaredSpec(declared, resolved, 'S/G')).toMatchObject({
      voiceConnectorGroupName: 'pbx',
      voiceConnectorItems: [{ voiceConnectorId: 'east', priority: 1 }, { voiceConnectorId: 'west', priority: 2 }],
      phoneNumbers: ['+12065550100'],
    });
    // The template it was given is left as it was.
    expect(declared.Properties!.voiceConnectorGroupName).toEqual({ Ref: 'Name' });
  });

  it('says what to do when a deploy-time value is not in the Metadata (a group deployed before the drift command)', () => {
    expect(() => declaredSpec(resource({ voiceConnectorGroupName: { Ref: 'Name' } }), undefined, 'S/G')).toThrow(
      'S/G declares voiceConnectorGroupName with values known only at deploy time, and its Metadata does not hold them resolved',
    );
  });

  it.each([
    ['abcdef1ghij2klmno3pqr4', 'abcdef1ghij2klmno3pqr4'],
    ['arn:aws:chime:us-east-1:123456789012:vc/abcdef1ghij2klmno3pqr4', 'abcdef1ghij2klmno3pqr4'],
    ['arn:aws-cn:chime:cn-north-1:123456789012:vc/abc', 'abc'],
  ])('reads the voice connector ID of %s', (declared, id) => {
    expect(connectorId(declared)).toBe(id);
  });

  it("names a group by its construct path, from the template's aws:cdk:path or else the assembly", () => {
    expect(constructPath(resource({}, { 'aws:cdk:path': 'Stack/Group/Resource/Default' }), 'other')).toBe('Stack/Group');
    expect(constructPath(resource({}), 'Stack/Group/Resource/Default')).toBe('Stack/Group');
    expect(constructPath(resource({}), undefined)).toBeUndefined();
  });
});

describe('compare', () => {
  const spec = {
    apiNamespace: 'ChimeSDKVoice',
    voiceConnectorGroupName: 'pbx',
    voiceConnectorItems: [{ voiceConnectorId: 'arn:aws:chime:us-east-1:123456789012:vc/east', priority: 1 }],
  } as const;

  it('matches a declared ARN with the bare ID the group holds, and an undeclared call distribution with any', () => {
    const fields = compare({ ...spec, voiceConnectorItems: [...spec.voiceConnectorItems] } as never, {
      group: { Name: 'pbx', VoiceConnectorItems: [{ VoiceConnectorId: 'east', Priority: 1 }], CallDistributionType: 'LoadBalancedDistribution' },
      numbers: [],
    });
    expect(fields).toEqual([
      { field: 'name', declared: 'pbx', live: 'pbx', drift: false },
      { field: 'connector east', declared: 'priority 1', live: 'priority 1', drift: false },
      { field: 'call distribution', declared: 'not declared', live: 'LoadBalancedDistribution', drift: false },
    ]);
  });

  it('shows only declared numbers: numbers on the group that are not declared are not drift', () => {
    const fields = compare({ ...spec, phoneNumbers: ['+12065550100'] } as never, {
      group: { Name: 'pbx', VoiceConnectorItems: [{ VoiceConnectorId: 'east', Priority: 1 }] },
      numbers: ['+12065550100', '+12065550199'],
    });
    expect(fields.filter((f) => f.field.startsWith('number'))).toEqual([{ field: 'number +12065550100', declared: 'on the group', live: 'on the group', drift: false }]);
  });
});
