import * as fs from 'fs';
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
