import * as fs from 'fs';
import * as path from 'path';
import { Annotations, App, CfnElement, CfnParameter, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { Annotations as AnnotationsOf, Match, Template } from 'aws-cdk-lib/assertions';
import { CfnVoiceConnector } from 'aws-cdk-lib/aws-chime';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ApiNamespace, CallDistribution, HANDLER_ACTIONS, PHONE_NUMBER_ACTIONS, VoiceConnectorGroup, VoiceConnectorGroupAttributes, VoiceConnectorGroupProps } from '../../lib';
import { RESOLVED_METADATA_KEY, SDK_VOICE_NAME_PATTERN } from '../../lib/rules';

function stack(region = 'eu-west-1'): Stack {
  return new Stack(new App(), 'Telephony', { env: { account: '123456789012', region } });
}
const items = [
  { voiceConnectorId: 'vc-east', priority: 1 },
  { voiceConnectorId: 'vc-west', priority: 2 },
];

describe('resource', () => {
  it('declares a custom resource with the group properties and the stack Region', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Group', { voiceConnectorGroupName: 'pbx-failover', voiceConnectorItems: items, callDistribution: CallDistribution.PRIORITY_WEIGHTED });

    Template.fromStack(s).hasResourceProperties('Custom::VoiceConnectorGroup', {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('ChimeSDKVoiceProvider'), 'Arn'] },
      ServiceTimeout: '300',
      apiNamespace: 'ChimeSDKVoice',
      apiRegion: 'eu-west-1',
      voiceConnectorGroupName: 'pbx-failover',
      voiceConnectorItems: items,
      callDistribution: 'PriorityWeightedDistribution',
    });
  });

  it('uses the given apiRegion instead of the stack Region', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Group', { apiRegion: 'us-west-2' });
    Template.fromStack(s).hasResourceProperties('Custom::VoiceConnectorGroup', { apiRegion: 'us-west-2' });
  });

  it('sends no apiRegion in the legacy namespace', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Group', { apiNamespace: ApiNamespace.CHIME });
    Template.fromStack(s).hasResourceProperties('Custom::VoiceConnectorGroup', { apiNamespace: 'Chime', apiRegion: Match.absent() });
  });

  it('makes a unique default name that the Chime SDK Voice API accepts, even from a long path', () => {
    const s = new Stack(new App(), 'A'.repeat(120));
    const deep = new VoiceConnectorGroup(new Stack(s, 'B'.repeat(100)), 'C'.repeat(200));
    const names = [new VoiceConnectorGroup(s, 'One'), new VoiceConnectorGroup(s, 'Two'), deep].map((g) => g.voiceConnectorGroupName);

    expect(new Set(names).size).toBe(3);
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(256);
      expect(name).toMatch(SDK_VOICE_NAME_PATTERN);
    }
  });

  it('exposes the group ID as an attribute and a described stack output', () => {
    const s = stack();
    const group = new VoiceConnectorGroup(s, 'Group', { voiceConnectorGroupName: 'pbx', exportName: 'PbxGroupId' });
    const ref = { Ref: s.getLogicalId(group.node.findChild('Resource').node.defaultChild as CfnElement) };

    expect(s.resolve(group.voiceConnectorGroupId)).toEqual(ref);
    Template.fromStack(s).hasOutput('*', {
      Value: ref,
      Description: "ID of the Amazon Chime voice connector group 'pbx' (Telephony/Group)",
      Export: { Name: 'PbxGroupId' },
    });
  });

  it('deletes the group with the stack by default and keeps it with RemovalPolicy.RETAIN', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Gone');
    new VoiceConnectorGroup(s, 'Kept', { removalPolicy: RemovalPolicy.RETAIN });
    const resources = Template.fromStack(s).findResources('Custom::VoiceConnectorGroup');

    expect(Object.entries(resources).map(([id, r]) => [id.slice(0, 4), r.DeletionPolicy, r.UpdateReplacePolicy])).toEqual([
      ['Gone', 'Delete', 'Delete'],
      ['Kept', 'Retain', 'Retain'],
    ]);
  });

  it('keeps the group with applyRemovalPolicy(RemovalPolicy.RETAIN), as any L2 does', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Kept').applyRemovalPolicy(RemovalPolicy.RETAIN);
    Template.fromStack(s).hasResource('Custom::VoiceConnectorGroup', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('refuses RemovalPolicy.SNAPSHOT by its own check, in props and in applyRemovalPolicy, without the app flag', () => {
    // A plain App has no @aws-cdk/core:validateSnapshotRemovalPolicy flag, like most consumers' apps.
    const message = 'VoiceConnectorGroup Telephony/Group: removalPolicy: RemovalPolicy.SNAPSHOT is not possible';
    expect(() => new VoiceConnectorGroup(stack(), 'Group', { removalPolicy: RemovalPolicy.SNAPSHOT })).toThrow(message);
    const group = new VoiceConnectorGroup(stack(), 'Group');
    expect(() => group.applyRemovalPolicy(RemovalPolicy.SNAPSHOT)).toThrow(message);
  });

  it('gives a Chime SDK Voice group the ARN the handler returns', () => {
    const s = stack();
    const group = new VoiceConnectorGroup(s, 'Group');
    const logicalId = s.getLogicalId(group.node.findChild('Resource').node.defaultChild as CfnElement);
    expect(s.resolve(group.voiceConnectorGroupArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'VoiceConnectorGroupArn'] });
  });

  it('refuses to read the ARN of a legacy group, at synth time', () => {
    const group = new VoiceConnectorGroup(stack(), 'Group', { apiNamespace: ApiNamespace.CHIME });
    expect(() => group.voiceConnectorGroupArn).toThrow('VoiceConnectorGroup Telephony/Group: voiceConnectorGroupArn: a group in ApiNamespace.CHIME has no ARN attribute');
  });
});

