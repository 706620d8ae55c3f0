import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { VoiceConnectorGroup, VoiceConnectorGroupProps } from '../../lib';
import { DeployResult, DriverOptions, LocalCloudFormation } from '../../local/driver';
import { ChimeEndpoint, EndpointOptions } from '../../local/endpoint';

export const STACK = 'E2eStack';

export interface Local {
  readonly endpoint: ChimeEndpoint;
  readonly cfn: LocalCloudFormation;
  /** Synthesises a one-stack app (in us-east-1) and returns its cloud assembly directory. */
  synth(define: (stack: Stack) => void): string;
  stop(): Promise<void>;
}

/** Lambda's retries come minutes apart; here they are simulated a fraction of a second apart. */
const SHORT_RETRIES = [100, 200];

/**
 * The read-after-create lag of every end-to-end endpoint (this harness's and test/e2e/model.test.ts's):
 * a group the handler makes is invisible to the API (NotFound, left out of lists) for this long, as
 * Amazon Chime's reads right after a create can be (hashicorp/terraform-provider-aws#34218; Terraform
 * retries the read for a minute). 1,500 ms because it is:
 * - far longer than the milliseconds between a handler's Create and its next call on the group in
 *   the same invocation, even on a loaded machine, so every such call meets the lag;
 * - longer than the simulated Lambda retries (SHORT_RETRIES, 100 and 200 ms, and the model test's
 *   50 and 100 ms), so a redelivery cannot outlast it by chance and hide a missing retry;
 * - short enough that a handler's bounded retry of NotFound can outlast it within a test's time,
 *   far inside the driver's response timeout (60 s here, 30 s in the model test).
 * One place to tune it.
 */
export const READ_AFTER_CREATE_LAG_MS = 1_500;

/** Starts an endpoint (with the read-after-create lag, unless `options` sets another) and a local CloudFormation. */
export async function startLocal(options: EndpointOptions = {}, driver: Omit<DriverOptions, 'endpoint'> = {}): Promise<Local> {
  const endpoint = await ChimeEndpoint.start({ readAfterCreateLagMs: READ_AFTER_CREATE_LAG_MS, ...options });
  // The handler takes NotFound for a group of its own as final only after a minute (the read lag), so
  // answers may take that long; the construct's ServiceTimeout is 300 s, so this is still stricter.
  const cfn = await LocalCloudFormation.start({ endpoint, responseTimeoutMs: 150_000, retryDelaysMs: SHORT_RETRIES, ...driver });
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

/** What a test sees of its own endpoint and driver. */
export interface LocalTest extends Omit<Local, 'stop'> {
  /** Synthesises a stack with one VoiceConnectorGroup (ID 'Group') and deploys it. */
  deployGroup(props: VoiceConnectorGroupProps): Promise<DeployResult>;
}

/**
 * Gives every test of the file a fresh endpoint and driver; after each test, every response must
 * have kept the custom resource contract.
 */
export function localPerTest(driver: Omit<DriverOptions, 'endpoint'> = {}): LocalTest {
  let current: Local | undefined;
  beforeEach(async () => {
    current = await startLocal({}, driver);
  });
  afterEach(async () => {
    await current!.cfn.settled();
    expect(current!.cfn.violations).toEqual([]);
    expect(current!.cfn.unanswered()).toEqual([]);
    await current!.stop();
  });
  const now = (): Local => {
    if (!current) throw new Error('the local endpoint runs only inside a test');
    return current;
  };
  return {
    get endpoint() {
      return now().endpoint;
    },
    get cfn() {
      return now().cfn;
    },
    synth: (define) => now().synth(define),
    deployGroup: (props) => now().cfn.deploy(now().synth((s) => new VoiceConnectorGroup(s, 'Group', props)), STACK),
  };
}
