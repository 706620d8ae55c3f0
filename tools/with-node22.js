'use strict';
/**
 * Runs an npm script on Node.js 22 (`node tools/with-node22.js <script>`): as it is when the
 * running Node.js is 22, else with the pinned Linux x64 release first on PATH, installed from its
 * own lockfile on first use. See tools/node22/index.js.
 */
const { execFileSync, spawnSync } = require('child_process');
const path = require('path');
const { node22Bin } = require('./node22');

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const root = path.resolve(__dirname, '..');
let bin;
try {
  bin = node22Bin(() => execFileSync(npm, ['ci', '--prefix', path.join(__dirname, 'node22'), '--no-audit', '--no-fund'], { stdio: 'inherit', cwd: root }));
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
const env = bin ? { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` } : process.env;
// The script's own arguments follow `--`, or npm would take them for its own options.
const [script, ...args] = process.argv.slice(2).filter((arg, i) => !(i === 1 && arg === '--'));
const result = spawnSync(npm, ['run', script, ...(args.length > 0 ? ['--', ...args] : [])], { stdio: 'inherit', env, cwd: root, shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