describe('import', () => {
  const id = 'a6c3582e-ac81-40e1-9c6c-0a7ee79fb842';
  /** An ARN in the stack's partition, which CDK leaves to CloudFormation. */
  const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

  it('imports an existing group by ID, as a Chime SDK Voice group in the stack\'s Region and account', () => {
    const s = stack();
    const group = VoiceConnectorGroup.fromVoiceConnectorGroupId(s, 'Existing', id);
    expect(group.voiceConnectorGroupId).toBe(id);
    expect(group.apiNamespace).toBe(ApiNamespace.CHIME_SDK_VOICE);
    expect(s.resolve(group.voiceConnectorGroupArn)).toEqual(arn(`:chime:eu-west-1:123456789012:vcg/${id}`));
  });

  it.each(['', 'abc/123', '-leading-dash', 'has space', 'x'.repeat(129)])('refuses %j as a group ID, naming the construct path', (bad) => {
    expect(() => VoiceConnectorGroup.fromVoiceConnectorGroupId(stack(), 'Existing', bad)).toThrow(
      `VoiceConnectorGroup Telephony/Existing: voiceConnectorGroupId: '${bad}' is not a voice connector group ID`,
    );
  });

  it('accepts a token as the ID, which is known only at deploy time', () => {
    const s = stack();
    const group = VoiceConnectorGroup.fromVoiceConnectorGroupId(s, 'Existing', new CfnParameter(s, 'GroupId').valueAsString);
    expect(s.resolve(group.voiceConnectorGroupId)).toEqual({ Ref: 'GroupId' });
  });

  it('forms the ARN from the given Region and account', () => {
    const s = stack();
    const group = VoiceConnectorGroup.fromVoiceConnectorGroupAttributes(s, 'Existing', { voiceConnectorGroupId: id, region: 'us-west-2', account: '210987654321' });
    expect(s.resolve(group.voiceConnectorGroupArn)).toEqual(arn(`:chime:us-west-2:210987654321:vcg/${id}`));
  });

  it('forms the ARN with tokens in an environment-agnostic stack', () => {
    const s = new Stack(new App(), 'Agnostic');
    const group = VoiceConnectorGroup.fromVoiceConnectorGroupId(s, 'Existing', id);
    expect(s.resolve(group.voiceConnectorGroupArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':chime:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:vcg/${id}`]],
    });
  });

  it('imports a legacy group, whose ARN it refuses to form', () => {
    const group = VoiceConnectorGroup.fromVoiceConnectorGroupAttributes(stack(), 'Legacy', { voiceConnectorGroupId: id, apiNamespace: ApiNamespace.CHIME });
    expect(group.apiNamespace).toBe(ApiNamespace.CHIME);
    expect(() => group.voiceConnectorGroupArn).toThrow('VoiceConnectorGroup Telephony/Legacy: voiceConnectorGroupArn: a group in ApiNamespace.CHIME has no ARN attribute');
  });

  it.each<[string, Partial<VoiceConnectorGroupAttributes>, string]>([
    ['a Region for a legacy group', { apiNamespace: ApiNamespace.CHIME, region: 'us-east-1' }, "region: 'us-east-1' cannot be set with ApiNamespace.CHIME"],
    ['a malformed Region', { region: 'Ohio' }, "region: 'Ohio' is not an AWS Region name"],
    ['an unknown namespace', { apiNamespace: 'Voice' as ApiNamespace }, "apiNamespace: 'Voice' is not a namespace"],
  ])('refuses %s, naming the construct path and the attribute', (_case, attrs, message) => {
    expect(() => VoiceConnectorGroup.fromVoiceConnectorGroupAttributes(stack(), 'Existing', { voiceConnectorGroupId: id, ...attrs })).toThrow(
      `VoiceConnectorGroup Telephony/Existing: ${message}`,
    );
  });
});

describe('provider', () => {
  it('shares one handler function among five groups', () => {
    const s = stack();
    for (let i = 0; i < 5; i++) new VoiceConnectorGroup(s, `Group${i}`);
    const template = Template.fromStack(s);

    template.resourceCountIs('Custom::VoiceConnectorGroup', 5);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Handler: 'index.handler', Timeout: 180 });
  });

  it('serves both namespaces from one function, whose asset loads each client from a file of its own', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Supported');
    new VoiceConnectorGroup(s, 'Legacy', { apiNamespace: ApiNamespace.CHIME });
    const out = (s.node.root as App).synth().directory;
    const template = Template.fromStack(s);
    const functions = template.findResources('AWS::Lambda::Function');

    expect(Object.keys(functions)).toHaveLength(1);
    const tokens = Object.values(template.findResources('Custom::VoiceConnectorGroup')).map((r) => JSON.stringify(r.Properties.ServiceToken));
    expect(new Set(tokens).size).toBe(1);
    // The function's code is the asset directory named by the hash in its S3 key.
    const asset = path.join(out, `asset.${String(Object.values(functions)[0].Properties.Code.S3Key).replace(/\.zip$/, '')}`);
    const clientsIn = (file: string) => ['"ChimeSDKVoiceClient"', '"ChimeClient"'].filter((name) => fs.readFileSync(path.join(asset, file), 'utf8').includes(name));
    expect(clientsIn('index.js')).toEqual([]);
    expect(clientsIn('chime-sdk-voice.js')).toEqual(['"ChimeSDKVoiceClient"']);
    expect(clientsIn('chime.js')).toEqual(['"ChimeClient"']);
  });

  it('creates one role, with the logging managed policy and no other role or policy', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Group');
    const template = Template.fromStack(s);

    template.resourceCountIs('AWS::IAM::Role', 1);
    for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::User', 'AWS::IAM::Group']) template.resourceCountIs(type, 0);
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }],
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }] },
    });
  });

  /** The handler role's inline policy statements, exactly as synthesised. */
  const statementsOf = (s: Stack) => {
    const roles = Object.values(Template.fromStack(s).findResources('AWS::IAM::Role'));
    expect(roles).toHaveLength(1);
    expect(roles[0].Properties.Policies).toHaveLength(1);
    expect(roles[0].Properties.Policies[0]).toMatchObject({ PolicyName: 'Inline', PolicyDocument: { Version: '2012-10-17' } });
    return roles[0].Properties.Policies[0].PolicyDocument.Statement;
  };
  const groupStatement = { Effect: 'Allow', Action: [...HANDLER_ACTIONS], Resource: '*' };
  const phoneNumberStatement = { Effect: 'Allow', Action: [...PHONE_NUMBER_ACTIONS], Resource: '*' };
  // The handler reads its own stack's record of a resource, and nothing else of CloudFormation.
  const stackReadStatement = { Effect: 'Allow', Action: ['cloudformation:DescribeStackResource'], Resource: { Ref: 'AWS::StackId' } };

  it('allows exactly the voice connector group actions the handler calls, in a stack where no group declares phone numbers', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Group');
    new VoiceConnectorGroup(s, 'Forced', { forceAssociate: true });
    new VoiceConnectorGroup(s, 'NothingAdded').addPhoneNumber();

    expect(statementsOf(s)).toEqual([groupStatement, stackReadStatement]);
    expect([...HANDLER_ACTIONS]).toEqual([
      'chime:CreateVoiceConnectorGroup',
      'chime:UpdateVoiceConnectorGroup',
      'chime:GetVoiceConnectorGroup',
      'chime:DeleteVoiceConnectorGroup',
      'chime:ListVoiceConnectorGroups',
      'chime:ListPhoneNumbers',
    ]);
  });

  it.each<[string, (s: Stack) => void]>([
    ['an empty list of numbers', (s) => new VoiceConnectorGroup(s, 'Numbers', { phoneNumbers: [] })],
    ['numbers in props', (s) => new VoiceConnectorGroup(s, 'Numbers', { phoneNumbers: ['+12065550100'] })],
    ['numbers added after construction', (s) => new VoiceConnectorGroup(s, 'Numbers').addPhoneNumber('+12065550100')],
  ])('also allows associating and disassociating phone numbers, once, in a stack where one group declares %s', (_case, declare) => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Before');
    declare(s);
    new VoiceConnectorGroup(s, 'After', { phoneNumbers: ['+12065550101'] }).addPhoneNumber('+12065550102');

    expect(statementsOf(s)).toEqual([groupStatement, stackReadStatement, phoneNumberStatement]);
    expect([...PHONE_NUMBER_ACTIONS]).toEqual(['chime:AssociatePhoneNumbersWithVoiceConnectorGroup', 'chime:DisassociatePhoneNumbersFromVoiceConnectorGroup']);
  });

  it('grants the phone number actions only in the stack whose group declares numbers', () => {
    const app = new App();
    const withNumbers = new Stack(app, 'WithNumbers', { env: { region: 'us-east-1' } });
    const without = new Stack(app, 'Without', { env: { region: 'us-east-1' } });
    new VoiceConnectorGroup(withNumbers, 'Group', { phoneNumbers: ['+12065550100'] });
    new VoiceConnectorGroup(without, 'Group');

    expect(statementsOf(withNumbers)).toEqual([groupStatement, stackReadStatement, phoneNumberStatement]);
    expect(statementsOf(without)).toEqual([groupStatement, stackReadStatement]);
  });
});

