import { fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { App, Stack } from 'aws-cdk-lib';
import { buildSync, BuildOptions } from 'esbuild';
import { BUNDLE_OPTIONS, HANDLER_ENTRIES, HANDLER_OUT_DIR } from '../lambda/bundle';
import { ApiNamespace, VoiceConnectorGroup } from '../lib';
import { asCloudFormationSends, LocalCloudFormation } from '../local/driver';
import { ChimeEndpoint } from '../local/endpoint';
import { svgChart } from './chart';
import { floorBytes, REGION, synthVariant, Variant, VARIANTS } from './stacks';

/**
 * `npm run bench`: this library against what users would write instead, measured side by side in
 * one run. Prints tables; with `--write` (`npm run bench -- --write`) or BENCH_WRITE=1 it also
 * replaces the committed bench/results.json and bench/chart.svg, so a trial run changes no file.
 * BENCH_RUNS sets the samples per synth-time and cold-start figure (default 7).
 */
const ROOT = path.resolve(__dirname, '..');
const SIZES = [1, 10, 100];
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const EVENTS = 300;
const WRITE = process.argv.includes('--write') || process.env.BENCH_WRITE === '1';
const BASELINE: Variant = 'AwsCustomResource';
/** The ChimeSDKVoice handler asset: the one every variant's stack and the speed runs use. */
const SDK_VOICE_HANDLER = path.join(HANDLER_OUT_DIR, 'chime-sdk-voice');
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
      const file = synthVariant(variant, n, outdir(), SDK_VOICE_HANDLER);
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
    synthVariant(variant, n, dir, SDK_VOICE_HANDLER);
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

/** The handler's own esbuild options, so both bundles are built alike. */
const OPTIONS: BuildOptions = { ...BUNDLE_OPTIONS, write: false, logLevel: 'error' };
const NAMESPACES = [
  { namespace: ApiNamespace.CHIME_SDK_VOICE, dir: 'chime-sdk-voice', client: '@aws-sdk/client-chime-sdk-voice', exports: 'ChimeSDKVoiceClient' },
  { namespace: ApiNamespace.CHIME, dir: 'chime', client: '@aws-sdk/client-chime', exports: 'ChimeClient' },
] as const;
const COMMANDS = ['Create', 'Update', 'Get', 'Delete'].map((op) => `${op}VoiceConnectorGroupCommand`).join(', ');

/** Builds the bare client with the four commands the handler sends. */
function bareBundle(client: string, clientClass: string, outfile?: string): Buffer {
  const result = buildSync({ ...OPTIONS, stdin: { contents: `export { ${clientClass}, ${COMMANDS} } from '${client}';`, resolveDir: ROOT, loader: 'ts' } });
  const code = Buffer.from(result.outputFiles![0].contents);
  if (outfile) fs.writeFileSync(outfile, code);
  return code;
}

function bundles() {
  return NAMESPACES.map(({ namespace, dir, client, exports }) => {
    const ours = Buffer.from(buildSync({ ...OPTIONS, entryPoints: [path.join(ROOT, HANDLER_ENTRIES[dir])] }).outputFiles![0].contents);
    const bare = bareBundle(client, exports);
    return {
      namespace,
      client,
      oursBytes: ours.length,
      bareClientBytes: bare.length,
      overheadBytes: ours.length - bare.length,
      shippedBytes: fs.statSync(path.join(HANDLER_OUT_DIR, dir, 'index.js')).size,
      oursGzipBytes: gzipSync(ours).length,
      bareClientGzipBytes: gzipSync(bare).length,
    };
  });
}

interface RunnerResult {
  coldStartMs: number;
  eventsPerSecond: number | null;
  error?: string;
}

function runner(mode: 'handler' | 'bare', bundle: string, event: object, count: number, env: Record<string, string>): Promise<RunnerResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'handler-runner.js'), [mode, bundle, JSON.stringify(event), String(count)], {
      env: { PATH: process.env.PATH ?? '', AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench-secret', AWS_REGION: REGION, ...env },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', (m: RunnerResult) => {
      child.kill();
      if (m.error) reject(new Error(`${mode} runner failed: ${m.error}`));
      else resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`${mode} runner exited (${code}) without a result`)));
  });
}

/** Cold start and sustained events per second of the handler bundle and of the bare client, against the local endpoint. */
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
    const ours = path.join(SDK_VOICE_HANDLER, 'index.js');
    const cold = { handler: [] as number[], bare: [] as number[] };
    const rate = { handler: [] as number[], bare: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      for (const [mode, bundle] of (run % 2 ? [['bare', bare], ['handler', ours]] : [['handler', ours], ['bare', bare]]) as ['handler' | 'bare', string][]) {
        cold[mode].push((await runner(mode, bundle, event, 0, endpoint.env())).coldStartMs);
      }
    }
    for (let run = 0; run < 3; run++) {
      for (const [mode, bundle] of [['handler', ours], ['bare', bare]] as ['handler' | 'bare', string][]) {
        rate[mode].push((await runner(mode, bundle, event, EVENTS, endpoint.env())).eventsPerSecond!);
      }
    }
    const created = endpoint.calls('CreateVoiceConnectorGroup');
    const expected = 2 * RUNS + 2 * 3 * (EVENTS + 1);
    if (created !== expected) throw new Error(`the endpoint answered ${created} creates, expected ${expected}`);
    return {
      coldStartMs: { handler: round(median(cold.handler), 1), bareClient: round(median(cold.bare), 1), ratio: round(median(cold.handler) / median(cold.bare)), samples: { handler: cold.handler.map((x) => round(x, 1)), bareClient: cold.bare.map((x) => round(x, 1)) } },
      eventsPerSecond: { handler: round(median(rate.handler), 0), bareClient: round(median(rate.bare), 0), ratio: round(median(rate.handler) / median(rate.bare)), events: EVENTS, samples: { handler: rate.handler.map((x) => round(x, 0)), bareClient: rate.bare.map((x) => round(x, 0)) } },
    };
  } finally {
    await endpoint.stop();
  }
}

