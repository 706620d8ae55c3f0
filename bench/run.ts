import { fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { App, Stack } from 'aws-cdk-lib';
import { buildSync, BuildOptions } from 'esbuild';
import { BUNDLE_OPTIONS, HANDLER_ENTRIES, HANDLER_OUT_DIR } from '../lambda/bundle';
import { ApiNamespace, HANDLER_ACTIONS, VoiceConnectorGroup } from '../lib';
import { asCloudFormationSends, DeployResult, LocalCloudFormation } from '../local/driver';
import { ChimeEndpoint } from '../local/endpoint';
import { svgChart } from './chart';
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
/** The six operations the handler sends (HANDLER_ACTIONS), as SDK command classes. */
const COMMANDS = HANDLER_ACTIONS.map((action) => `${action.split(':')[1]}Command`).join(', ');

/** Builds the bare client with the commands the handler sends, alone, with the asset's esbuild options. */
function bareBundle(client: string, clientClass: string, outfile?: string): Buffer {
  const result = buildSync({ ...OPTIONS, stdin: { contents: `export { ${clientClass}, ${COMMANDS} } from '${client}';`, resolveDir: ROOT, loader: 'ts' } });
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

interface RunnerResult {
  coldStartMs: number;
  eventsPerSecond: number | null;
  error?: string;
}

/**
 * handler: the asset's index.js answering Create events; bare-same: the bare client sending the
 * calls the handler makes for one Create; bare-create: the bare client sending the Create alone.
 */
type Mode = 'handler' | 'bare-same' | 'bare-create';
const MODES: Mode[] = ['handler', 'bare-same', 'bare-create'];
/** The calls each mode makes per event, and the cleanup after it (detach the connectors, delete). */
const PER_EVENT: Record<Mode, Partial<Record<string, number>>> = {
  handler: { ListVoiceConnectorGroups: 2, CreateVoiceConnectorGroup: 1, UpdateVoiceConnectorGroup: 1, DeleteVoiceConnectorGroup: 1 },
  'bare-same': { ListVoiceConnectorGroups: 2, CreateVoiceConnectorGroup: 1, UpdateVoiceConnectorGroup: 1, DeleteVoiceConnectorGroup: 1 },
  'bare-create': { CreateVoiceConnectorGroup: 1, UpdateVoiceConnectorGroup: 1, DeleteVoiceConnectorGroup: 1 },
};

let runnerSequence = 0;
async function runner(endpoint: ChimeEndpoint, mode: Mode, bundle: string, event: object, count: number): Promise<RunnerResult> {
  const before = endpoint.requests.length;
  const result = await new Promise<RunnerResult>((resolve, reject) => {
    const child = fork(path.join(__dirname, 'handler-runner.js'), [mode, bundle, JSON.stringify(event), String(count), `bench-${++runnerSequence}`], {
      env: { PATH: process.env.PATH ?? '', AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench-secret', AWS_REGION: REGION, AWS_EC2_METADATA_DISABLED: 'true', ...endpoint.env() },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', (m: RunnerResult) => {
      child.kill();
      if (m.error) reject(new Error(`${mode} runner failed: ${m.error}`));
      else resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`${mode} runner exited (${code}) without a result`)));
  });
  // Each mode must have made exactly its calls, no more (no retries, no extra pages), no fewer.
  const made: Record<string, number> = {};
  for (const r of endpoint.requests.slice(before)) made[r.operation] = (made[r.operation] ?? 0) + 1;
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
  try {
    const items = [endpoint.addConnector('us-east-1'), endpoint.addConnector('us-west-2')].map((id, i) => ({ voiceConnectorId: id, priority: i + 1 }));
    const event = {
      RequestType: 'Create',
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
      ResponseURL: 'https://127.0.0.1/unused',
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Bench/guid',
      RequestId: 'bench',
      LogicalResourceId: 'Group',
      ResourceType: 'Custom::VoiceConnectorGroup',
      ResourceProperties: asCloudFormationSends({ ServiceToken: 'bench', apiNamespace: ApiNamespace.CHIME_SDK_VOICE, apiRegion: REGION, voiceConnectorGroupName: 'bench', voiceConnectorItems: items }),
    };
    const bare = path.join(work, 'bare-chime-sdk-voice.js');
    bareBundle('@aws-sdk/client-chime-sdk-voice', 'ChimeSDKVoiceClient', bare);
    const bundleOf = (mode: Mode) => (mode === 'handler' ? HANDLER_INDEX : bare);
    const cold: Record<Mode, number[]> = { handler: [], 'bare-same': [], 'bare-create': [] };
    const rate: Record<Mode, number[]> = { handler: [], 'bare-same': [], 'bare-create': [] };
    const coldModes: Mode[] = ['handler', 'bare-same'];
    for (let run = 0; run < RUNS; run++) {
      for (const mode of run % 2 ? [...coldModes].reverse() : coldModes) {
        cold[mode].push((await runner(endpoint, mode, bundleOf(mode), event, 0)).coldStartMs);
      }
    }
    for (let run = 0; run < RATE_RUNS; run++) {
      for (const mode of MODES.map((_, i) => MODES[(i + run) % MODES.length])) {
        rate[mode].push((await runner(endpoint, mode, bundleOf(mode), event, EVENTS)).eventsPerSecond!);
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
        /** The handler's own overhead: against the bare client making the same three calls. */
        ratioToSameCalls: round(rateOf('handler') / rateOf('bare-same')),
        /** What exactly-once creation costs: against the bare client sending one Create. */
        ratioToCreateOnly: round(rateOf('handler') / rateOf('bare-create')),
        samples: { handler: rate.handler.map((x) => round(x, 0)), bareClientSameCalls: rate['bare-same'].map((x) => round(x, 0)), bareClientCreateOnly: rate['bare-create'].map((x) => round(x, 0)) },
      },
    };
  } finally {
    await endpoint.stop();
  }
}

/**
 * The fewest calls the handler's guarantees allow, per step. Create: the API takes no idempotency
 * token and groups carry no tags, so only a list before the Create shows a group an earlier delivery
 * of the same event made, and only a list after it lets deliveries that ran at once agree on one
 * group. Update: one call in place. Delete: the group as the service has it (Get), its phone numbers
 * checked before anything changes (ListPhoneNumbers; Get does not report them), its connectors
 * detached (Update; the API refuses to delete a group that has any), then the Delete.
 */
interface Minimum {
  readonly create: number;
  readonly update: number;
  readonly delete: (connectors: boolean) => number;
}
const GUARANTEED_MINIMUM: Minimum = { create: 3, update: 1, delete: (connectors: boolean) => (connectors ? 4 : 3) };
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
        const before = endpoint.requests.length;
        const { status, events } = await run();
        if (!status.endsWith('_COMPLETE') || status.includes('ROLLBACK')) throw new Error(`${stackName} ${step} ended ${status}`);
        const deliveries = events;
        if (deliveries.length !== 1 || deliveries[0].delivery !== 1 || deliveries[0].cause !== 'event' || deliveries[0].status !== 'SUCCESS') {
          throw new Error(`${stackName} ${step}: expected one delivery of one event, got ${JSON.stringify(deliveries.map((e) => [e.requestType, e.delivery, e.cause, e.status]))}`);
        }
        // The stack holds no connector resources, so every request counted is a group call.
        const made = endpoint.requests.slice(before);
        const pick = (m: Minimum) => (step === 'delete' ? m.delete(withConnectors) : m[step]);
        rows.push({
          step,
          connectors: withConnectors ? connectors.length : 0,
          calls: made.length,
          operations: made.map((r) => r.operation),
          minimum: pick(GUARANTEED_MINIMUM),
          physicalMinimum: pick(PHYSICAL_MINIMUM),
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
  const speed = await handlerSpeed();
  const eps = speed.eventsPerSecond;
  table(`Against the local endpoint (ChimeSDKVoice; cold start median of ${RUNS} processes; warm rate median of ${RATE_RUNS} processes of ${EVENTS} Create events each)`, ['figure', 'handler', 'bare client', 'ratio'], [
    ['cold start: load + first Create (ms); bare: List, Create, List', speed.coldStartMs.handler, speed.coldStartMs.bareClientSameCalls, `${speed.coldStartMs.ratio}x`],
    ['warm events per second vs bare List, Create, List (handler overhead)', eps.handler, eps.bareClientSameCalls, `${eps.ratioToSameCalls}x`],
    ['warm events per second vs bare Create alone (cost of exactly-once)', eps.handler, eps.bareClientCreateOnly, `${eps.ratioToCreateOnly}x`],
  ]);
  const calls = await apiCalls();
  table('API calls per lifecycle step, counted at the endpoint', ['step', 'connectors', 'calls', 'minimum for the guarantees', 'physical minimum', 'operations'], calls.map((c) => [c.step, c.connectors, c.calls, c.minimum, c.physicalMinimum, c.operations.map((o) => o.replace('VoiceConnectorGroups', 'Groups').replace('VoiceConnectorGroup', '')).join(', ')]));

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