describe('phone numbers', () => {
  const resourceProperties = (s: Stack) => Object.values(Template.fromStack(s).findResources('Custom::VoiceConnectorGroup')).map((r) => r.Properties);

  it('writes neither phoneNumbers nor forceAssociate when they are not set, so the group leaves its numbers alone', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Group', { voiceConnectorItems: items });
    const [properties] = resourceProperties(s);

    expect(Object.keys(properties).sort()).toEqual(['ServiceTimeout', 'ServiceToken', 'apiNamespace', 'apiRegion', 'voiceConnectorGroupName', 'voiceConnectorItems']);
  });

  it('writes the numbers and forceAssociate as given, an empty list included', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Numbers', { voiceConnectorGroupName: 'numbers', phoneNumbers: ['+12065550100', '+442071838750'], forceAssociate: true });
    new VoiceConnectorGroup(s, 'None', { voiceConnectorGroupName: 'none', phoneNumbers: [], forceAssociate: false });

    expect(resourceProperties(s).map((p) => [p.voiceConnectorGroupName, p.phoneNumbers, p.forceAssociate])).toEqual([
      ['numbers', ['+12065550100', '+442071838750'], true],
      ['none', [], false],
    ]);
  });

  it('writes numbers added with addPhoneNumber after construction, after those of the props', () => {
    const s = stack();
    const given = ['+12065550100'];
    const group = new VoiceConnectorGroup(s, 'Group', { phoneNumbers: given });
    group.addPhoneNumber('+12065550101', '+12065550102');
    group.addPhoneNumber('+12065550103');

    expect(resourceProperties(s)[0].phoneNumbers).toEqual(['+12065550100', '+12065550101', '+12065550102', '+12065550103']);
    expect(given).toEqual(['+12065550100']);
  });

  it('makes a group without the prop declare its numbers from the first number added; adding none changes nothing', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Added', { voiceConnectorGroupName: 'added' }).addPhoneNumber('+12065550100');
    new VoiceConnectorGroup(s, 'NoneAdded', { voiceConnectorGroupName: 'none-added' }).addPhoneNumber();

    expect(resourceProperties(s).map((p) => [p.voiceConnectorGroupName, p.phoneNumbers])).toEqual([
      ['added', ['+12065550100']],
      ['none-added', undefined],
    ]);
  });

  const attempt = (props: VoiceConnectorGroupProps) => () => new VoiceConnectorGroup(stack(), 'Group', props);
  const many = (n: number) => Array.from({ length: n }, (_, i) => `+1206555${String(i).padStart(4, '0')}`);

  it.each<[string, string[], string]>([
    ['a number without the leading +', ['12065550100'], "phoneNumbers[0]: '12065550100' is not an E.164 phone number such as '+12065550100'"],
    ['a number with spaces', ['+1 206 555 0100'], "phoneNumbers[0]: '+1 206 555 0100' is not an E.164 phone number"],
    ['a number of 16 digits', ['+1234567890123456'], "phoneNumbers[0]: '+1234567890123456' is not an E.164 phone number"],
    ['a number twice', ['+12065550100', '+12065550101', '+12065550100'], "phoneNumbers[2]: '+12065550100' is already in the list; each number may appear once"],
    ['1,001 numbers', many(1001), 'phoneNumbers: 1001 numbers given; a group holds at most 1000'],
  ])('rejects %s, naming the construct path and the property', (_case, phoneNumbers, message) => {
    expect(attempt({ phoneNumbers })).toThrow(`VoiceConnectorGroup Telephony/Group: ${message}`);
  });

  it('accepts 1,000 numbers', () => {
    expect(attempt({ phoneNumbers: many(1000) })).not.toThrow();
  });

  it('checks numbers given to addPhoneNumber with the same rules, across the props and every call, and keeps none of a refused call', () => {
    const s = stack();
    const group = new VoiceConnectorGroup(s, 'Group', { phoneNumbers: ['+12065550100'] });
    group.addPhoneNumber('+12065550101');

    expect(() => group.addPhoneNumber('+12065550102', '+12065550100')).toThrow(
      "VoiceConnectorGroup Telephony/Group: addPhoneNumber: phoneNumbers[3]: '+12065550100' is already in the list; each number may appear once",
    );
    expect(() => group.addPhoneNumber('+12065550101')).toThrow("phoneNumbers[2]: '+12065550101' is already in the list");
    expect(() => group.addPhoneNumber('206-555-0102')).toThrow(
      "VoiceConnectorGroup Telephony/Group: addPhoneNumber: phoneNumbers[2]: '206-555-0102' is not an E.164 phone number",
    );
    expect(() => group.addPhoneNumber(...many(999))).toThrow('VoiceConnectorGroup Telephony/Group: addPhoneNumber: phoneNumbers: 1001 numbers given; a group holds at most 1000');
    expect(resourceProperties(s)[0].phoneNumbers).toEqual(['+12065550100', '+12065550101']);
  });

  it('leaves numbers that are tokens to the handler, and checks the known ones beside them', () => {
    const s = stack();
    const number = new CfnParameter(s, 'Number').valueAsString;
    const list = Fn.split(',', new CfnParameter(s, 'Numbers').valueAsString);
    new VoiceConnectorGroup(s, 'Elements', { voiceConnectorGroupName: 'elements', phoneNumbers: [number, '+12065550100'] }).addPhoneNumber(number);
    new VoiceConnectorGroup(s, 'List', { voiceConnectorGroupName: 'list', phoneNumbers: list });

    expect(resourceProperties(s).map((p) => p.phoneNumbers)).toEqual([[{ Ref: 'Number' }, '+12065550100', { Ref: 'Number' }], { 'Fn::Split': [',', { Ref: 'Numbers' }] }]);
    expect(() => new VoiceConnectorGroup(s, 'Known', { voiceConnectorGroupName: 'known', phoneNumbers: [number, 'not-a-number'] })).toThrow(
      "VoiceConnectorGroup Telephony/Known: phoneNumbers[1]: 'not-a-number' is not an E.164 phone number",
    );
  });

  it('checks the phone numbers even when the voice connector items are a token', () => {
    const s = stack();
    const itemsToken = Token.asAny(Fn.getAtt('Elsewhere', 'Items')) as unknown as VoiceConnectorGroupProps['voiceConnectorItems'];
    expect(() => new VoiceConnectorGroup(s, 'Group', { voiceConnectorItems: itemsToken, phoneNumbers: ['bad'] })).toThrow(
      "VoiceConnectorGroup Telephony/Group: phoneNumbers[0]: 'bad' is not an E.164 phone number",
    );
  });

  it('refuses to add numbers to a prop that is a token list, saying what to do instead', () => {
    const s = stack();
    const group = new VoiceConnectorGroup(s, 'Group', { phoneNumbers: Fn.split(',', new CfnParameter(s, 'Numbers').valueAsString) });
    expect(() => group.addPhoneNumber('+12065550100')).toThrow(
      'VoiceConnectorGroup Telephony/Group: phoneNumbers: the prop is a token (a list known only at deploy time), so numbers cannot be added to it',
    );
  });
});

