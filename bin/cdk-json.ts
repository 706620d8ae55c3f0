import * as fs from 'fs';
import * as path from 'path';
import { App, AppProps } from 'aws-cdk-lib';

/** The context of the project's cdk.json, as `npx cdk synth` gives it to the app. */
export function cdkJsonContext(): Record<string, unknown> {
  const { context } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return context;
}

/**
 * An App with the context of the project's cdk.json (and `extra` on top), as `npx cdk synth` gives
 * it: its feature flags change what the example app synthesises (cross-stack references, for one),
 * so tests and `npm run local` start from here rather than from `new App()`.
 */
export function appWithCdkJsonContext(props: Omit<AppProps, 'context'> = {}, extra: Record<string, unknown> = {}): App {
  return new App({ ...props, context: { ...cdkJsonContext(), ...extra } });
}
