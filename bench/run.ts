import { fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { App, Stack } from 'aws-cdk-lib';
import { buildSync, BuildOptions } from 'esbuild';
import { BUNDLE_OPTIONS, HANDLER_ENTRIES, HANDLER_OUT_DIR } from '../lambda/bundle';
import { ApiNamespace, HANDLER_ACTIONS, STACK_READ_ACTIONS, VoiceConnectorGroup } from '../lib';
import { asCloudFormationSends, DeployResult, LocalCloudFormation } from '../local/driver';
import { ChimeEndpoint } from '../local/endpoint';
import { svgChart } from './chart';
import { BenchCloudFormation } from './cloudformation';
import { floorBytes, REGION, synthVariant, Variant, VARIANTS } from './stacks';

/**
 * `npm run bench`: this library against what users would write instead, measured side by side in
 * one run. Prints tables; with `--write` (`npm run bench -- --write`) or BENCH_WRITE=1 it also
 * replaces the committed bench/results.json and bench/chart.svg, so a trial run changes no file.
 * BENCH_RUNS sets the samples per synth-time, cold-start and events-per-second figure (default 7).
 */
const ROOT = path.resolve(__dirname, '..');
const SIZES = [1, 10, 100];
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const EVENTS = 300;
/** Processes of EVENTS events each, per mode, for the events-per-second figures. */
const RATE_RUNS = RUNS;
const WRITE = process.argv.includes('--write') || process.env.BENCH_WRITE === '1';
const BASELINE: Variant = 'AwsCustomResource';
/** The handler asset (index.js and one file per namespace): the Provider variant's stack and the speed runs use it too. */
const HANDLER_INDEX = path.join(HANDLER_OUT_DIR, 'index.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const outdir = () => fs.mkdtempSync(path.join(work, 'out-'));

function table(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = rows.map((r) => r.map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (c: string[]) => `| ${c.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join(' | ')} |`;
  console.log(`\n${title}\n${[line(header), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...cells.map(line)].join('\n')}`);
}

/** Template size and Lambda functions per stack, from one synthesis of each variant and size. */
function templates() {
  const rows = SIZES.flatMap((n) =>
    VARIANTS.map((variant) => {
      const file = synthVariant(variant, n, outdir(), HANDLER_OUT_DIR);
      const resources = Object.values(JSON.parse(fs.readFileSync(file, 'utf8')).Resources as Record<string, { Type: string }>);
      const bytes = fs.statSync(file).size;
      return { variant, n, bytes, bytesPerGroup: round(bytes / n, 0), lambdaFunctions: resources.filter((r) => r.Type === 'AWS::Lambda::Function').length };
    }),
  );
  return rows.map((r) => ({ ...r, ratioToBaseline: round(r.bytesPerGroup / rows.find((b) => b.n === r.n && b.variant === BASELINE)!.bytesPerGroup) }));
}

/**
 * Median in-process synthesis time. aws-cdk-lib validates each template with an engine that it
 * keeps per process and builds anew whenever a template has resource types the last one lacked.
 * Each timed synthesis therefore follows an untimed one of the same variant, so every variant is
 * timed with its engine ready, and the variants take turns so drift on the machine hits them alike.
 */
function synthTimes() {
  const samples = new Map<string, number[]>();
  const once = (variant: Variant, n: number) => {
    const dir = outdir();
    const started = process.hrtime.bigint();
    synthVariant(variant, n, dir, HANDLER_OUT_DIR);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    fs.rmSync(dir, { recursive: true, force: true });
    return ms;
  };
  for (const n of SIZES) {
    for (let run = 0; run < RUNS; run++) {
      for (const variant of VARIANTS.map((_, i) => VARIANTS[(i + run) % VARIANTS.length])) {
        once(variant, n);
        samples.set(`${variant}/${n}`, [...(samples.get(`${variant}/${n}`) ?? []), once(variant, n)]);
      }
    }
  }
  const rows = SIZES.flatMap((n) => VARIANTS.map((variant) => ({ variant, n, medianMs: round(median(samples.get(`${variant}/${n}`)!), 1), samplesMs: samples.get(`${variant}/${n}`)!.map((x) => round(x, 1)) })));
  return rows.map((r) => ({ ...r, ratioToBaseline: round(r.medianMs / rows.find((b) => b.n === r.n && b.variant === BASELINE)!.medianMs) }));
}

/** The handler's own esbuild options, so the bare client is built as the asset is. */
const OPTIONS: BuildOptions = { ...BUNDLE_OPTIONS, write: false, logLevel: 'error' };
/** Each namespace's file in the asset (a key of HANDLER_ENTRIES) and its SDK client. */
const NAMESPACES = [
  { namespace: ApiNamespace.CHIME_SDK_VOICE, file: 'chime-sdk-voice', client: '@aws-sdk/client-chime-sdk-voice', exports: 'ChimeSDKVoiceClient' },
  { namespace: ApiNamespace.CHIME, file: 'chime', client: '@aws-sdk/client-chime', exports: 'ChimeClient' },
] as const satisfies readonly { namespace: ApiNamespace; file: keyof typeof HANDLER_ENTRIES; client: string; exports: string }[];
/** The six Chime operations the handler sends (HANDLER_ACTIONS), as SDK command classes. */
const COMMANDS = HANDLER_ACTIONS.map((action) => `${action.split(':')[1]}Command`).join(', ');
/** The CloudFormation operation the handler sends (STACK_READ_ACTIONS), with its client: what cloudformation.js bundles. */
const CLOUDFORMATION = { file: 'cloudformation', client: '@aws-sdk/client-cloudformation', exports: 'CloudFormationClient', commands: STACK_READ_ACTIONS.map((action) => `${action.split(':')[1]}Command`).join(', ') } as const;
const cloudFormationExport = `export { ${CLOUDFORMATION.exports}, ${CLOUDFORMATION.commands} } from '${CLOUDFORMATION.client}';`;

/**
 * Builds the bare client with the commands the handler sends, alone, with the asset's esbuild
 * options; with `withCloudFormation`, one file with the CloudFormation client too, as a
 * hand-written function that makes the handler's calls would bundle them.
 */
function bareBundle(client: string, clientClass: string, outfile?: string, withCloudFormation = false): Buffer {
  const contents = `export { ${clientClass}, ${COMMANDS} } from '${client}';${withCloudFormation ? `\n${cloudFormationExport}` : ''}`;
  const result = buildSync({ ...OPTIONS, stdin: { contents, resolveDir: ROOT, loader: 'ts' } });
  const code = Buffer.from(result.outputFiles![0].contents);
  if (outfile) fs.writeFileSync(outfile, code);
  return code;
}

/**
 * The shipped asset as npm run build wrote it: an event of one namespace loads index.js and that
 * namespace's file, so each namespace is index.js + its file against its bare client.
 */
function bundles() {
  const shipped = (name: string) => fs.readFileSync(path.join(HANDLER_OUT_DIR, `${name}.js`));
  const index = shipped('index');
  const gz = (b: Buffer) => gzipSync(b).length;
  return NAMESPACES.map(({ namespace, file, client, exports }) => {
    const own = shipped(file);
    const bare = bareBundle(client, exports);
    return {
      namespace,
      client,
      indexBytes: index.length,
      namespaceFile: `${file}.js`,
      namespaceFileBytes: own.length,
      shippedBytes: index.length + own.length,
      bareClientBytes: bare.length,
      overheadBytes: index.length + own.length - bare.length,
      shippedGzipBytes: gz(index) + gz(own),
      bareClientGzipBytes: gz(bare),
      overheadGzipBytes: gz(index) + gz(own) - gz(bare),
    };
  });
}

/**
 * cloudformation.js, which index.js loads on the first event of either namespace (every event
 * reads the resource's record first), against the bare CloudFormation client with the one command
 * the handler sends, bundled alone alike.
 */
function cloudFormationBundle() {
  const own = fs.readFileSync(path.join(HANDLER_OUT_DIR, `${CLOUDFORMATION.file}.js`));
  const bare = Buffer.from(buildSync({ ...OPTIONS, stdin: { contents: cloudFormationExport, resolveDir: ROOT, loader: 'ts' } }).outputFiles![0].contents);
  return {
    client: CLOUDFORMATION.client,
    file: `${CLOUDFORMATION.file}.js`,
    fileBytes: own.length,
    bareClientBytes: bare.length,
    overheadBytes: own.length - bare.length,
    fileGzipBytes: gzipSync(own).length,
    bareClientGzipBytes: gzipSync(bare).length,
  };
}

interface RunnerResult {
  coldStartMs: number;
  eventsPerSecond: number | null;
  /** The slowest of the timed events, in ms: a wait inside the handler shows here. */
  slowestMs: number;
  /** Timed events that took over 250 ms. */
  slowEvents: number;
  error?: string;
}

/** What a runner asks bench/run.ts, which plays CloudFormation for it (bench/cloudformation.ts). */
type RunnerMessage =
  | { seq: number; issue: { stackId: string; logicalId: string; requestId: string; region: string } }
  | { seq: number; answerOf: string }
  | ({ done: true } & RunnerResult);

/**
 * handler: the asset's index.js answering Create events; bare-same: the bare clients sending the
 * calls the handler makes for one Create, its answer PUT included; bare-create: the bare client
 * sending the Create alone, answering no one (the floor).
 */
type Mode = 'handler' | 'bare-same' | 'bare-create';
const MODES: Mode[] = ['handler', 'bare-same', 'bare-create'];
/** The previous design's calls for one Create (before the handler answered CloudFormation itself). */
const PREVIOUS_CREATE = { ListVoiceConnectorGroups: 2, CreateVoiceConnectorGroup: 1 };
/**
 * The calls each mode makes per event (Chime operations, CloudFormation's DescribeStackResource and
 * the answer PUT), and the cleanup after it (detach the connectors, delete).
 */
const PER_EVENT: Record<Mode, Partial<Record<string, number>>> = {
  handler: { ...PREVIOUS_CREATE, DescribeStackResource: 2, PUT: 1, UpdateVoiceConnectorGroup: 1, DeleteVoiceConnectorGroup: 1 },
  'bare-same': { ...PREVIOUS_CREATE, DescribeStackResource: 2, PUT: 1, UpdateVoiceConnectorGroup: 1, DeleteVoiceConnectorGroup: 1 },
  'bare-create': { CreateVoiceConnectorGroup: 1, UpdateVoiceConnectorGroup: 1, DeleteVoiceConnectorGroup: 1 },
};

let runnerSequence = 0;
async function runner(endpoint: ChimeEndpoint, cfn: BenchCloudFormation, mode: Mode, bundle: string, event: object, count: number): Promise<RunnerResult> {
  const before = { chime: endpoint.requests.length, describe: cfn.describeCalls, puts: cfn.puts };
  const prefix = `bench-${++runnerSequence}`;
  const stacks = new Set<string>();
  const result = await new Promise<RunnerResult>((resolve, reject) => {
    const child = fork(path.join(__dirname, 'handler-runner.js'), [mode, bundle, JSON.stringify(event), String(count), prefix], {
      env: { PATH: process.env.PATH ?? '', AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench-secret', AWS_REGION: REGION, AWS_EC2_METADATA_DISABLED: 'true', ...endpoint.env(), ...cfn.env() },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.on('message', (m: RunnerMessage) => {
      if ('issue' in m) {
        const { stackId, logicalId, requestId, region } = m.issue;
        stacks.add(stackId);
        child.send({ seq: m.seq, responseURL: cfn.issue(stackId, logicalId, requestId, region) });
      } else if ('answerOf' in m) {
        child.send({ seq: m.seq, answer: cfn.takeAnswer(m.answerOf) });
      } else {
        child.kill();
        if (m.error) reject(new Error(`${mode} runner failed: ${m.error}`));
        else resolve(m);
      }
    });
    child.once('exit', (code) => reject(new Error(`${mode} runner exited (${code}) without a result`)));
  });
  stacks.forEach((stackId) => cfn.forget(stackId));
  // Each mode must have made exactly its calls, no more (no retries, no extra pages), no fewer.
  const made: Record<string, number> = {};
  for (const r of endpoint.requests.slice(before.chime)) made[r.operation] = (made[r.operation] ?? 0) + 1;
  if (cfn.describeCalls > before.describe) made.DescribeStackResource = cfn.describeCalls - before.describe;
  if (cfn.puts > before.puts) made.PUT = cfn.puts - before.puts;
  const expected = Object.fromEntries(Object.entries(PER_EVENT[mode]).map(([op, n]) => [op, n! * (count + 1)]));
  if (JSON.stringify(Object.entries(made).sort()) !== JSON.stringify(Object.entries(expected).sort())) {
    throw new Error(`${mode} made ${JSON.stringify(made)} for ${count + 1} events, expected ${JSON.stringify(expected)}`);
  }
  if (endpoint.groups.size !== 0) throw new Error(`${mode} left ${endpoint.groups.size} groups behind`);
  return result;
}

/**
 * Cold start and warm events per second of the handler asset and of the bare client, against the
 * local endpoint. Each runner is one process handling events one after another, as one warm Lambda
 * instance does; the modes take turns so drift on the machine hits them alike.
 */
async function handlerSpeed() {
  const endpoint = await ChimeEndpoint.start({ groupQuota: Number.MAX_SAFE_INTEGER });
  const cfn = await BenchCloudFormation.start(work, { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' });
  try {
    const items = [endpoint.addConnector('us-east-1'), endpoint.addConnector('us-west-2')].map((id, i) => ({ voiceConnectorId: id, priority: i + 1 }));
    const event = {
      RequestType: 'Create',
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
      // The runner gives each event its own StackId, RequestId, LogicalResourceId and ResponseURL.
      ResourceType: 'Custom::VoiceConnectorGroup',
      // As the construct declares it: CloudFormation passes ServiceTimeout on among the properties.
      ResourceProperties: asCloudFormationSends({ ServiceToken: 'bench', ServiceTimeout: 300, apiNamespace: ApiNamespace.CHIME_SDK_VOICE, apiRegion: REGION, voiceConnectorGroupName: 'bench', voiceConnectorItems: items }),
    };
    const bare = path.join(work, 'bare-chime-sdk-voice.js');
    bareBundle('@aws-sdk/client-chime-sdk-voice', 'ChimeSDKVoiceClient', bare, true);
    const bundleOf = (mode: Mode) => (mode === 'handler' ? HANDLER_INDEX : bare);
    const cold: Record<Mode, number[]> = { handler: [], 'bare-same': [], 'bare-create': [] };
    const rate: Record<Mode, number[]> = { handler: [], 'bare-same': [], 'bare-create': [] };
    const slowest: Record<Mode, number[]> = { handler: [], 'bare-same': [], 'bare-create': [] };
    const slowEvents: Record<Mode, number> = { handler: 0, 'bare-same': 0, 'bare-create': 0 };
    const coldModes: Mode[] = ['handler', 'bare-same'];
    for (let run = 0; run < RUNS; run++) {
      for (const mode of run % 2 ? [...coldModes].reverse() : coldModes) {
        cold[mode].push((await runner(endpoint, cfn, mode, bundleOf(mode), event, 0)).coldStartMs);
      }
    }
    for (let run = 0; run < RATE_RUNS; run++) {
      for (const mode of MODES.map((_, i) => MODES[(i + run) % MODES.length])) {
        const r = await runner(endpoint, cfn, mode, bundleOf(mode), event, EVENTS);
        rate[mode].push(r.eventsPerSecond!);
        slowest[mode].push(r.slowestMs);
        slowEvents[mode] += r.slowEvents;
      }
    }
    const rateOf = (mode: Mode) => median(rate[mode]);
    return {
      coldStartMs: {
        handler: round(median(cold.handler), 1),
        bareClientSameCalls: round(median(cold['bare-same']), 1),
        ratio: round(median(cold.handler) / median(cold['bare-same'])),
        samples: { handler: cold.handler.map((x) => round(x, 1)), bareClientSameCalls: cold['bare-same'].map((x) => round(x, 1)) },
      },
      eventsPerSecond: {
        events: EVENTS,
        runs: RATE_RUNS,
        handler: round(rateOf('handler'), 0),
        bareClientSameCalls: round(rateOf('bare-same'), 0),
        bareClientCreateOnly: round(rateOf('bare-create'), 0),
        /** The handler's own overhead: against the bare clients making the same calls (Describe, List, Create, List, PUT, Describe). */
        ratioToSameCalls: round(rateOf('handler') / rateOf('bare-same')),
        /** The floor: against the bare client sending one Create and answering no one (what exactly-once creation and answering CloudFormation cost). */
        ratioToCreateOnly: round(rateOf('handler') / rateOf('bare-create')),
        samples: { handler: rate.handler.map((x) => round(x, 0)), bareClientSameCalls: rate['bare-same'].map((x) => round(x, 0)), bareClientCreateOnly: rate['bare-create'].map((x) => round(x, 0)) },
        /** The slowest timed event of each process, in ms: a wait the handler adds would show here. */
        slowestEventMs: { handler: slowest.handler.map((x) => round(x, 1)), bareClientSameCalls: slowest['bare-same'].map((x) => round(x, 1)), bareClientCreateOnly: slowest['bare-create'].map((x) => round(x, 1)) },
        /** Timed events over 250 ms, across all processes of a mode. */
        eventsOver250Ms: { handler: slowEvents.handler, bareClientSameCalls: slowEvents['bare-same'], bareClientCreateOnly: slowEvents['bare-create'] },
      },
    };
  } finally {
    await cfn.stop();
    await endpoint.stop();
  }
}

/**
 * The fewest calls the handler's guarantees allow, per step. Create: the API takes no idempotency
 * token and groups carry no tags, so only a list before the Create shows a group an earlier delivery
 * of the same event made, and only a list after it lets deliveries that ran at once agree on one
 * group. Update: the group as the service has it (Get: where it is decides an update in place or a
 * move, and the ledger's undo puts back the live group, not the old template's idea of it), then one
 * call in place. Delete: the group as the service has it (Get), its phone numbers checked before
 * anything changes (ListPhoneNumbers; Get does not report them), its connectors detached (Update;
 * the API refuses to delete a group that has any), then the Delete.
 */
interface Minimum {
  readonly create: number;
  readonly update: number;
  readonly delete: (connectors: boolean) => number;
}
const GUARANTEED_MINIMUM: Minimum = { create: 3, update: 2, delete: (connectors: boolean) => (connectors ? 4 : 3) };
/** The Chime calls of the previous design, which returned its answer to CDK's entrypoint: no record look-ups, no Get before an Update. */
const PREVIOUS_DESIGN: Minimum = { create: 3, update: 1, delete: (connectors: boolean) => (connectors ? 4 : 3) };
/** The fewest calls with no guarantee beyond one delivery per event: Create; Update; detach, Delete. */
const PHYSICAL_MINIMUM: Minimum = { create: 1, update: 1, delete: (connectors: boolean) => (connectors ? 2 : 1) };

/**
 * API calls per lifecycle step, counted at the endpoint while the local CloudFormation drives the
 * synthesised stack. Lambda delivers each event once here (the driver adds no duplicates and no
 * function error causes a retry), which is checked, so the counts are those of one delivery.
 */
async function apiCalls() {
  const endpoint = await ChimeEndpoint.start();
  const cfn = await LocalCloudFormation.start({ endpoint });
  try {
    const connectors = [endpoint.addConnector('us-east-1'), endpoint.addConnector('us-west-2')];
    const rows = [];
    for (const withConnectors of [true, false]) {
      const stackName = withConnectors ? 'BenchWithConnectors' : 'BenchEmpty';
      const synth = (name: string) => {
        const app = new App({ outdir: outdir() });
        const stack = new Stack(app, stackName, { env: { region: REGION } });
        new VoiceConnectorGroup(stack, 'Group', {
          voiceConnectorGroupName: name,
          voiceConnectorItems: withConnectors ? connectors.map((id, i) => ({ voiceConnectorId: id, priority: i + 1 })) : undefined,
        });
        return app.synth().directory;
      };
      const steps: ['create' | 'update' | 'delete', () => Promise<DeployResult>][] = [
        ['create', () => cfn.deploy(synth('bench-v1'), stackName)],
        ['update', () => cfn.deploy(synth('bench-v2'), stackName)],
        ['delete', () => cfn.destroy(stackName)],
      ];
      for (const [step, run] of steps) {
        const before = { chime: endpoint.requests.length, cfn: cfn.api.requests.length, puts: cfn.responseRequests.length };
        const { status, events } = await run();
        // A Create's function reads the record once more after answering: wait for it to end.
        await cfn.settled();
        if (!status.endsWith('_COMPLETE') || status.includes('ROLLBACK')) throw new Error(`${stackName} ${step} ended ${status}`);
        const deliveries = events;
        if (deliveries.length !== 1 || deliveries[0].delivery !== 1 || deliveries[0].cause !== 'event' || deliveries[0].status !== 'SUCCESS') {
          throw new Error(`${stackName} ${step}: expected one delivery of one event, got ${JSON.stringify(deliveries.map((e) => [e.requestType, e.delivery, e.cause, e.status]))}`);
        }
        // The stack holds no connector resources, so every request counted is a group call.
        const made = endpoint.requests.slice(before.chime);
        const describes = cfn.api.requests.slice(before.cfn).filter((r) => r.action === 'DescribeStackResource').length;
        const puts = cfn.responseRequests.slice(before.puts).filter((r) => r.method === 'PUT').length;
        const pick = (m: Minimum) => (step === 'delete' ? m.delete(withConnectors) : m[step]);
        const previous = pick(PREVIOUS_DESIGN);
        rows.push({
          step,
          connectors: withConnectors ? connectors.length : 0,
          calls: made.length,
          operations: made.map((r) => r.operation),
          minimum: pick(GUARANTEED_MINIMUM),
          physicalMinimum: pick(PHYSICAL_MINIMUM),
          /** CloudFormation's DescribeStackResource, from the function: the late-delivery check, and after a Create's answer the check of what was recorded. */
          describeStackResource: describes,
          /** Answer PUTs: one per event, as the previous design's entrypoint sent. */
          answerPuts: puts,
          previousDesignCalls: previous,
          /** Calls over the previous design: Chime calls beyond its count, and every DescribeStackResource. */
          addedCalls: made.length - previous + describes,
          /** From the event's delivery to its answer, as the local CloudFormation timed it. */
          answerMs: deliveries[0].ms,
        });
      }
    }
    if (endpoint.groups.size !== 0) throw new Error(`${endpoint.groups.size} groups left behind`);
    return rows;
  } finally {
    await cfn.stop();
    await endpoint.stop();
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(HANDLER_INDEX)) throw new Error('dist/handler is missing: run npm run build first');
  const started = Date.now();
  // Other work on the machine slows the timed figures; the run records how busy it was.
  const loadBefore = os.loadavg()[0];
  const template = templates();
  const floor = floorBytes();
  table('Template bytes per group (template file bytes / N) and Lambda functions per stack', ['variant', 'N', 'template bytes', 'bytes per group', `vs ${BASELINE}`, 'Lambda functions'], [
    ...template.map((r) => [r.variant, r.n, r.bytes, r.bytesPerGroup, `${r.ratioToBaseline}x`, r.lambdaFunctions]),
    ['physical floor (one native declaration)', '-', '-', floor, '-', 0],
  ]);
  const first = SIZES[SIZES.length - 2];
  const last = SIZES[SIZES.length - 1];
  const marginal = VARIANTS.map((variant) => {
    const bytesAt = (n: number) => template.find((r) => r.variant === variant && r.n === n)!.bytes;
    return { variant, bytesPerAddedGroup: round((bytesAt(last) - bytesAt(first)) / (last - first), 0) };
  });
  const marginalBaseline = marginal.find((m) => m.variant === BASELINE)!.bytesPerAddedGroup;
  table(`Bytes each added group costs (N=${first} to N=${last}), the shared handler left out`, ['variant', 'bytes per added group', `vs ${BASELINE}`, 'vs physical floor'], [
    ...marginal.map((m) => [m.variant, m.bytesPerAddedGroup, `${round(m.bytesPerAddedGroup / marginalBaseline)}x`, `${round(m.bytesPerAddedGroup / floor)}x`]),
  ]);
  const synth = synthTimes();
  table(`Synth time (in-process app.synth(), median of ${RUNS})`, ['variant', 'N', 'median ms', `vs ${BASELINE}`], synth.map((r) => [r.variant, r.n, r.medianMs, `${r.ratioToBaseline}x`]));
  const bundle = bundles();
  table(
    `Handler asset (minified bytes, as built in dist/handler) vs the bare SDK client with the same ${HANDLER_ACTIONS.length} commands, bundled alone alike`,
    ['namespace', 'index.js', 'namespace file', 'index.js + file', 'bare client', 'overhead', 'gzip: asset / bare / overhead'],
    bundle.map((b) => [b.namespace, b.indexBytes, `${b.namespaceFileBytes} (${b.namespaceFile})`, b.shippedBytes, b.bareClientBytes, b.overheadBytes, `${b.shippedGzipBytes} / ${b.bareClientGzipBytes} / ${b.overheadGzipBytes}`]),
  );
  const cloudFormation = cloudFormationBundle();
  table(
    `${cloudFormation.file}, loaded by every event besides its namespace file, vs the bare CloudFormation client with DescribeStackResource alone`,
    ['file', 'bytes', 'bare client', 'overhead', 'gzip: file / bare'],
    [[cloudFormation.file, cloudFormation.fileBytes, cloudFormation.bareClientBytes, cloudFormation.overheadBytes, `${cloudFormation.fileGzipBytes} / ${cloudFormation.bareClientGzipBytes}`]],
  );
  const speed = await handlerSpeed();
  const eps = speed.eventsPerSecond;
  table(`Against the local endpoint (ChimeSDKVoice; cold start median of ${RUNS} processes; warm rate median of ${RATE_RUNS} processes of ${EVENTS} Create events each)`, ['figure', 'handler', 'bare client', 'ratio'], [
    ['cold start: load + first Create (ms); bare: Describe, List, Create, List, PUT, Describe', speed.coldStartMs.handler, speed.coldStartMs.bareClientSameCalls, `${speed.coldStartMs.ratio}x`],
    ['warm events per second vs bare Describe, List, Create, List, PUT, Describe (handler overhead)', eps.handler, eps.bareClientSameCalls, `${eps.ratioToSameCalls}x`],
    ['warm events per second vs bare Create alone, no answer (the floor)', eps.handler, eps.bareClientCreateOnly, `${eps.ratioToCreateOnly}x`],
    ['slowest timed event, over all processes (ms)', Math.max(...eps.slowestEventMs.handler), Math.max(...eps.slowestEventMs.bareClientSameCalls), '-'],
    [`timed events over 250 ms, of ${EVENTS * RATE_RUNS}`, eps.eventsOver250Ms.handler, eps.eventsOver250Ms.bareClientSameCalls, '-'],
  ]);
  const calls = await apiCalls();
  table(
    'API calls per lifecycle step, counted at the endpoints (Chime; CloudFormation DescribeStackResource; answer PUTs), against the previous design',
    ['step', 'connectors', 'Chime calls', 'minimum for the guarantees', 'physical minimum', 'Describe', 'PUT', 'previous design', 'added', 'answered after ms', 'operations'],
    calls.map((c) => [c.step, c.connectors, c.calls, c.minimum, c.physicalMinimum, c.describeStackResource, c.answerPuts, c.previousDesignCalls, `+${c.addedCalls}`, c.answerMs, c.operations.map((o) => o.replace('VoiceConnectorGroups', 'Groups').replace('VoiceConnectorGroup', '')).join(', ')]),
  );

  const at = (variant: Variant, n: number) => template.find((r) => r.variant === variant && r.n === n)!;
  const synthAt = (variant: Variant, n: number) => synth.find((r) => r.variant === variant && r.n === n)!;
  const targets = [
    { target: `template bytes per group <= 0.3x ${BASELINE} at every N`, measured: SIZES.map((n) => `${at('VoiceConnectorGroup', n).ratioToBaseline}x at N=${n}`).join(', '), met: SIZES.every((n) => at('VoiceConnectorGroup', n).ratioToBaseline <= 0.3) },
    { target: '1 Lambda function per stack per namespace at every N', measured: SIZES.map((n) => `${at('VoiceConnectorGroup', n).lambdaFunctions} at N=${n}`).join(', '), met: SIZES.every((n) => at('VoiceConnectorGroup', n).lambdaFunctions === 1) },
    { target: `synth time for 100 groups <= ${BASELINE}`, measured: `${synthAt('VoiceConnectorGroup', 100).ratioToBaseline}x`, met: synthAt('VoiceConnectorGroup', 100).medianMs <= synthAt(BASELINE, 100).medianMs },
    { target: 'bundle overhead over the bare client <= 10 KB (10240 bytes)', measured: bundle.map((b) => `${b.overheadBytes} bytes (${b.namespace})`).join(', '), met: bundle.every((b) => b.overheadBytes <= 10240) },
    { target: 'warm events per second >= 0.9x the bare client sending the same calls', measured: `${eps.ratioToSameCalls}x (${eps.ratioToCreateOnly}x of a bare Create alone)`, met: eps.ratioToSameCalls >= 0.9 },
    { target: 'API calls equal to the minimum for the guarantees', measured: calls.map((c) => `${c.step}${c.connectors ? '' : ' (no connectors)'} ${c.calls}/${c.minimum}`).join(', '), met: calls.every((c) => c.calls === c.minimum) },
  ];
  table('Targets', ['target', 'measured', 'met'], targets.map((t) => [t.target, t.measured, t.met ? 'yes' : 'NO']));

  const results = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown'}`,
    runs: RUNS,
    seconds: round((Date.now() - started) / 1000, 1),
    loadAverage: { before: round(loadBefore), after: round(os.loadavg()[0]) },
    baseline: BASELINE,
    template,
    floorBytesPerGroup: floor,
    marginal,
    synth,
    bundle,
    cloudFormationBundle: cloudFormation,
    handler: speed,
    apiCalls: calls,
    targets,
  };
  if (!WRITE) {
    console.log(`\nDone in ${results.seconds} s (Node ${process.version}); bench/results.json and bench/chart.svg left as they are (npm run bench -- --write replaces them).`);
    return;
  }
  fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, undefined, 2)}\n`);
  fs.writeFileSync(path.join(__dirname, 'chart.svg'), svgChart(template, synth, floor, SIZES, VARIANTS));
  console.log(`\nWrote bench/results.json and bench/chart.svg (${results.seconds} s, Node ${process.version}).`);
}

main()
  .catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(work, { recursive: true, force: true }));