describe('validation at synth time', () => {
  it('refuses two groups of one stack with the same name in the same namespace and Region', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'First', { voiceConnectorGroupName: 'pbx' });
    new VoiceConnectorGroup(s, 'InWest', { voiceConnectorGroupName: 'pbx', apiRegion: 'us-west-2' });
    new VoiceConnectorGroup(s, 'Legacy', { voiceConnectorGroupName: 'pbx', apiNamespace: ApiNamespace.CHIME });

    expect(() => new VoiceConnectorGroup(s, 'Second', { voiceConnectorGroupName: 'pbx' })).toThrow(
      "VoiceConnectorGroup Telephony/Second: voiceConnectorGroupName 'pbx' is already the name of Telephony/First in the same API namespace and Region",
    );
  });

  const attempt = (props: VoiceConnectorGroupProps) => () => new VoiceConnectorGroup(stack(), 'Group', props);

  it.each<[string, VoiceConnectorGroupProps, string]>([
    ['an empty name', { voiceConnectorGroupName: '' }, 'voiceConnectorGroupName: 0 characters given; the name must have 1 to 256'],
    ['a name of 257 characters', { voiceConnectorGroupName: 'x'.repeat(257) }, 'voiceConnectorGroupName: 257 characters given'],
    ['a name with characters Chime SDK Voice refuses', { voiceConnectorGroupName: 'pbx/failover' }, "voiceConnectorGroupName: 'pbx/failover' has characters"],
    [
      'four connectors under the default quota',
      { voiceConnectorItems: ['a', 'b', 'c', 'd'].map((id, i) => ({ voiceConnectorId: id, priority: i + 1 })) },
      'voiceConnectorItems: 4 items given; a group holds at most 3, the default quota of voice connectors per group; ' +
        'remove items, or ask AWS for a higher quota of voice connectors per group and state it in voiceConnectorsPerGroupQuota',
    ],
    [
      'five connectors under a stated quota of 4',
      { voiceConnectorsPerGroupQuota: 4, voiceConnectorItems: ['a', 'b', 'c', 'd', 'e'].map((id, i) => ({ voiceConnectorId: id, priority: i + 1 })) },
      'voiceConnectorItems: 5 items given; a group holds at most 4, the quota voiceConnectorsPerGroupQuota states',
    ],
    ['priority 0', { voiceConnectorItems: [{ voiceConnectorId: 'a', priority: 0 }] }, 'voiceConnectorItems[0].priority: 0 is not allowed; use a whole number from 1 to 99'],
    ['priority 100', { voiceConnectorItems: [{ voiceConnectorId: 'a', priority: 100 }] }, 'voiceConnectorItems[0].priority: 100'],
    ['a fractional priority', { voiceConnectorItems: [{ voiceConnectorId: 'a', priority: 1.5 }] }, 'voiceConnectorItems[0].priority: 1.5'],
    ['a connector twice', { voiceConnectorItems: [{ voiceConnectorId: 'a', priority: 1 }, { voiceConnectorId: 'a', priority: 2 }] }, "voiceConnectorItems[1].voiceConnectorId: 'a' is already in the group"],
    ['an empty connector ID', { voiceConnectorItems: [{ voiceConnectorId: ' ', priority: 1 }] }, 'voiceConnectorItems[0].voiceConnectorId'],
    ['apiRegion with the legacy namespace', { apiNamespace: ApiNamespace.CHIME, apiRegion: 'us-east-1' }, 'apiRegion: \'us-east-1\' cannot be set with ApiNamespace.CHIME'],
    ['callDistribution with the legacy namespace', { apiNamespace: ApiNamespace.CHIME, callDistribution: CallDistribution.LOAD_BALANCED }, 'callDistribution: only Amazon Chime SDK Voice'],
    ['a malformed apiRegion', { apiRegion: 'Ohio' }, "apiRegion: 'Ohio' is not an AWS Region name"],
  ])('rejects %s, naming the construct path and the property', (_case, props, message) => {
    expect(attempt(props)).toThrow(`VoiceConnectorGroup Telephony/Group: ${message}`);
  });

  it('reports every broken rule at once', () => {
    expect(attempt({ voiceConnectorGroupName: '', voiceConnectorItems: [{ voiceConnectorId: 'a', priority: 0 }] })).toThrow(
      /voiceConnectorGroupName: 0 characters.*; voiceConnectorItems\[0\]\.priority: 0/,
    );
  });

  it('accepts the legacy namespace with names Chime SDK Voice would refuse', () => {
    expect(attempt({ apiNamespace: ApiNamespace.CHIME, voiceConnectorGroupName: 'pbx/failover' })).not.toThrow();
  });

  it('leaves tokens to the handler, which checks them at deploy time', () => {
    const s = stack();
    const name = new CfnParameter(s, 'Name').valueAsString;
    const priority = new CfnParameter(s, 'Priority', { type: 'Number' }).valueAsNumber;
    const ids = Fn.split(',', new CfnParameter(s, 'Ids').valueAsString);

    new VoiceConnectorGroup(s, 'Group', {
      voiceConnectorGroupName: name,
      voiceConnectorItems: [
        { voiceConnectorId: Fn.select(0, ids), priority },
        { voiceConnectorId: Fn.select(1, ids), priority },
      ],
      apiRegion: Token.asString({ Ref: 'AWS::Region' }),
    });

    Template.fromStack(s).hasResourceProperties('Custom::VoiceConnectorGroup', {
      voiceConnectorGroupName: { Ref: 'Name' },
      voiceConnectorItems: [Match.objectLike({ priority: { Ref: 'Priority' } }), Match.anyValue()],
    });
  });

  it('catches the same token used twice as a connector ID, since it must resolve to the same ID', () => {
    const s = stack();
    const id = new CfnParameter(s, 'Id').valueAsString;
    expect(() =>
      new VoiceConnectorGroup(s, 'Group', { voiceConnectorItems: [{ voiceConnectorId: id, priority: 1 }, { voiceConnectorId: id, priority: 2 }] }),
    ).toThrow('voiceConnectorItems[1].voiceConnectorId');
  });
});