/** API calls per lifecycle step, counted at the endpoint while the local CloudFormation drives the synthesised stack. */
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
      const steps: [string, () => Promise<{ status: string }>, number][] = [
        ['create', () => cfn.deploy(synth('bench-v1'), stackName), 1],
        ['update', () => cfn.deploy(synth('bench-v2'), stackName), 1],
        ['delete', () => cfn.destroy(stackName), withConnectors ? 2 : 1],
      ];
      for (const [step, run, minimum] of steps) {
        const before = endpoint.requests.length;
        const { status } = await run();
        if (!status.endsWith('_COMPLETE') || status.includes('ROLLBACK')) throw new Error(`${stackName} ${step} ended ${status}`);
        // The stack holds no connector resources, so every request counted is a group call.
        const made = endpoint.requests.slice(before);
        rows.push({ step, connectors: withConnectors ? connectors.length : 0, calls: made.length, operations: made.map((r) => r.operation), minimum });
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
  if (!fs.existsSync(path.join(SDK_VOICE_HANDLER, 'index.js'))) throw new Error('dist/handler is missing: run npm run build first');
  const started = Date.now();
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
  table('Handler bundle (minified, bytes) vs the bare SDK client with the same four commands', ['namespace', 'handler', 'bare client', 'overhead', 'handler gzip', 'bare gzip'], bundle.map((b) => [b.namespace, b.oursBytes, b.bareClientBytes, b.overheadBytes, b.oursGzipBytes, b.bareClientGzipBytes]));
  const speed = await handlerSpeed();
  table(`Against the local endpoint (ChimeSDKVoice; cold start median of ${RUNS}, rate median of 3 runs of ${EVENTS} Create events)`, ['figure', 'handler', 'bare client', 'ratio'], [
    ['cold start: load + first event (ms)', speed.coldStartMs.handler, speed.coldStartMs.bareClient, `${speed.coldStartMs.ratio}x`],
    ['events per second, one after another', speed.eventsPerSecond.handler, speed.eventsPerSecond.bareClient, `${speed.eventsPerSecond.ratio}x`],
  ]);
  const calls = await apiCalls();
  table('API calls per lifecycle step, counted at the endpoint', ['step', 'connectors', 'calls', 'physical minimum', 'operations'], calls.map((c) => [c.step, c.connectors, c.calls, c.minimum, c.operations.map((o) => o.replace('VoiceConnectorGroup', '')).join(', ')]));

  const at = (variant: Variant, n: number) => template.find((r) => r.variant === variant && r.n === n)!;
  const synthAt = (variant: Variant, n: number) => synth.find((r) => r.variant === variant && r.n === n)!;
  const targets = [
    { target: `template bytes per group <= 0.3x ${BASELINE} at every N`, measured: SIZES.map((n) => `${at('VoiceConnectorGroup', n).ratioToBaseline}x at N=${n}`).join(', '), met: SIZES.every((n) => at('VoiceConnectorGroup', n).ratioToBaseline <= 0.3) },
    { target: '1 Lambda function per stack per namespace at every N', measured: SIZES.map((n) => `${at('VoiceConnectorGroup', n).lambdaFunctions} at N=${n}`).join(', '), met: SIZES.every((n) => at('VoiceConnectorGroup', n).lambdaFunctions === 1) },
    { target: `synth time for 100 groups <= ${BASELINE}`, measured: `${synthAt('VoiceConnectorGroup', 100).ratioToBaseline}x`, met: synthAt('VoiceConnectorGroup', 100).medianMs <= synthAt(BASELINE, 100).medianMs },
    { target: 'bundle overhead over the bare client <= 10 KB (10240 bytes)', measured: bundle.map((b) => `${b.overheadBytes} bytes (${b.namespace})`).join(', '), met: bundle.every((b) => b.overheadBytes <= 10240) },
    { target: 'API calls equal to the physical minimum', measured: calls.map((c) => `${c.step}${c.connectors ? '' : ' (no connectors)'} ${c.calls}/${c.minimum}`).join(', '), met: calls.every((c) => c.calls === c.minimum) },
  ];
  table('Targets', ['target', 'measured', 'met'], targets.map((t) => [t.target, t.measured, t.met ? 'yes' : 'NO']));

  const results = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown'}`,
    runs: RUNS,
    seconds: round((Date.now() - started) / 1000, 1),
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
