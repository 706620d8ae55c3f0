import * as fs from 'fs';
import * as path from 'path';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS, NOTICES_FILE, notices } from '../lambda/bundle';

/**
 * Builds the package's command into dist/cli/ (`npm run bundle:cli`): `index.js`, the command with
 * the AWS SDK clients it uses, so the package keeps no runtime dependencies, and the licenses of
 * everything bundled beside it, as the handler asset has. Runs at build time only.
 */
const ROOT = path.resolve(__dirname, '..');
export const CLI_OUT_DIR = path.join(ROOT, 'dist/cli');

async function main(): Promise<void> {
  fs.rmSync(CLI_OUT_DIR, { recursive: true, force: true });
  const { metafile } = await build({
    ...BUNDLE_OPTIONS,
    // The command runs on the user's Node.js, which the package's engines allow from 20 on.
    target: 'node20',
    absWorkingDir: ROOT,
    entryPoints: ['cli/index.ts'],
    outfile: path.join(CLI_OUT_DIR, 'index.js'),
    banner: { js: '#!/usr/bin/env node' },
    metafile: true,
    logLevel: 'info',
  });
  fs.chmodSync(path.join(CLI_OUT_DIR, 'index.js'), 0o755);
  fs.writeFileSync(path.join(CLI_OUT_DIR, NOTICES_FILE), notices('dist/cli', metafile));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