describe('handler logs', () => {
  const logGroupOf = (s: Stack) => {
    const template = Template.fromStack(s);
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    expect(Object.keys(logGroups)).toHaveLength(1);
    const [[logicalId, logGroup]] = Object.entries(logGroups);
    template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: { Ref: logicalId } } });
    return logGroup;
  };

  it('gives the handler one log group per stack, kept for two years and retained, whatever the number of groups', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'One');
    new VoiceConnectorGroup(s, 'Two');
    expect(logGroupOf(s)).toEqual({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 731 }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('takes the retention a group sets, whichever group of the stack sets it', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Default');
    new VoiceConnectorGroup(s, 'Week', { handlerLogRetention: RetentionDays.ONE_WEEK });
    new VoiceConnectorGroup(s, 'AlsoWeek', { handlerLogRetention: RetentionDays.ONE_WEEK });
    expect(logGroupOf(s).Properties).toEqual({ RetentionInDays: 7 });
  });

  it('keeps the logs forever with RetentionDays.INFINITE', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Forever', { handlerLogRetention: RetentionDays.INFINITE });
    expect(logGroupOf(s).Properties).toBeUndefined();
  });

  it('refuses two groups of one stack that ask for different retentions, naming both', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Week', { handlerLogRetention: RetentionDays.ONE_WEEK });
    expect(() => new VoiceConnectorGroup(s, 'Month', { handlerLogRetention: RetentionDays.ONE_MONTH })).toThrow(
      new Error(
        'VoiceConnectorGroup Telephony/Month: handlerLogRetention: 30 days given, but Telephony/Week gives 7 days; ' +
          'one handler function serves every group of the stack, so give the same value to every group that sets it, or set it on one group only',
      ),
    );
  });
});

describe('stack output', () => {
  /** A stack of `count` groups in an app that treats CloudFormation validation findings as errors. */
  const synthGroups = (count: number, props: VoiceConnectorGroupProps) => () => {
    const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': true } });
    const s = new Stack(app, 'Telephony', { env: { region: 'us-east-1' } });
    for (let i = 0; i < count; i++) new VoiceConnectorGroup(s, `Group${i}`, props);
    app.synth();
    return Template.fromStack(s);
  };

  it('lets a stack hold more than 200 groups with stackOutput: false, keeping the ID as an attribute', () => {
    expect(synthGroups(201, {})).toThrow(/F0004/);
    const template = synthGroups(201, { stackOutput: false })();
    expect(Object.keys(template.findOutputs('*'))).toEqual([]);
    template.resourceCountIs('Custom::VoiceConnectorGroup', 201);
  });

  it('leaves idOutput undefined without the output, and keeps it by default', () => {
    const s = stack();
    expect(new VoiceConnectorGroup(s, 'Without', { stackOutput: false }).idOutput).toBeUndefined();
    expect(new VoiceConnectorGroup(s, 'With').idOutput).toBeDefined();
    expect(Object.keys(Template.fromStack(s).findOutputs('*'))).toEqual([expect.stringMatching(/^WithVoiceConnectorGroupId/)]);
  });

  it('refuses exportName without the stack output, saying what to remove', () => {
    expect(() => new VoiceConnectorGroup(stack(), 'Group', { stackOutput: false, exportName: 'PbxGroupId' })).toThrow(
      new Error('VoiceConnectorGroup Telephony/Group: exportName: an export needs the stack output, which stackOutput: false leaves out; remove exportName or stackOutput'),
    );
  });
});

describe('voice connectors as constructs', () => {
  const connector = (s: Stack, id: string, awsRegion = 'us-east-1') => new CfnVoiceConnector(s, id, { name: id.toLowerCase(), awsRegion, requireEncryption: true });

  it('writes the ID of a CfnVoiceConnector given as voiceConnector, as if its attribute were given', () => {
    const s = stack();
    const east = connector(s, 'East');
    const west = connector(s, 'West', 'us-west-2');
    new VoiceConnectorGroup(s, 'ByConstruct', { voiceConnectorGroupName: 'by-construct', voiceConnectorItems: [{ voiceConnector: east, priority: 1 }, { voiceConnector: west, priority: 2 }] });
    new VoiceConnectorGroup(s, 'ById', {
      voiceConnectorGroupName: 'by-id',
      voiceConnectorItems: [
        { voiceConnectorId: east.attrVoiceConnectorId, priority: 1 },
        { voiceConnectorId: west.attrVoiceConnectorId, priority: 2 },
      ],
    });
    const [byConstruct, byId] = Object.values(Template.fromStack(s).findResources('Custom::VoiceConnectorGroup')).map((r) => r.Properties.voiceConnectorItems);

    expect(byConstruct).toEqual(byId);
    expect(byConstruct).toEqual([
      { voiceConnectorId: { 'Fn::GetAtt': [s.getLogicalId(east), 'VoiceConnectorId'] }, priority: 1 },
      { voiceConnectorId: { 'Fn::GetAtt': [s.getLogicalId(west), 'VoiceConnectorId'] }, priority: 2 },
    ]);
  });

  it('reads a connector of another stack through a cross-stack reference', () => {
    const app = new App();
    const connectors = new Stack(app, 'Connectors', { env: { account: '123456789012', region: 'us-east-1' } });
    const groups = new Stack(app, 'Groups', { env: { account: '123456789012', region: 'us-east-1' } });
    new VoiceConnectorGroup(groups, 'Group', { voiceConnectorItems: [{ voiceConnector: connector(connectors, 'East'), priority: 1 }] });
    Template.fromStack(groups).hasResourceProperties('Custom::VoiceConnectorGroup', { voiceConnectorItems: [{ voiceConnectorId: { 'Fn::ImportValue': Match.anyValue() }, priority: 1 }] });
  });

  it.each<[string, (east: CfnVoiceConnector) => VoiceConnectorGroupProps['voiceConnectorItems'], string]>([
    ['both voiceConnector and voiceConnectorId', (east) => [{ voiceConnector: east, voiceConnectorId: 'vc-east', priority: 1 }], 'voiceConnectorItems[0]: both voiceConnector and voiceConnectorId given; give the connector once, by one of them'],
    ['neither', () => [{ voiceConnectorId: 'vc-east', priority: 1 }, { priority: 2 }], 'voiceConnectorItems[1]: no voice connector given; give voiceConnector (a CfnVoiceConnector) or voiceConnectorId'],
  ])('refuses an item with %s, in full and once', (_case, items, message) => {
    const s = stack();
    expect(() => new VoiceConnectorGroup(s, 'Group', { voiceConnectorItems: items(connector(s, 'East')) })).toThrow(new Error(`VoiceConnectorGroup Telephony/Group: ${message}`));
  });
});

