import * as fs from 'fs';
import * as path from 'path';
import { build, BuildOptions, Metafile } from 'esbuild';

/**
 * Builds the handler asset into dist/handler/ (`npm run bundle`): `index.js`, the handler without
 * any SDK client, and one file per API namespace with that namespace's client, which index.js
 * requires only when an event needs it; with the licenses of everything bundled beside them.
 * Not part of the handler: it runs at build time only.
 */
const ROOT = path.resolve(__dirname, '..');
export const HANDLER_OUT_DIR = path.join(ROOT, 'dist/handler');
/** Output file (without `.js`) to source. The namespace files are the ones lambda/index.ts requires. */
export const HANDLER_ENTRIES = { index: 'lambda/index.ts', 'chime-sdk-voice': 'lambda/chime-sdk-voice.ts', chime: 'lambda/chime.ts', cloudformation: 'lambda/cloudformation.ts' } as const;
const NAMESPACE_FILES = Object.keys(HANDLER_ENTRIES).filter((name) => name !== 'index').map((name) => `./${name}`);
export const NOTICES_FILE = 'THIRD-PARTY-NOTICES.txt';

/** The Lambda runtime is nodejs22.x. Minified code drops license comments, so NOTICES_FILE carries the licenses. */
export const BUNDLE_OPTIONS: BuildOptions = { bundle: true, minify: true, platform: 'node', target: 'node22', format: 'cjs', legalComments: 'none' };

interface BundledPackage {
  readonly name: string;
  readonly version: string;
  readonly license: string;
  readonly text?: string;
}

function bundledPackages(metafile: Metafile): BundledPackage[] {
  const dirs = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) dirs.add(match[1]);
  }
  const found = new Map<string, BundledPackage>();
  for (const dir of dirs) {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8'));
    const file = fs.readdirSync(path.join(ROOT, dir)).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
    const text = file ? fs.readFileSync(path.join(ROOT, dir, file), 'utf8').trim() : undefined;
    // npm may install one release in several places: it is one package to the notice.
    found.set(`${manifest.name}@${manifest.version}`, { name: manifest.name, version: manifest.version, license: manifest.license ?? 'UNKNOWN', text });
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/**
 * The notice for one bundle: every third-party package in it, its version and license, then each
 * distinct license text once. A package that ships no license file is pointed at a text of the
 * same license from another package of the bundle.
 */
export function notices(bundle: string, metafile: Metafile): string {
  const same = (a: string, b: string) => a.replace(/\s+/g, ' ') === b.replace(/\s+/g, ' ');
  const packages = bundledPackages(metafile);
  const texts: { text: string; license: string; users: string[] }[] = [];
  const refs = packages.map((p) => {
    const text = p.text ?? packages.find((o) => o.license === p.license && o.text)?.text;
    if (!text) return 'no license text shipped';
    // Copies of one license differ only in layout: keep one.
    let entry = texts.find((t) => same(t.text, text));
    if (!entry) texts.push((entry = { text, license: p.license, users: [] }));
    entry.users.push(p.name);
    return `license text ${texts.indexOf(entry) + 1}`;
  });
  const lines = [
    `${bundle} bundles the following third-party packages. Their licenses follow.`,
    '',
    ...packages.map((p, i) => `${p.name} ${p.version}  ${p.license}  (${refs[i]})`),
  ];
  texts.forEach((t, i) => lines.push('', `==== License text ${i + 1} (${t.license}) ====`, t.text));
  return `${lines.join('\n')}\n`;
}

/** Builds the asset's files (into memory when `write` is false) and returns what went into them, per file. */
export async function bundleHandler(write = true): Promise<Record<string, Metafile>> {
  const built: Record<string, Metafile> = {};
  for (const [name, entry] of Object.entries(HANDLER_ENTRIES)) {
    const { metafile } = await build({
      ...BUNDLE_OPTIONS,
      absWorkingDir: ROOT,
      entryPoints: [entry],
      outfile: path.join(HANDLER_OUT_DIR, `${name}.js`),
      external: name === 'index' ? NAMESPACE_FILES : [],
      metafile: true,
      write,
      logLevel: write ? 'info' : 'error',
    });
    built[name] = metafile;
  }
  return built;
}

/** The notice for the whole asset: what any of its files bundles. */
export const assetNotices = (built: Record<string, Metafile>): string =>
  notices('dist/handler', { inputs: Object.assign({}, ...Object.values(built).map((m) => m.inputs)), outputs: {} });

async function main(): Promise<void> {
  fs.rmSync(HANDLER_OUT_DIR, { recursive: true, force: true });
  fs.writeFileSync(path.join(HANDLER_OUT_DIR, NOTICES_FILE), assetNotices(await bundleHandler()));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
