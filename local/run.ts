import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { appWithCdkJsonContext } from '../bin/cdk-json';
import { PHONE_NUMBERS_CONTEXT } from '../bin/phone-numbers';
import { TelephonyStack, TelephonyStackProps } from '../bin/telephony-stack';
import { DeployResult, LocalCloudFormation } from './driver';
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

/** The example stack with other props and phone numbers, synthesised with the same cdk.json context. */
function synthStack(outdir: string, props: TelephonyStackProps, phoneNumbers?: string[]): string {
  const app = appWithCdkJsonContext({ outdir }, phoneNumbers ? { [PHONE_NUMBERS_CONTEXT]: phoneNumbers.join(',') } : {});
  new TelephonyStack(app, STACK, { env: { region: 'us-east-1' }, ...props });
  app.synth();
  return outdir;
}

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
    await step('release', async () => ({ [STACK]: await cfn.deploy(noNumbers, STACK) }));
    await step('delete', async () => (await cfn.destroyApp(app)).stacks);
    if (cfn.violations.length > 0) throw new Error(`responses broke the custom resource contract: ${cfn.violations.join('; ')}`);
    print(['step', 'stack', 'stack status', 'event', 'answer', 'group ID', 'API calls', 'endpoint holds'], rows);
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