describe('messages name tokens by what they refer to', () => {
  const duplicate = (index: number, property: string, named: string) =>
    new Error(`VoiceConnectorGroup Telephony/Group: voiceConnectorItems[${index}].${property}: ${named} is already in the group; each voice connector may appear once`);

  it.each<[string, (s: Stack) => VoiceConnectorGroupProps['voiceConnectorItems'], Error]>([
    [
      'a connector given twice as a construct',
      (s) => {
        const east = new CfnVoiceConnector(s, 'East', { name: 'east', awsRegion: 'us-east-1', requireEncryption: true });
        return [{ voiceConnector: east, priority: 1 }, { voiceConnector: east, priority: 2 }];
      },
      duplicate(1, 'voiceConnector', 'voice connector Telephony/East'),
    ],
    [
      'a connector given as a construct and by its attribute',
      (s) => {
        const east = new CfnVoiceConnector(s, 'East', { name: 'east', awsRegion: 'us-east-1', requireEncryption: true });
        return [{ voiceConnector: east, priority: 1 }, { voiceConnectorId: east.attrVoiceConnectorId, priority: 2 }];
      },
      duplicate(1, 'voiceConnectorId', 'voice connector Telephony/East'),
    ],
    [
      'a parameter given twice',
      (s) => {
        const id = new CfnParameter(s, 'ConnectorId').valueAsString;
        return [{ voiceConnectorId: id, priority: 1 }, { voiceConnectorId: id, priority: 2 }];
      },
      duplicate(1, 'voiceConnectorId', 'the value of parameter Telephony/ConnectorId'),
    ],
    [
      'an expression given twice',
      (s) => {
        const id = Fn.select(0, Fn.split(',', new CfnParameter(s, 'Ids').valueAsString));
        return [{ voiceConnectorId: id, priority: 1 }, { voiceConnectorId: id, priority: 2 }];
      },
      duplicate(1, 'voiceConnectorId', 'the deploy-time value {"Fn::Select":[0,{"Fn::Split":[",",{"Ref":"Ids"}]}]}'),
    ],
  ])('names %s without a token', (_case, items, message) => {
    const s = stack();
    expect(() => new VoiceConnectorGroup(s, 'Group', { voiceConnectorItems: items(s) })).toThrow(message);
  });

  it('names a group name that is a parameter, when two groups share it', () => {
    const s = stack();
    const name = new CfnParameter(s, 'Name').valueAsString;
    new VoiceConnectorGroup(s, 'First', { voiceConnectorGroupName: name });
    expect(() => new VoiceConnectorGroup(s, 'Second', { voiceConnectorGroupName: name })).toThrow(
      'VoiceConnectorGroup Telephony/Second: voiceConnectorGroupName the value of parameter Telephony/Name is already the name of Telephony/First in the same API namespace and Region',
    );
  });

  it('names an imported group\'s Region that is a parameter', () => {
    const s = stack();
    const region = new CfnParameter(s, 'Region').valueAsString;
    expect(() => VoiceConnectorGroup.fromVoiceConnectorGroupAttributes(s, 'Legacy', { voiceConnectorGroupId: 'abc', apiNamespace: ApiNamespace.CHIME, region })).toThrow(
      'VoiceConnectorGroup Telephony/Legacy: region: the value of parameter Telephony/Region cannot be set with ApiNamespace.CHIME',
    );
  });
});

