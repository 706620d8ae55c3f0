import * as fs from 'fs';
import * as path from 'path';

/**
 * The README's Performance section quotes a benchmark run. Its handler sizes must be those of the
 * build (`npm test` builds first), and every other number must be the committed run's
 * (bench/results.json), so neither can go stale without this failing: after a handler change,
 * run `npm run bench -- --write` and copy its numbers into the README.
 */

const repo = path.resolve(__dirname, '../..');
const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
const performance = readme.slice(readme.indexOf('## Performance'), readme.indexOf('## Layout'));
const results = JSON.parse(fs.readFileSync(path.join(repo, 'bench/results.json'), 'utf8'));

interface Row {
  readonly variant: string;
  readonly n: number;
}
type Template = Row & { readonly bytesPerGroup: number; readonly lambdaFunctions: number; readonly ratioToBaseline: number };
type Synth = Row & { readonly medianMs: number; readonly ratioToBaseline: number };
interface Bundle {
  readonly namespace: string;
  readonly indexBytes: number;
  readonly namespaceFile: string;
  readonly namespaceFileBytes: number;
  readonly shippedBytes: number;
  readonly bareClientBytes: number;
  readonly overheadBytes: number;
  readonly shippedGzipBytes: number;
  readonly bareClientGzipBytes: number;
  readonly overheadGzipBytes: number;
}

/** Numbers as the README writes them: thousands separated, decimals as measured. */
const n = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 2 });
const ms = (x: number) => x.toFixed(1);
const ratio = (x: number) => `${x.toFixed(2)}x`;
const at = <T extends Row>(rows: T[], variant: string, size: number) => rows.find((r) => r.variant === variant && r.n === size)!;
const SIZES = [1, 10, 100];
const bundles = results.bundle as Bundle[];
const sdkVoice = bundles.find((b) => b.namespace === 'ChimeSDKVoice')!;

it('quotes the handler asset sizes of the build', () => {
  const size = (file: string) => fs.statSync(path.join(repo, 'dist/handler', file)).size;
  const index = size('index.js');
  expect(performance).toContain(`\`index.js\` (the\nhandler, ${n(index)} bytes)`);
  for (const b of bundles) {
    expect(b.indexBytes).toBe(index);
    expect(b.namespaceFileBytes).toBe(size(b.namespaceFile));
    expect(performance).toContain(`| ${b.namespace === 'Chime' ? 'Chime (legacy)' : b.namespace} | ${n(index)} + ${n(size(b.namespaceFile))} = ${n(index + size(b.namespaceFile))} |`);
  }
  // Every event also loads cloudformation.js, for its look-ups of the resource's record.
  const cfn = results.cloudFormationBundle as { file: string; fileBytes: number };
  expect(cfn.fileBytes).toBe(size(cfn.file));
  expect(performance).toContain(`| \`${cfn.file}\` | ${n(size(cfn.file))} |`);
});

