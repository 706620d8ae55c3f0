import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { TelephonyStack, TelephonyStackProps } from '../bin/telephony-stack';
import { DeployResult, LocalCloudFormation } from './driver';
import { ChimeEndpoint, Operation } from './endpoint';
import { node22Version } from './node22';

/**
 * `npm run local`: the example app's whole lifecycle against the local Chime endpoint, without an
 * AWS account. Synthesises the stack, creates it, updates the group in place, deletes it, and
 * prints what each step did and what the endpoint holds afterwards.
 */
const STACK = 'ChimeTelephonyStack';
const OPERATIONS: Operation[] = ['CreateVoiceConnectorGroup', 'UpdateVoiceConnectorGroup', 'GetVoiceConnectorGroup', 'DeleteVoiceConnectorGroup'];

function synth(root: string, name: string, props: TelephonyStackProps): string {
  const outdir = path.join(root, name);
  const app = new App({ outdir });
  new TelephonyStack(app, STACK, { env: { region: 'us-east-1' }, ...props });
  app.synth();
  return outdir;
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chime-local-'));
  const endpoint = await ChimeEndpoint.start();
  const cfn = await LocalCloudFormation.start({ endpoint });
  const rows: string[][] = [];
  const step = async (name: string, run: () => Promise<DeployResult>) => {
    const calls = OPERATIONS.map((op) => endpoint.calls(op));
    const result = await run();
    const made = OPERATIONS.map((op, i) => `${op.replace('VoiceConnectorGroup', '')} ${endpoint.calls(op) - calls[i]}`).filter((c) => !c.endsWith(' 0'));
    const groups = [...endpoint.groups.values()].map((g) => `${g.name} [${g.items.map((i) => `${endpoint.connectors.get(i.VoiceConnectorId)?.region}:${i.Priority}`).join(', ')}]`);
    for (const e of result.events) {
      rows.push([name, result.status, `${e.logicalId} ${e.requestType}`, e.status, e.physicalId ?? '', made.join(', ') || 'none', groups.join('; ') || '(no groups)']);
    }
    if (result.status.includes('ROLLBACK') || result.status.endsWith('FAILED')) {
      throw new Error(`${name} ended ${result.status}: ${result.events.map((e) => e.reason).filter(Boolean).join('; ')}`);
    }
  };
  try {
    const v1 = synth(root, 'v1', {});
    const v2 = synth(root, 'v2', { groupName: 'pbx-failover-west-first', preferredRegion: 'us-west-2' });
    await step('create', () => cfn.deploy(v1, STACK));
    await step('update', () => cfn.deploy(v2, STACK));
    await step('delete', () => cfn.destroy(STACK));
    if (cfn.violations.length > 0) throw new Error(`responses broke the custom resource contract: ${cfn.violations.join('; ')}`);
    print(['step', 'stack status', 'event', 'answer', 'group ID', 'API calls', 'endpoint holds'], rows);
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