describe('Region warnings', () => {
  const listed = 'ap-northeast-1, ap-northeast-2, ap-southeast-1, ap-southeast-2, ca-central-1, eu-central-1, eu-west-1, eu-west-2, us-east-1, us-west-2';
  const warning = (where: string, region: string) =>
    `${where}: '${region}' is not a Region where Amazon Chime SDK Voice has voice connectors (${listed}); use one of them, or ignore this warning if AWS has added the Region since`;
  const warningsOf = (s: Stack) => AnnotationsOf.fromStack(s).findWarning('*', Match.anyValue()).map((m) => [m.id, String(m.entry.data).replace(/ \[ack: .*\]$/, '')]);

  it('warns, without failing, about a group Region where Amazon Chime SDK Voice has no voice connectors', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Group', { apiRegion: 'us-west-9' });
    expect(warningsOf(s)).toEqual([['/Telephony/Group', warning('apiRegion', 'us-west-9')]]);
  });

  it("warns about the stack's Region when it is the group's", () => {
    const s = stack('eu-north-1');
    new VoiceConnectorGroup(s, 'Group');
    expect(warningsOf(s)).toEqual([['/Telephony/Group', warning("apiRegion (the stack's Region)", 'eu-north-1')]]);
  });

  it("warns about a connector's awsRegion, whether given as a construct or by its attribute", () => {
    const s = stack('us-east-1');
    const odd = new CfnVoiceConnector(s, 'Odd', { name: 'odd', awsRegion: 'sa-east-1', requireEncryption: true });
    // CloudFormation's own validation warns about the connector too (W3030), in the validation report rather than as an annotation.
    Validations.of(odd).acknowledge({ id: 'CloudFormation-Validate::W3030', reason: 'the Region under test' });
    const east = new CfnVoiceConnector(s, 'East', { name: 'east', awsRegion: 'us-east-1', requireEncryption: true });
    new VoiceConnectorGroup(s, 'ByConstruct', { apiRegion: 'us-east-1', voiceConnectorItems: [{ voiceConnector: east, priority: 1 }, { voiceConnector: odd, priority: 2 }] });
    new VoiceConnectorGroup(s, 'ById', { apiRegion: 'us-east-1', voiceConnectorItems: [{ voiceConnectorId: odd.attrVoiceConnectorId, priority: 1 }] });

    expect(warningsOf(s)).toEqual([
      ['/Telephony/ByConstruct', warning('voiceConnectorItems[1].voiceConnector (voice connector Telephony/Odd) awsRegion', 'sa-east-1')],
      ['/Telephony/ById', warning('voiceConnectorItems[0].voiceConnectorId (voice connector Telephony/Odd) awsRegion', 'sa-east-1')],
    ]);
  });

  it('says nothing about listed Regions, Regions known only at deploy time, the legacy namespace, or an acknowledged warning', () => {
    const s = new Stack(new App(), 'Agnostic');
    const region = new CfnParameter(s, 'ConnectorRegion').valueAsString;
    const connector = new CfnVoiceConnector(s, 'Connector', { name: 'c', awsRegion: region, requireEncryption: true });
    new VoiceConnectorGroup(s, 'Agnostic', { voiceConnectorItems: [{ voiceConnector: connector, priority: 1 }, { voiceConnectorId: 'vc-elsewhere', priority: 2 }] });
    new VoiceConnectorGroup(s, 'Listed', { apiRegion: 'ap-southeast-2' });
    const deliberate = new VoiceConnectorGroup(s, 'Deliberate', { apiRegion: 'us-west-9' });
    Annotations.of(deliberate).acknowledgeWarning('cdk-chime-voice-connector-group:region', 'a Region AWS added after this release');
    new VoiceConnectorGroup(s, 'Legacy', { apiNamespace: ApiNamespace.CHIME });
    expect(warningsOf(s)).toEqual([]);
  });
});

describe('quota of voice connectors per group', () => {
  const four = ['a', 'b', 'c', 'd'].map((id, i) => ({ voiceConnectorId: id, priority: i + 1 }));
  const propertiesOf = (props: VoiceConnectorGroupProps) => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Group', props);
    return Object.values(Template.fromStack(s).findResources('Custom::VoiceConnectorGroup'))[0].Properties;
  };

  it('takes a fourth connector in an account whose stated quota is 4, and tells the handler the quota', () => {
    const properties = propertiesOf({ voiceConnectorsPerGroupQuota: 4, voiceConnectorItems: four });
    expect(properties.voiceConnectorItems).toHaveLength(4);
    expect(properties.voiceConnectorsPerGroupQuota).toBe(4);
  });

  it('writes no quota when none is stated, so templates stay as they were', () => {
    expect(propertiesOf({ voiceConnectorItems: four.slice(0, 3) })).not.toHaveProperty('voiceConnectorsPerGroupQuota');
  });
});

describe('Metadata for the drift command', () => {
  const groupOf = (s: Stack) => Object.values(Template.fromStack(s).findResources('Custom::VoiceConnectorGroup'))[0];

  it('adds no Metadata entry when every declared value is known at synth time, so plain groups cost no template bytes', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Group', { voiceConnectorGroupName: 'pbx', voiceConnectorItems: items, phoneNumbers: ['+12065550100'] });

    expect(groupOf(s).Metadata?.[RESOLVED_METADATA_KEY]).toBeUndefined();
  });

  it('writes each value known only at deploy time under its path in the properties, as the same expression, numbers added later included', () => {
    const s = stack();
    const connector = new CfnVoiceConnector(s, 'Connector', { name: 'pbx', requireEncryption: true });
    const name = new CfnParameter(s, 'Name').valueAsString;
    const group = new VoiceConnectorGroup(s, 'Group', {
      voiceConnectorGroupName: name,
      voiceConnectorItems: [{ voiceConnector: connector, priority: 1 }, { voiceConnectorId: 'vc-west', priority: 2 }],
    });
    group.addPhoneNumber('+12065550100', Fn.importValue('SpareNumber'));

    const resource = groupOf(s);
    expect(resource.Metadata[RESOLVED_METADATA_KEY]).toEqual({
      voiceConnectorGroupName: { Ref: 'Name' },
      'voiceConnectorItems.0.voiceConnectorId': { 'Fn::GetAtt': [s.getLogicalId(connector), 'VoiceConnectorId'] },
      'phoneNumbers.1': { 'Fn::ImportValue': 'SpareNumber' },
    });
    // The same expressions as the properties, so CloudFormation resolves both to the same values.
    expect(resource.Properties.voiceConnectorItems[0].voiceConnectorId).toEqual(resource.Metadata[RESOLVED_METADATA_KEY]['voiceConnectorItems.0.voiceConnectorId']);
  });

  it("writes a cross-stack reference as the consuming stack's own expression (Fn::GetStackOutput with weak references)", () => {
    const app = new App({ context: { '@aws-cdk/core:defaultCrossStackReferences': 'weak' } });
    const producer = new Stack(app, 'Connectors', { env: { account: '123456789012', region: 'us-east-1' } });
    const connector = new CfnVoiceConnector(producer, 'Connector', { name: 'pbx', requireEncryption: true });
    const consumer = new Stack(app, 'Groups', { env: { account: '123456789012', region: 'us-east-1' } });
    new VoiceConnectorGroup(consumer, 'Group', { voiceConnectorItems: [{ voiceConnectorId: connector.attrVoiceConnectorId, priority: 1 }] });

    const resource = groupOf(consumer);
    const declared = resource.Properties.voiceConnectorItems[0].voiceConnectorId;
    expect(declared).toEqual({ 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'Connectors' }) });
    expect(resource.Metadata[RESOLVED_METADATA_KEY]).toEqual({ 'voiceConnectorItems.0.voiceConnectorId': declared });
  });

  it("writes the stack's Region as a reference in an environment-agnostic stack", () => {
    const s = new Stack(new App(), 'Anywhere');
    new VoiceConnectorGroup(s, 'Group', { voiceConnectorGroupName: 'pbx' });

    expect(groupOf(s).Metadata[RESOLVED_METADATA_KEY]).toEqual({ apiRegion: { Ref: 'AWS::Region' } });
  });
});

