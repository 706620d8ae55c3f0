import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  ChimeSDKVoiceClient,
  DeleteVoiceConnectorGroupCommand,
  DisassociatePhoneNumbersFromVoiceConnectorGroupCommand,
  UpdateVoiceConnectorGroupCommand,
} from '@aws-sdk/client-chime-sdk-voice';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { CfnVoiceConnector } from 'aws-cdk-lib/aws-chime';
import { CallDistribution, VoiceConnectorGroup, VoiceConnectorGroupProps } from '../../lib';
import { DRIFT_READ_ACTIONS, DRIFT_REVERT_ACTIONS } from '../../lib/rules';
import { LOCAL_CREDENTIALS } from '../../local/driver';
import { localPerTest, LocalTest, STACK } from './harness';

/**
 * The drift command, as the package ships it (dist/cli/index.js, built by npm run build), run in a
 * process of its own against the local CloudFormation and Chime endpoints with the real SDKs, through
 * the standard SDK variables only. Groups are changed by hand through the Chime API, as a person would.
 */
jest.setTimeout(120_000);

const CLI = path.resolve(__dirname, '../../dist/cli/index.js');
const [A, B, C] = ['+12065550100', '+12065550101', '+12065550102'];

interface Ran {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the command with only what the SDK reads from the environment pointing it at the local endpoints. */
function drift(local: LocalTest, args: string[], env: Record<string, string | undefined> = {}): Promise<Ran> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-home-'));
  const environment: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    ...local.cfn.api.env(),
    ...local.endpoint.env(),
  };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete environment[k];
    else environment[k] = v;
  }
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'drift', ...args], { env: environment, encoding: 'utf8' }, (error, stdout, stderr) => {
      fs.rmSync(home, { recursive: true, force: true });
      resolve({ status: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

const chime = (local: LocalTest) =>
  new ChimeSDKVoiceClient({ region: 'us-east-1', endpoint: local.endpoint.env().AWS_ENDPOINT_URL_CHIME_SDK_VOICE, credentials: LOCAL_CREDENTIALS });

/** The group's fields that drifted, from the command's JSON, as [field, declared, live]. */
const drifted = (out: string) =>
  (JSON.parse(out).stacks as { groups: { fields: { field: string; declared: string; live: string; drift: boolean }[] }[] }[]).flatMap((s) =>
    s.groups.flatMap((g) => g.fields.filter((f) => f.drift).map((f) => [f.field, f.declared, f.live])),
  );

/** A new scratch folder, removed after the tests. */
function scratch(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-app-'));
  made.push(dir);
  return dir;
}

/**
 * A one-stack app (in us-east-1), with construct paths in the template's Metadata as the CDK CLI
 * writes them (`aws:cdk:path`); returns its cloud assembly directory.
 */
const made: string[] = [];
afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function synth(define: (stack: Stack) => void, root = scratch()): string {
  const app = new App({ outdir: root, context: { 'aws:cdk:enable-path-metadata': true } });
  define(new Stack(app, STACK, { env: { region: 'us-east-1' } }));
  app.synth();
  return root;
}

/** Deploys the one-group stack and returns its assembly and the group's ID. */
async function deployed(local: LocalTest, props: (east: string, west: string) => VoiceConnectorGroupProps) {
  const east = local.endpoint.addConnector('us-east-1');
  const west = local.endpoint.addConnector('us-west-2');
  local.endpoint.addPhoneNumbers([A, B, C]);
  const app = synth((s) => new VoiceConnectorGroup(s, 'Group', props(east, west)));
  const result = await local.cfn.deploy(app, STACK);
  expect(result.status).toBe('CREATE_COMPLETE');
  const id = [...local.endpoint.groups.keys()][0];
  return { app, id, east, west };
}

const failover = (east: string, west: string): VoiceConnectorGroupProps => ({
  voiceConnectorGroupName: 'pbx',
  voiceConnectorItems: [
    { voiceConnectorId: east, priority: 1 },
    { voiceConnectorId: west, priority: 2 },
  ],
  callDistribution: CallDistribution.PRIORITY_WEIGHTED,
  phoneNumbers: [A, B],
});

describe('drift', () => {
  const local = localPerTest();

  it('finds no drift in a group as deployed: exit 0, a row per field, numbers masked, the same as JSON', async () => {
    const { app, id, east, west } = await deployed(local, failover);

    // The handler's own look-ups after it answered are over once every delivery has ended.
    await local.cfn.settled();
    const before = { cfn: local.cfn.api.requests.length, chime: local.endpoint.requests.length };
    const text = await drift(local, ['--app', app]);
    const json = await drift(local, ['--app', app, '--json', '--fail']);
    // Only the reads the README's policy lists.
    const used = [...local.cfn.api.requests.slice(before.cfn).map((r) => `cloudformation:${r.action}`), ...local.endpoint.requests.slice(before.chime).map((r) => `chime:${r.operation}`)];
    expect([...new Set(used)].sort()).toEqual([...DRIFT_READ_ACTIONS].filter((a) => a !== 'cloudformation:DescribeStackResource').sort());

    expect(text).toMatchObject({ status: 0, stderr: '' });
    expect(text.stdout).toContain(`| ${STACK} | ${STACK}/Group | ${id} | name`);
    expect(text.stdout).toContain(`connector ${east}`);
    expect(text.stdout).toContain(`connector ${west}`);
    expect(text.stdout).toContain('number +*******0100');
    expect(text.stdout).not.toContain(A);
    expect(text.stdout).not.toContain('DRIFT');
    expect(text.stdout).toContain('No drift: 1 group in 1 stack matches what it declares.');
    expect(json.status).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ drift: false, stacks: [{ stack: STACK, region: 'us-east-1', groups: [{ groupId: id, state: 'in sync', namespace: 'ChimeSDKVoice', region: 'us-east-1' }] }] });
    expect(report.stacks[0].groups[0].fields.map((f: { field: string }) => f.field)).toEqual(['name', `connector ${east}`, `connector ${west}`, 'call distribution', 'number +*******0100', 'number +*******0101']);
    expect(json.stdout).not.toContain(A);
  });

  it('shows each kind of drift made by hand: name, a connector removed, a priority changed, the call distribution, a number released and a number moved', async () => {
    const { app, id, east, west } = await deployed(local, (e, w) => ({ ...failover(e, w), voiceConnectorItems: [...failover(e, w).voiceConnectorItems!] }));
    const other = local.endpoint.addGroup('chime-sdk-voice', 'us-east-1', 'elsewhere');
    const third = local.endpoint.addConnector('us-east-1');
    await chime(local).send(
      new UpdateVoiceConnectorGroupCommand({
        VoiceConnectorGroupId: id,
        Name: 'renamed-by-hand',
        VoiceConnectorItems: [
          { VoiceConnectorId: east, Priority: 3 },
          { VoiceConnectorId: third, Priority: 1 },
        ],
        CallDistributionType: 'LoadBalancedDistribution',
      }),
    );
    await chime(local).send(new DisassociatePhoneNumbersFromVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id, E164PhoneNumbers: [A] }));
    local.endpoint.associatePhoneNumbers(other, [B]);

    const without = await drift(local, ['--app', app, '--json']);
    const failing = await drift(local, ['--app', app, '--fail']);

    expect(without.status).toBe(0);
    expect(drifted(without.stdout)).toEqual([
      ['name', 'pbx', 'renamed-by-hand'],
      [`connector ${east}`, 'priority 1', 'priority 3'],
      [`connector ${west}`, 'priority 2', 'not in the group'],
      [`connector ${third}`, 'not declared', 'priority 1'],
      ['call distribution', 'PriorityWeightedDistribution', 'LoadBalancedDistribution'],
      ['number +*******0100', 'on the group', 'not on the group'],
      ['number +*******0101', 'on the group', 'not on the group'],
    ]);
    expect(JSON.parse(without.stdout)).toMatchObject({ drift: true, stacks: [{ groups: [{ state: 'drifted' }] }] });
    expect(failing.status).toBe(1);
    expect(failing.stdout).toMatch(/\| name +\| pbx +\| renamed-by-hand +\| DRIFT \|/);
    expect(failing.stdout).toContain('Drift: 1 group of 1 in 1 stack differs from what it declares.');
  });

  it('shows a group deleted by hand as missing, and fails with --fail', async () => {
    const { app, id } = await deployed(local, (e) => ({ voiceConnectorGroupName: 'pbx', voiceConnectorItems: [{ voiceConnectorId: e, priority: 1 }] }));
    await chime(local).send(new UpdateVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id, Name: 'pbx', VoiceConnectorItems: [] }));
    await chime(local).send(new DeleteVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id }));

    const ran = await drift(local, ['--app', app, '--json', '--fail']);

    expect(ran.status).toBe(1);
    expect(JSON.parse(ran.stdout)).toMatchObject({ drift: true, stacks: [{ groups: [{ groupId: id, state: 'missing', fields: [{ field: 'group', declared: 'exists', live: 'missing', drift: true }] }] }] });
    // As a table, with what to do: a revert cannot make the group again.
    const text = await drift(local, ['--app', app, '--revert']);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`E2eStack/Group (${id}) is missing, deleted outside CloudFormation: --revert cannot make it again with that ID. Deploy a change to its properties`);
  });

  it('reports a stack without groups as having none, without drift', async () => {
    const app = synth((s) => new CfnVoiceConnector(s, 'Connector', { name: 'pbx', awsRegion: 'us-east-1', requireEncryption: true }));
    expect((await local.cfn.deploy(app, STACK)).status).toBe('CREATE_COMPLETE');

    const text = await drift(local, ['--app', app, '--fail']);
    const json = await drift(local, ['--app', app, '--json']);

    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`| ${STACK} | (no voice connector groups) |`);
    expect(JSON.parse(json.stdout)).toEqual({ drift: false, stacks: [{ stack: STACK, region: 'us-east-1', status: 'CREATE_COMPLETE', groups: [] }] });
  });

  it.each([
    ['Fn::ImportValue (strong references)', {}],
    ['Fn::GetStackOutput (weak references)', { '@aws-cdk/core:defaultCrossStackReferences': 'weak' }],
  ])('reads connectors declared through %s and a parameter as CloudFormation resolved them, and every stack of the app by default', async (_case, context) => {
    const dir = scratch();
    const app = new App({ outdir: dir, context });
    const producer = new Stack(app, 'Connectors', { env: { region: 'us-east-1' } });
    const connector = new CfnVoiceConnector(producer, 'Connector', { name: 'pbx', awsRegion: 'us-east-1', requireEncryption: true });
    const consumer = new Stack(app, 'Groups', { env: { region: 'us-east-1' } });
    const name = new CfnParameter(consumer, 'GroupName', { default: 'from-a-parameter' }).valueAsString;
    new VoiceConnectorGroup(consumer, 'Group', { voiceConnectorGroupName: name, voiceConnectorItems: [{ voiceConnectorId: connector.attrVoiceConnectorId, priority: 1 }] });
    app.synth();
    const template = JSON.parse(fs.readFileSync(path.join(dir, 'Groups.template.json'), 'utf8'));
    const group = Object.values(template.Resources as Record<string, { Type: string; Properties: { voiceConnectorItems: { voiceConnectorId: object }[] } }>).find((r) => r.Type === 'Custom::VoiceConnectorGroup')!;
    expect(Object.keys(group.Properties.voiceConnectorItems[0].voiceConnectorId)).toEqual([Object.keys(context).length > 0 ? 'Fn::GetStackOutput' : 'Fn::ImportValue']);
    expect((await local.cfn.deployApp(dir)).ok).toBe(true);
    const connectorId = local.cfn.resource('Connectors', 'Connector')!.physicalId;
    const id = [...local.endpoint.groups.keys()][0];

    const clean = await drift(local, ['--app', dir, '--json']);
    await chime(local).send(new UpdateVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id, Name: 'from-a-parameter', VoiceConnectorItems: [{ VoiceConnectorId: connectorId, Priority: 9 }] }));
    const changed = await drift(local, ['--app', dir, '--json']);

    expect(clean.status).toBe(0);
    const report = JSON.parse(clean.stdout);
    expect(report.stacks.map((s: { stack: string; groups: unknown[] }) => [s.stack, s.groups.length])).toEqual([
      ['Connectors', 0],
      ['Groups', 1],
    ]);
    expect(report.stacks[1].groups[0].fields.slice(0, 2)).toEqual([
      { field: 'name', declared: 'from-a-parameter', live: 'from-a-parameter', drift: false },
      { field: `connector ${connectorId}`, declared: 'priority 1', live: 'priority 1', drift: false },
    ]);
    expect(drifted(changed.stdout)).toEqual([[`connector ${connectorId}`, 'priority 1', 'priority 9']]);
  });

  it('--revert puts back the declared name, connectors, call distribution and numbers through the handler, says what it changed, and leaves undeclared numbers', async () => {
    const { app, id, east, west } = await deployed(local, (e, w) => ({ ...failover(e, w), forceAssociate: true }));
    const other = local.endpoint.addGroup('chime-sdk-voice', 'us-east-1', 'elsewhere');
    await chime(local).send(
      new UpdateVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id, Name: 'renamed-by-hand', VoiceConnectorItems: [{ VoiceConnectorId: east, Priority: 5 }], CallDistributionType: 'LoadBalancedDistribution' }),
    );
    local.endpoint.associatePhoneNumbers(other, [B]);
    local.endpoint.associatePhoneNumbers(id, [A, C]);

    const before = local.endpoint.requests.length;
    const reverted = await drift(local, ['--app', app, '--revert', '--fail']);
    const after = await drift(local, ['--app', app, '--json', '--fail']);
    const used = new Set(local.endpoint.requests.slice(before).map((r) => `chime:${r.operation}`));
    expect([...used].filter((a) => !(DRIFT_READ_ACTIONS as readonly string[]).includes(a)).sort()).toEqual(
      DRIFT_REVERT_ACTIONS.filter((a) => a !== 'chime:DisassociatePhoneNumbersFromVoiceConnectorGroup').sort(),
    );

    expect(reverted.status).toBe(0);
    expect(reverted.stdout).toContain(
      `Reverted ${STACK}/Group (${id}): wrote the declared name, voice connectors and call distribution to group ${id}; associated +*******0101 with group ${id} again. It now matches what it declares.`,
    );
    expect(reverted.stdout).toContain('No drift: 1 group in 1 stack matches what it declares after reverting.');
    expect(after.status).toBe(0);
    expect(drifted(after.stdout)).toEqual([]);
    const group = local.endpoint.groups.get(id)!;
    expect([group.name, group.items, group.callDistribution]).toEqual([
      'pbx',
      [
        { VoiceConnectorId: east, Priority: 1 },
        { VoiceConnectorId: west, Priority: 2 },
      ],
      'PriorityWeightedDistribution',
    ]);
    // C was never declared: left on the group, as an Update leaves it.
    expect(local.endpoint.phoneNumbersOf(id).sort()).toEqual([A, B, C]);
    expect(local.endpoint.phoneNumbersOf(other)).toEqual([]);
  });

  it('--revert of a number held elsewhere without forceAssociate fails with exit 2 and puts back what it changed', async () => {
    const { app, id, east } = await deployed(local, failover);
    const other = local.endpoint.addGroup('chime-sdk-voice', 'us-east-1', 'elsewhere');
    await chime(local).send(new UpdateVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id, Name: 'renamed-by-hand', VoiceConnectorItems: [{ VoiceConnectorId: east, Priority: 5 }] }));
    local.endpoint.associatePhoneNumbers(other, [B]);

    const ran = await drift(local, ['--app', app, '--revert']);

    expect(ran.status).toBe(2);
    expect(ran.stderr).toContain('A number associated elsewhere moves only with forceAssociate: true.');
    expect(ran.stderr).toContain('Undone: everything this delivery changed');
    expect(ran.stderr).not.toContain(B);
    expect(local.endpoint.groups.get(id)).toMatchObject({ name: 'renamed-by-hand', items: [{ VoiceConnectorId: east, Priority: 5 }] });
  });

  describe('errors: exit 2 with a clear message', () => {
    it('without credentials', async () => {
      const { app } = await deployed(local, failover);

      const ran = await drift(local, ['--app', app], { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });

      expect(ran.status).toBe(2);
      expect(ran.stderr).toMatch(/^cdk-chime-voice-connector-group drift: no AWS credentials found \(.+\); set AWS_PROFILE/);
    });

    it('for a stack that is not deployed, naming it and its Region, as JSON too', async () => {
      const ran = await drift(local, ['--stack', 'Nope', '--region', 'us-west-2']);
      const json = await drift(local, ['--stack', 'Nope', '--json']);

      expect(ran.status).toBe(2);
      expect(ran.stderr).toContain('stack Nope in us-west-2 not found: it is not deployed there');
      expect(json.status).toBe(2);
      expect(JSON.parse(json.stdout)).toEqual({ error: expect.stringContaining('stack Nope in us-east-1 not found') });
    });

    it('when access is denied, naming the action; the README policy (DRIFT_READ_ACTIONS) is enough', async () => {
      const { app } = await deployed(local, failover);
      const readOnly = local.cfn.addUser('drift-reader', [{ Effect: 'Allow', Action: [...DRIFT_READ_ACTIONS], Resource: '*' }]);
      const noTemplate = local.cfn.addUser('no-template', [{ Effect: 'Allow', Action: DRIFT_READ_ACTIONS.filter((a) => a !== 'cloudformation:GetTemplate'), Resource: '*' }]);
      const as = (key: { accessKeyId: string; secretAccessKey: string }) => ({ AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey });

      const allowed = await drift(local, ['--app', app, '--fail'], as(readOnly));
      const denied = await drift(local, ['--app', app], as(noTemplate));

      expect(allowed.status).toBe(0);
      expect(denied.status).toBe(2);
      expect(denied.stderr).toContain(`access denied: cloudformation:GetTemplate on stack ${STACK} was refused (AccessDenied: User: arn:aws:iam::123456789012:user/no-template is not authorized to perform: cloudformation:GetTemplate`);
    });
  });
});
