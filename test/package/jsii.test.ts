import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as lib from '../../lib';

/**
 * The jsii assembly (`.jsii`, written by `npm run build`) is what Python, Java, .NET and Go users
 * get: these tests check that it holds the whole documented API and that jsii-pacmak turns it into
 * sources for each of those languages. `npm test` builds before it runs.
 */
jest.setTimeout(180_000);

const repo = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
const assembly = JSON.parse(fs.readFileSync(path.join(repo, '.jsii'), 'utf8'));

interface Member {
  readonly name: string;
  readonly docs?: { readonly summary?: string };
}
interface Callable extends Member {
  readonly parameters?: Member[];
}
interface JsiiType extends Member {
  readonly fqn: string;
  readonly kind: 'class' | 'interface' | 'enum';
  readonly initializer?: Callable;
  readonly properties?: Member[];
  readonly methods?: Callable[];
  readonly members?: Member[];
}
const types = Object.values(assembly.types as Record<string, JsiiType>);

/** Plain constants cannot cross to other languages through jsii; the README gives their values. */
const TYPESCRIPT_ONLY = ['DEFAULT_QUOTAS', 'HANDLER_ACTIONS', 'LIMITS', 'PHONE_NUMBER_ACTIONS', 'RESOURCE_TYPE', 'STACK_READ_ACTIONS'];

it('holds every runtime export of the library except the TypeScript-only constants', () => {
  const inAssembly = types.map((t) => t.name);
  const missing = Object.keys(lib).filter((name) => !inAssembly.includes(name));

  expect(missing.sort()).toEqual(TYPESCRIPT_ONLY);
  expect(inAssembly).toEqual(expect.arrayContaining(['VoiceConnectorGroup', 'VoiceConnectorGroupProps', 'IVoiceConnectorGroup', 'ApiNamespace']));
});

it('documents every public type, property, method and enum member', () => {
  const undocumented = types.flatMap((t) => [
    ...(t.docs?.summary ? [] : [t.fqn]),
    ...[...(t.properties ?? []), ...(t.methods ?? []), ...(t.members ?? [])].filter((m) => !m.docs?.summary).map((m) => `${t.fqn}.${m.name}`),
  ]);

  expect(undocumented).toEqual([]);
});

it("documents every parameter of the library's own constructors and methods", () => {
  const undocumented = types.flatMap((t) =>
    [...(t.initializer ? [{ ...t.initializer, name: '<init>' }] : []), ...(t.methods ?? [])].flatMap((m) =>
      (m.parameters ?? []).filter((p) => !(p.docs as { summary?: string } | undefined)?.summary).map((p) => `${t.fqn}.${m.name}(${p.name})`),
    ),
  );
  expect(undocumented).toEqual([]);
});

it('gives every summary as a whole sentence, with no raw {@link} tags, which jsii-docgen and the other languages would show as they are', () => {
  const summaries = types.flatMap((t) => [t, ...(t.properties ?? []), ...(t.methods ?? []), ...(t.members ?? [])].map((m) => m.docs?.summary ?? ''));
  expect(summaries.filter((summary) => !/[.)]$/.test(summary))).toEqual([]);
  expect(JSON.stringify(assembly.types)).not.toContain('{@link');
  expect(fs.readFileSync(path.join(repo, 'API.md'), 'utf8')).not.toContain('{@link');
});

it('generates Python, Java, .NET and Go sources for every type (jsii-pacmak --code-only)', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pacmak-'));
  try {
    const languages = Object.keys(pkg.jsii.targets);
    expect(languages.sort()).toEqual(['dotnet', 'go', 'java', 'python']);
    execFileSync('npx', ['jsii-pacmak', '--code-only', '--force', '--targets', languages.join(','), '--outdir', out], { cwd: repo, stdio: 'pipe' });

    const files = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    const python = fs.readFileSync(path.join(out, 'python/src', pkg.jsii.targets.python.module, '__init__.py'), 'utf8');
    const sources = (language: string, ext: string) => files(path.join(out, language)).filter((f) => f.endsWith(ext)).map((f) => path.basename(f, ext));
    const java = sources('java', '.java');
    const dotnet = sources('dotnet', '.cs');
    const go = sources('go', '.go');

    for (const t of types) {
      expect(python).toMatch(new RegExp(`^class ${t.name}\\b`, 'm'));
      expect(java).toContain(t.name);
      expect(dotnet).toContain(t.name);
      expect(go).toContain(t.name);
    }

    // An item's connector reaches every language as the typed L1, not as an untyped object (a union would).
    const source = (language: string, name: string) => fs.readFileSync(files(path.join(out, language)).find((f) => path.basename(f) === name)!, 'utf8');
    expect(python).toContain('voice_connector: typing.Optional[_aws_cdk_aws_chime_ceddda9d.CfnVoiceConnector] = None,');
    expect(python).toContain('voice_connector_id: typing.Optional[builtins.str] = None,');
    expect(source('java', 'VoiceConnectorItem.java')).toContain('software.amazon.awscdk.services.chime.CfnVoiceConnector getVoiceConnector()');
    expect(source('dotnet', 'IVoiceConnectorItem.cs')).toContain('Amazon.CDK.AWS.Chime.CfnVoiceConnector? VoiceConnector');
    expect(source('go', 'VoiceConnectorItem.go')).toMatch(/VoiceConnector awschime\.CfnVoiceConnector `field:"optional"/);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
