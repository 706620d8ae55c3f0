import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { appWithCdkJsonContext } from '../bin/cdk-json';
import { PHONE_NUMBERS_CONTEXT } from '../bin/phone-numbers';
import { TelephonyStack, TelephonyStackProps } from '../bin/telephony-stack';
import { ChimeSDKVoiceClient, DisassociatePhoneNumbersFromVoiceConnectorGroupCommand, GetVoiceConnectorGroupCommand, UpdateVoiceConnectorGroupCommand } from '@aws-sdk/client-chime-sdk-voice';
import { DeployResult, LOCAL_CREDENTIALS, LocalCloudFormation } from './driver';
import { ChimeEndpoint, Operation } from './endpoint';
import { node22Version } from './node22';

/**
 * `npm run local`: the example app's whole lifecycle against the local Chime endpoint, without an
 * AWS account. Synthesises the app as `npx cdk synth` does (with cdk.json's context), deploys every
 * stack in dependency order, updates one group in place, associates phone numbers with it, changes
 * them and releases them, destroys every stack in reverse order, and prints what each step did and
 * what the endpoint holds afterwards.
 */
const STACK = 'ChimeTelephonyStack';
const OPERATIONS: Operation[] = [
  'ListVoiceConnectorGroups',
  'CreateVoiceConnectorGroup',
  'GetVoiceConnectorGroup',
  'ListPhoneNumbers',
  'UpdateVoiceConnectorGroup',
  'AssociatePhoneNumbersWithVoiceConnectorGroup',
  'DisassociatePhoneNumbersFromVoiceConnectorGroup',
  'DeleteVoiceConnectorGroup',
];
/** Phone numbers in the local endpoint's inventory, for the steps that associate, change and release them. */
const NUMBERS = ['+12065550100', '+12065550101', '+12065550102'];
const label = (op: Operation) => op.replace(/PhoneNumbers(With|From)VoiceConnectorGroup$/, '').replace(/VoiceConnectorGroups?$/, '');
const ROOT = path.join(__dirname, '..');

/** The whole app, synthesised by the CDK CLI exactly as `npx cdk synth` does. */
function synthApp(outdir: string): string {
  execFileSync('npx', ['cdk', 'synth', '--quiet', '--output', outdir], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  return outdir;
}

/**
 * The example stack with other props and phone numbers, synthesised with the same cdk.json context
 * and, as the CDK CLI writes them, construct paths in the template's Metadata.
 */
function synthStack(outdir: string, props: TelephonyStackProps, phoneNumbers?: string[]): string {
  const app = appWithCdkJsonContext({ outdir }, { 'aws:cdk:enable-path-metadata': true, ...(phoneNumbers ? { [PHONE_NUMBERS_CONTEXT]: phoneNumbers.join(',') } : {}) });
  new TelephonyStack(app, STACK, { env: { region: 'us-east-1' }, ...props });
  app.synth();
  return outdir;
}

/** The package's drift command (dist/cli, built by npm run build), pointed at the local endpoints by the SDK's standard variables only. */
function drift(cfn: LocalCloudFormation, endpoint: ChimeEndpoint, args: string[]): Promise<{ status: number; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...cfn.api.env(), ...endpoint.env(), AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' };
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'dist', 'cli', 'index.js'), 'drift', ...args], { env, encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ status: error ? Number(error.code) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

/**
 * A change by hand, through the Chime API as a person would make it: the group loses its us-west-2
 * connector and one of its numbers is released. Then the drift command shows it, puts the declared
 * state back with --revert, and finds no drift.
 */
async function driftByHand(cfn: LocalCloudFormation, endpoint: ChimeEndpoint, number: string): Promise<string[]> {
  const id = cfn.resource(STACK, groupLogicalId(cfn))!.physicalId;
  const chime = new ChimeSDKVoiceClient({ region: 'us-east-1', endpoint: endpoint.env().AWS_ENDPOINT_URL_CHIME_SDK_VOICE, credentials: LOCAL_CREDENTIALS });
  const group = (await chime.send(new GetVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id }))).VoiceConnectorGroup!;
  const east = (group.VoiceConnectorItems ?? []).filter((i) => endpoint.connectors.get(i.VoiceConnectorId!)?.region === 'us-east-1');
  await chime.send(new UpdateVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id, Name: group.Name, VoiceConnectorItems: east }));
  await chime.send(new DisassociatePhoneNumbersFromVoiceConnectorGroupCommand({ VoiceConnectorGroupId: id, E164PhoneNumbers: [number] }));
  const args = ['--stack', STACK];
  const runs: [string, string[]][] = [
    [`npx cdk-chime-voice-connector-group drift --stack ${STACK} --fail`, [...args, '--fail']],
    [`npx cdk-chime-voice-connector-group drift --stack ${STACK} --revert`, [...args, '--revert']],
    [`npx cdk-chime-voice-connector-group drift --stack ${STACK} --fail`, [...args, '--fail']],
  ];
  const shown: string[] = [];
  const expected = [1, 0, 0];
  for (const [i, [command, argv]] of runs.entries()) {
    const { status, output } = await drift(cfn, endpoint, argv);
    shown.push(`$ ${command}\n${output}(exit status ${status})`);
    if (status !== expected[i]) throw new Error(`${command} exited ${status}, not ${expected[i]}:\n${output}`);
  }
  return shown;
}

