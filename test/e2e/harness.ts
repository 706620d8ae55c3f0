import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { LocalCloudFormation } from '../../local/driver';
import { ChimeEndpoint, EndpointOptions } from '../../local/endpoint';

export const STACK = 'E2eStack';

export interface Local {
  readonly endpoint: ChimeEndpoint;
  readonly cfn: LocalCloudFormation;
  /** Synthesises a one-stack app (in us-east-1) and returns its cloud assembly directory. */
  synth(define: (stack: Stack) => void): string;
  stop(): Promise<void>;
}

export async function startLocal(options: EndpointOptions = {}): Promise<Local> {
  const endpoint = await ChimeEndpoint.start(options);
  const cfn = await LocalCloudFormation.start({ endpoint, responseTimeoutMs: 60_000 });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-'));
  let n = 0;
  return {
    endpoint,
    cfn,
    synth(define) {
      const outdir = path.join(root, `v${++n}`);
      const app = new App({ outdir });
      define(new Stack(app, STACK, { env: { region: 'us-east-1' } }));
      app.synth();
      return outdir;
    },
    async stop() {
      await cfn.stop();
      await endpoint.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