describe('adoption', () => {
  const ADOPTED = 'a6c3582e-ac81-40e1-9c6c-0a7ee79fb842';
  const propertiesOf = (s: Stack) => Object.values(Template.fromStack(s).findResources('Custom::VoiceConnectorGroup')).map((r) => r.Properties);
  const resourceOf = (s: Stack) => Object.values(Template.fromStack(s).findResources('Custom::VoiceConnectorGroup'))[0];

  it('writes the adopted ID and only what was given: no made-up name, no item list, no call distribution', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Group', { adoptVoiceConnectorGroupId: ADOPTED, removalPolicy: RemovalPolicy.RETAIN });

    const [properties] = propertiesOf(s);
    expect(Object.keys(properties).sort()).toEqual(['ServiceTimeout', 'ServiceToken', 'adoptVoiceConnectorGroupId', 'apiNamespace', 'apiRegion']);
    expect(properties).toMatchObject({ adoptVoiceConnectorGroupId: ADOPTED, apiRegion: 'eu-west-1' });
  });

  it('writes what is given, an empty item list included', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Group', {
      adoptVoiceConnectorGroupId: ADOPTED,
      removalPolicy: RemovalPolicy.DESTROY,
      voiceConnectorGroupName: 'pbx',
      voiceConnectorItems: [],
      callDistribution: CallDistribution.LOAD_BALANCED,
      phoneNumbers: ['+12065550100'],
    });

    expect(propertiesOf(s)[0]).toMatchObject({ voiceConnectorGroupName: 'pbx', voiceConnectorItems: [], callDistribution: 'LoadBalancedDistribution', phoneNumbers: ['+12065550100'] });
  });

  it('takes the name from the live group, and describes the output without a name it cannot know', () => {
    const s = stack();
    const group = new VoiceConnectorGroup(s, 'Group', { adoptVoiceConnectorGroupId: ADOPTED, removalPolicy: RemovalPolicy.RETAIN });
    const logicalId = s.getLogicalId(group.node.findChild('Resource').node.defaultChild as CfnElement);

    expect(s.resolve(group.voiceConnectorGroupName)).toEqual({ 'Fn::GetAtt': [logicalId, 'VoiceConnectorGroupName'] });
    expect(s.resolve(group.voiceConnectorGroupId)).toEqual({ Ref: logicalId });
    Template.fromStack(s).hasOutput('*', { Value: { Ref: logicalId }, Description: 'ID of the adopted Amazon Chime voice connector group (Telephony/Group)' });
  });

  it.each([
    ['RemovalPolicy.RETAIN', RemovalPolicy.RETAIN, 'Retain'],
    ['RemovalPolicy.DESTROY', RemovalPolicy.DESTROY, 'Delete'],
  ])('sets DeletionPolicy and UpdateReplacePolicy from %s', (_name, policy, attribute) => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Group', { adoptVoiceConnectorGroupId: ADOPTED, removalPolicy: policy });
    expect(resourceOf(s)).toMatchObject({ DeletionPolicy: attribute, UpdateReplacePolicy: attribute });
  });

  it('accepts a removal policy given after construction with applyRemovalPolicy', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Group', { adoptVoiceConnectorGroupId: ADOPTED }).applyRemovalPolicy(RemovalPolicy.RETAIN);
    expect(resourceOf(s)).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('refuses, at synth, an adoption without a stated removal policy', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'Group', { adoptVoiceConnectorGroupId: ADOPTED });
    expect(() => Template.fromStack(s)).toThrow(
      'VoiceConnectorGroup Telephony/Group: removalPolicy: a group given by adoptVoiceConnectorGroupId needs a stated removal policy, since it was not made by this stack: ' +
        'RemovalPolicy.RETAIN keeps the group when the resource leaves the stack or the stack is deleted, RemovalPolicy.DESTROY deletes it then',
    );
  });

  it.each(['', 'not a group id', '-starts-with-dash', 'a'.repeat(129)])('refuses %j as an adoption ID, naming the property', (bad) => {
    expect(() => new VoiceConnectorGroup(stack(), 'Group', { adoptVoiceConnectorGroupId: bad, removalPolicy: RemovalPolicy.RETAIN })).toThrow(
      `VoiceConnectorGroup Telephony/Group: adoptVoiceConnectorGroupId: '${bad}' is not a voice connector group ID, which is up to 128 letters, digits and '-', starting with a letter or digit`,
    );
  });

  it('skips the ID check for a value known only at deploy time, which the handler checks with the same rule', () => {
    const s = stack();
    const id = new CfnParameter(s, 'GroupId').valueAsString;
    new VoiceConnectorGroup(s, 'Group', { adoptVoiceConnectorGroupId: id, removalPolicy: RemovalPolicy.RETAIN });
    expect(propertiesOf(s)[0]).toMatchObject({ adoptVoiceConnectorGroupId: { Ref: 'GroupId' } });
  });

  it('refuses two resources of one app adopting the same group, across stacks, naming both', () => {
    const app = new App();
    const first = new Stack(app, 'First', { env: { region: 'eu-west-1' } });
    const second = new Stack(app, 'Second', { env: { region: 'eu-west-1' } });
    new VoiceConnectorGroup(first, 'Group', { adoptVoiceConnectorGroupId: ADOPTED, removalPolicy: RemovalPolicy.RETAIN });

    expect(() => new VoiceConnectorGroup(second, 'Again', { adoptVoiceConnectorGroupId: ADOPTED, removalPolicy: RemovalPolicy.RETAIN })).toThrow(
      `VoiceConnectorGroup Second/Again: adoptVoiceConnectorGroupId: group '${ADOPTED}' is already adopted by First/Group; a group can be managed by one resource only`,
    );
  });

  it('lets separate apps adopt the same group, and one app adopt different groups', () => {
    for (const app of [new App(), new App()]) {
      const s = new Stack(app, 'Telephony');
      new VoiceConnectorGroup(s, 'One', { adoptVoiceConnectorGroupId: ADOPTED, removalPolicy: RemovalPolicy.RETAIN });
      new VoiceConnectorGroup(s, 'Two', { adoptVoiceConnectorGroupId: 'b7d4693f-bd92-41f1-8d7d-1b8ff8a0c953', removalPolicy: RemovalPolicy.RETAIN });
      expect(propertiesOf(s)).toHaveLength(2);
    }
  });

  it('does not claim the name of an adopted group that leaves it out, so two such groups share a stack', () => {
    const s = stack();
    new VoiceConnectorGroup(s, 'One', { adoptVoiceConnectorGroupId: ADOPTED, removalPolicy: RemovalPolicy.RETAIN });
    new VoiceConnectorGroup(s, 'Two', { adoptVoiceConnectorGroupId: 'b7d4693f-bd92-41f1-8d7d-1b8ff8a0c953', removalPolicy: RemovalPolicy.RETAIN });
    expect(propertiesOf(s)).toHaveLength(2);
  });
});