/** The logical ID of the example stack's group. */
const groupLogicalId = (cfn: LocalCloudFormation): string =>
  cfn.sent.find((s) => s.stack === STACK && s.event.ResourceType === 'Custom::VoiceConnectorGroup')!.logicalId;

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chime-local-'));
  const endpoint = await ChimeEndpoint.start();
  const cfn = await LocalCloudFormation.start({ endpoint });
  const rows: string[][] = [];
  const step = async (name: string, run: () => Promise<Record<string, DeployResult>>) => {
    const calls = OPERATIONS.map((op) => endpoint.calls(op));
    const results = await run();
    const made = OPERATIONS.map((op, i) => `${label(op)} ${endpoint.calls(op) - calls[i]}`).filter((c) => !c.endsWith(' 0'));
    const groups = [...endpoint.groups.values()].map((g) => {
      const numbers = endpoint.phoneNumbersOf(g.id);
      return `${g.name} [${g.items.map((i) => `${endpoint.connectors.get(i.VoiceConnectorId)?.region}:${i.Priority}`).join(', ')}]${numbers.length > 0 ? ` numbers ${numbers.join(' ')}` : ''}`;
    });
    for (const [stack, result] of Object.entries(results)) {
      const events = result.events.map((e) => [`${e.logicalId} ${e.requestType}`, e.status, e.physicalId ?? '']);
      for (const [event, answer, id] of events.length > 0 ? events : [['(no custom resources)', '', '']]) {
        rows.push([name, stack, result.status, event, answer, id, made.join(', ') || 'none', groups.join('; ') || '(no groups)']);
      }
      if (result.status.includes('ROLLBACK') || result.status.endsWith('FAILED')) {
        throw new Error(`${name} ${stack} ended ${result.status}: ${result.failures.map((f) => `${f.logicalId}: ${f.reason}`).join('; ')}`);
      }
    }
  };
  try {
    const app = synthApp(path.join(root, 'app'));
    const moved = { groupName: 'pbx-failover-west-first', preferredRegion: 'us-west-2' } as const;
    const v2 = synthStack(path.join(root, 'v2'), moved);
    const [first, second, third] = NUMBERS;
    const withNumbers = synthStack(path.join(root, 'v3'), moved, [first, second]);
    const changedNumbers = synthStack(path.join(root, 'v4'), moved, [first, third]);
    const noNumbers = synthStack(path.join(root, 'v5'), moved, []);
    endpoint.addPhoneNumbers(NUMBERS);
    await step('create', async () => (await cfn.deployApp(app)).stacks);
    await step('update', async () => ({ [STACK]: await cfn.deploy(v2, STACK) }));
    await step('numbers', async () => ({ [STACK]: await cfn.deploy(withNumbers, STACK) }));
    await step('change', async () => ({ [STACK]: await cfn.deploy(changedNumbers, STACK) }));
    const drifted = await driftByHand(cfn, endpoint, third);
    await step('release', async () => ({ [STACK]: await cfn.deploy(noNumbers, STACK) }));
    await step('delete', async () => (await cfn.destroyApp(app)).stacks);
    if (cfn.violations.length > 0) throw new Error(`responses broke the custom resource contract: ${cfn.violations.join('; ')}`);
    print(['step', 'stack', 'stack status', 'event', 'answer', 'group ID', 'API calls', 'endpoint holds'], rows);
    console.log(`\nAfter the change step, ${STACK}'s group was changed by hand (its us-west-2 connector removed, ${third} released):\n`);
    console.log(drifted.join('\n\n'));
    console.log(`\nEndpoint ${endpoint.url}: ${endpoint.requests.length} requests, ${endpoint.groups.size} groups left.`);
    console.log(`Lambda host: Node.js ${node22Version()}, the nodejs22.x runtime the handler is deployed on.`);
  } finally {
    await cfn.stop();
    await endpoint.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function print(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
