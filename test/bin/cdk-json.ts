import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';

/**
 * An App with the context of the project's cdk.json, as `npx cdk synth` gives it: its feature
 * flags change what the example app synthesises (cross-stack references, for one), so tests of
 * the example app start from here rather than from `new App()`.
 */
export function appWithCdkJsonContext(): App {
  const { context } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return new App({ context });
}
