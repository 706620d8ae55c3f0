import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Installs the packed library into a new CDK app outside this repository, as a user would, and
 * synthesises a stack with it. `npm test` builds before it runs, so the pack holds this build.
 */
jest.setTimeout(240_000);

const repo = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
/** The files `npm run bundle` writes: the handler, one file per SDK client (each namespace's and CloudFormation's), their notices. */
const HANDLER_ASSET = ['THIRD-PARTY-NOTICES.txt', 'chime-sdk-voice.js', 'chime.js', 'cloudformation.js', 'index.js'];
const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let work: string;
let tarball: string;
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-'));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], repo));
  tarball = path.join(work, packed[0].filename);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

it('publishes the compiled library, its declarations, the jsii assembly, the handler bundles and the drift command with their notices, and nothing else', () => {
  const files = run('tar', ['-tzf', tarball], work).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));

  expect(files).toEqual(
    expect.arrayContaining(['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', '.jsii', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lib/voice-connector-group.d.ts']),
  );
  expect(files.filter((f) => !/^(package\.json|README\.md|CHANGELOG\.md|LICENSE|\.jsii|dist\/lib\/.*\.(js|d\.ts))$/.test(f) && !/^dist\/(handler|cli)\//.test(f))).toEqual([]);
  // The drift command: one bundled file and the licenses of what it bundles.
  expect(files.filter((f) => f.startsWith('dist/cli/')).sort()).toEqual(['dist/cli/THIRD-PARTY-NOTICES.txt', 'dist/cli/index.js']);
  // The handler asset: the handler, one file per namespace's SDK client, and the licenses of what they bundle.
  expect(files.filter((f) => f.startsWith('dist/handler/')).sort()).toEqual(HANDLER_ASSET.map((f) => `dist/handler/${f}`));

  const assembly = JSON.parse(run('tar', ['-xzOf', tarball, 'package/.jsii'], work));
  expect(assembly).toMatchObject({ schema: 'jsii/0.10.0', name: pkg.name, version: pkg.version });
  expect(Object.keys(assembly.types)).toContain(`${pkg.name}.VoiceConnectorGroup`);
});

it('has no install-time scripts in the published manifest, so installing it runs nothing', () => {
  const manifest = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'], work));
  const installTime = ['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare'];

  expect(Object.keys(manifest.scripts ?? {}).filter((s) => installTime.includes(s))).toEqual([]);
  expect(manifest.keywords).toContain('awscdk');
  expect(manifest.stability).toBe('experimental');
});

it('installs into a new app with only its peer dependencies, type-checks, and synthesises', () => {
  const app = path.join(work, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer-app', version: '1.0.0', private: true }));
  const peers = Object.keys(pkg.peerDependencies).map((name) => `${name}@${pkg.devDependencies[name]}`);
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, ...peers], { cwd: app, encoding: 'utf8' });
  expect(install.status).toBe(0);
  // npm names each installed package that has install-time scripts; this one has none.
  expect(install.stderr).not.toContain(`${pkg.name}@`);

  // Nothing the library builds with came along: the handler is already bundled.
  const installed = fs.readdirSync(path.join(app, 'node_modules'));
  for (const devOnly of ['esbuild', 'typescript', '@aws-sdk', 'aws-cdk', 'jest']) expect(installed).not.toContain(devOnly);

  fs.writeFileSync(
    path.join(app, 'main.ts'),
    `import { App, Stack } from 'aws-cdk-lib';
import { ApiNamespace, IVoiceConnectorGroup, VoiceConnectorGroup } from 'cdk-chime-voice-connector-group';

const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'Consumer', { env: { region: 'eu-west-2' } });
const group: IVoiceConnectorGroup = new VoiceConnectorGroup(stack, 'Group', {
  voiceConnectorGroupName: 'consumer',
  voiceConnectorItems: [{ voiceConnectorId: 'abcdef1ghij2klmno3pqr4', priority: 1 }],
  apiNamespace: ApiNamespace.CHIME_SDK_VOICE,
});
console.log(group.voiceConnectorGroupId.length > 0, app.synth().directory);
`,
  );
  // The published declarations are enough for a strict TypeScript consumer (resolved through "exports").
  const tsc = path.join(repo, 'node_modules/typescript/bin/tsc');
  run(process.execPath, [tsc, '--strict', '--noEmit', '--skipLibCheck', '--module', 'node16', '--moduleResolution', 'node16', 'main.ts'], app);
  run(process.execPath, [tsc, '--module', 'commonjs', '--skipLibCheck', 'main.ts'], app);

  run(process.execPath, ['main.js'], app);

  const template = JSON.parse(fs.readFileSync(path.join(app, 'cdk.out/Consumer.template.json'), 'utf8'));
  const group = Object.values(template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>).find(
    (r) => r.Type === 'Custom::VoiceConnectorGroup',
  );
  expect(group?.Properties).toMatchObject({ apiNamespace: 'ChimeSDKVoice', apiRegion: 'eu-west-2', voiceConnectorGroupName: 'consumer' });
  const fn = Object.values(template.Resources as Record<string, { Type: string; Properties: { Code: { S3Key: string } } }>).find((r) => r.Type === 'AWS::Lambda::Function');
  const asset = path.join(app, 'cdk.out', `asset.${fn!.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
  // The handler answers CloudFormation itself, so CDK adds no entrypoint of its own.
  expect(fs.readdirSync(asset).sort()).toEqual([...HANDLER_ASSET].sort());
});

it('installs the drift command, which runs with no dependency of its own installed and exits 2 with a clear message without credentials', () => {
  const app = path.join(work, 'app');
  const manifest = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'], work));
  expect(manifest.bin).toEqual({ [pkg.name]: 'dist/cli/index.js' });
  expect(manifest.dependencies ?? {}).toEqual({});
  const bin = path.join(app, 'node_modules', '.bin', pkg.name);

  const help = spawnSync(bin, ['--help'], { cwd: app, encoding: 'utf8' });
  // The app synthesised above: its stack is found in cdk.out; no credentials anywhere the SDK looks.
  const home = fs.mkdtempSync(path.join(work, 'home-'));
  const env = { PATH: process.env.PATH ?? '', HOME: home, AWS_REGION: 'eu-west-2', AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: path.join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none') };
  const drift = spawnSync(bin, ['drift', '--fail'], { cwd: app, encoding: 'utf8', env });

  expect(help.status).toBe(0);
  expect(help.stdout).toContain('Usage: npx cdk-chime-voice-connector-group drift [options]');
  expect(drift.status).toBe(2);
  expect(drift.stderr).toContain('cdk-chime-voice-connector-group drift: no AWS credentials found');
});

it("synthesises the README's cross-Region app in the installed app, with weak references as its cdk.json sets them", () => {
  const app = path.join(work, 'app');
  const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### In your own app'));
  const cdkJson = JSON.parse(/```json\n([\s\S]*?)```/.exec(section)![1]);
  fs.writeFileSync(path.join(app, 'cross-region.ts'), /```ts\n([\s\S]*?)```/.exec(section)![1]);
  const tsc = path.join(repo, 'node_modules/typescript/bin/tsc');
  run(process.execPath, [tsc, '--strict', '--noEmit', '--skipLibCheck', '--module', 'node16', '--moduleResolution', 'node16', 'cross-region.ts'], app);
  run(process.execPath, [tsc, '--module', 'commonjs', '--skipLibCheck', 'cross-region.ts'], app);
  // As the CLI runs an app: the context of cdk.json and the output directory in the environment.
  const out = path.join(app, 'cross-region.out');
  execFileSync(process.execPath, ['cross-region.js'], { cwd: app, env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(cdkJson.context), CDK_OUTDIR: out }, stdio: 'pipe' });

  const template = (name: string) => JSON.parse(fs.readFileSync(path.join(out, `${name}.template.json`), 'utf8'));
  const [group] = Object.values(template('FailoverGroup').Resources as Record<string, { Type: string; Properties: { voiceConnectorItems: object[] } }>).filter(
    (r) => r.Type === 'Custom::VoiceConnectorGroup',
  );
  expect(group.Properties.voiceConnectorItems).toEqual([
    { voiceConnectorId: { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'ConnectorEast', Region: 'us-east-1' }) }, priority: 1 },
    { voiceConnectorId: { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'ConnectorWest', Region: 'us-east-1' }) }, priority: 2 },
  ]);
  for (const name of ['ConnectorEast', 'ConnectorWest']) {
    expect(Object.values(template(name).Resources as Record<string, { Type: string }>).map((r) => r.Type)).toEqual(['AWS::Chime::VoiceConnector']);
  }
});
