import { execFileSync } from 'child_process';
import * as path from 'path';

/** tools/node22 says where Node.js 22 comes from; it is plain JavaScript so that npm scripts can use it before anything is built. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { node22Bin } = require('../tools/node22') as { node22Bin: (install?: () => void) => string | undefined };

const ROOT = path.resolve(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * The Node.js 22 binary the local Lambda host runs on, the release line of Lambda's `nodejs22.x`
 * that the handler is deployed on, whatever Node.js runs the driver: this one when it is 22, else
 * the pinned Linux x64 release (installed from tools/node22's own lockfile on first use).
 */
export const NODE22 = ((bin) => (bin ? path.join(bin, 'node') : process.execPath))(
  node22Bin(() => execFileSync(npm, ['ci', '--prefix', path.join(ROOT, 'tools', 'node22'), '--no-audit', '--no-fund'], { stdio: 'inherit', cwd: ROOT })),
);

/** The version NODE22 reports, for example `v22.23.3`. */
export function node22Version(): string {
  return execFileSync(NODE22, ['--version'], { encoding: 'utf8' }).trim();
}