it("quotes the committed run's numbers", () => {
  const template = results.template as Template[];
  const synth = results.synth as Synth[];
  const marginal = Object.fromEntries((results.marginal as { variant: string; bytesPerAddedGroup: number }[]).map((m) => [m.variant, m.bytesPerAddedGroup]));
  const eps = results.handler.eventsPerSecond;
  const cfnBundle = results.cloudFormationBundle as { fileBytes: number; bareClientBytes: number; overheadBytes: number; fileGzipBytes: number; bareClientGzipBytes: number };
  const cold = results.handler.coldStartMs;
  const range = (samples: number[]) => `from ${Math.min(...samples)} to ${Math.max(...samples)}`;
  const expected = [
    `(Node.js ${results.node.replace(/^v/, '')}, ${results.cpus.split(' ')[0]} cores, Linux x64,`,
    `it measured for ${Math.round(results.seconds)} seconds after the build`,
    `load average ${results.loadAverage.before} when it started and ${results.loadAverage.after} when it ended`,
    ...SIZES.map((size) => {
      const [ours, base, provider] = ['VoiceConnectorGroup', 'AwsCustomResource', 'Provider'].map((v) => at(template, v, size));
      return `| ${size} | ${n(ours.bytesPerGroup)} (${ratio(ours.ratioToBaseline)}) | ${n(base.bytesPerGroup)} | ${n(provider.bytesPerGroup)} (${ratio(provider.ratioToBaseline)}) | ${ours.lambdaFunctions} / ${base.lambdaFunctions} / ${provider.lambdaFunctions} |`;
    }),
    `Each added group costs ${n(marginal.VoiceConnectorGroup)} bytes with this construct, ${n(marginal.AwsCustomResource)} with \`AwsCustomResource\` and ${n(marginal.Provider)} with`,
    `would need for the same properties, is ${n(results.floorBytesPerGroup)} bytes`,
    ...SIZES.map((size) => ['VoiceConnectorGroup', 'AwsCustomResource', 'Provider'].map((v) => ms(at(synth, v, size).medianMs)).join(' / ')),
    `(${ratio(at(synth, 'VoiceConnectorGroup', 100).ratioToBaseline)} of \`AwsCustomResource\`)`,
    ...bundles.map((b) => `| ${n(b.bareClientBytes)} | ${n(b.overheadBytes)} | ${n(b.shippedGzipBytes)} / ${n(b.bareClientGzipBytes)} / ${n(b.overheadGzipBytes)} |`),
    `takes ${ms(cold.handler)} ms, against ${ms(cold.bareClientSameCalls)} ms for the bare clients`,
    `| ${n(cfnBundle.fileBytes)} | ${n(cfnBundle.bareClientBytes)} | ${n(cfnBundle.overheadBytes)} | ${n(cfnBundle.fileGzipBytes)} / ${n(cfnBundle.bareClientGzipBytes)} |`,
    `${eps.eventsOver250Ms.handler} of the handler's ${n(eps.events * eps.runs)} timed events took over 250 ms (the slowest ${Math.max(...eps.slowestEventMs.handler)} ms)`,
    `the bare client's ${eps.eventsOver250Ms.bareClientSameCalls} (the slowest ${Math.max(...eps.slowestEventMs.bareClientSameCalls)} ms)`,
    `(${ratio(cold.ratio)})`,
    `| ${eps.handler} | ${eps.bareClientSameCalls} | ${ratio(eps.ratioToSameCalls)} |`,
    `| ${eps.handler} | ${eps.bareClientCreateOnly} | ${ratio(eps.ratioToCreateOnly)} |`,
    `The handler's seven processes ranged ${range(eps.samples.handler)} events per second, the bare client's ${range(eps.samples.bareClientSameCalls)}`,
    `| ${ratio(at(template, 'VoiceConnectorGroup', 1).ratioToBaseline)}, ${ratio(at(template, 'VoiceConnectorGroup', 10).ratioToBaseline)}, ${ratio(at(template, 'VoiceConnectorGroup', 100).ratioToBaseline)} at N = 1, 10, 100 |`,
    `| ${n(sdkVoice.overheadBytes)} bytes (${(sdkVoice.overheadBytes / 1024).toFixed(1)} KB), ${n(bundles.find((b) => b.namespace === 'Chime')!.overheadBytes)} for the legacy namespace |`,
    `${((sdkVoice.overheadBytes - 10240) / 1024).toFixed(1)} KB over the target`,
    `Gzipped, the handler's own\n  code is ${(sdkVoice.overheadGzipBytes / 1024).toFixed(1)} KB`,
    `(${ms(at(synth, 'Provider', 100).medianMs)} against\n  ${ms(at(synth, 'VoiceConnectorGroup', 100).medianMs)} ms)`,
    `the handler manages ${ratio(eps.ratioToCreateOnly)} as many events`,
    // With connectors; a delete also without, which takes no detaching Update.
    ...(results.apiCalls as { step: string; connectors: number; calls: number; minimum: number; physicalMinimum: number; operations: string[]; describeStackResource: number; previousDesignCalls: number; addedCalls: number }[])
      .filter((c) => c.connectors > 0 || c.step === 'delete')
      .map(
        (c) =>
          `| ${c.calls} | ${c.operations.join(', ').replace('UpdateVoiceConnectorGroup, Delete', 'UpdateVoiceConnectorGroup (detach), Delete')} | ${c.minimum} | ${c.physicalMinimum} | ${c.describeStackResource} | ${c.previousDesignCalls} | +${c.addedCalls} |`,
      ),
  ];
  expect(expected.filter((text) => !performance.includes(text))).toEqual([]);
});
