import {
  CloudFormationClient,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  paginateListStackResources,
  StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { ApiNamespace, DRIFT_READ_ACTIONS } from '../lib/rules';
import type { GroupWire, OpenWire, WireGroup } from '../lambda/api';
import { open as openChime } from '../lambda/chime';
import { open as openSdkVoice } from '../lambda/chime-sdk-voice';
import { errorName } from '../lambda/errors';
import type { TemplateResource } from './declared';

/**
 * Every AWS call the command makes, each named by its IAM action in the errors it throws. The
 * clients take the SDK's standard configuration (profile, credentials, Region, and endpoints such as
 * `AWS_ENDPOINT_URL_CLOUDFORMATION` and `AWS_ENDPOINT_URL_CHIME_SDK_VOICE`), so the command runs
 * unchanged against the local endpoints.
 */

/** A failure the user can act on; the command prints its message and exits 2. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}

const DENIED = /AccessDenied|Unauthorized|Forbidden|UnrecognizedClient|InvalidClientTokenId|ExpiredToken|SignatureDoesNotMatch/;

/** The sentence for an SDK error of `action` (an IAM action such as `cloudformation:DescribeStacks`) on `what`. */
export function explain(action: string, what: string, err: unknown): CommandError {
  if (err instanceof CommandError) return err;
  const name = errorName(err);
  const message = (err as Error | undefined)?.message ?? String(err);
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new CommandError(
      `no AWS credentials found (${message}); set AWS_PROFILE or use --profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or sign in with aws sso login`,
    );
  }
  if (/Region is missing/i.test(message)) return new CommandError(`no Region for ${what}; give --region, or set AWS_REGION or a profile's region`);
  if (DENIED.test(name)) {
    return new CommandError(`access denied: ${action} on ${what} was refused (${name}: ${message}); the command needs ${DRIFT_READ_ACTIONS.join(', ')} (see the README, "Drift")`);
  }
  return new CommandError(`${action} on ${what} failed: ${name}: ${message}`);
}

async function calling<T>(action: string, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw explain(action, what, err);
  }
}

/** A deployed stack, as DescribeStacks describes it. */
export interface DeployedStack {
  readonly name: string;
  readonly region: string;
  readonly stackId: string;
  readonly status: string;
}

/** CloudFormation's reads, in one Region (undefined: the SDK's own Region). */
export class StackReader {
  private readonly client: CloudFormationClient;
  constructor(readonly region: string | undefined) {
    this.client = new CloudFormationClient({ region, maxAttempts: 5 });
  }

  /** The Region asked for, or else the one the SDK's configuration gives; undefined when there is none. */
  async resolvedRegion(): Promise<string | undefined> {
    return this.region ?? (await this.client.config.region().catch(() => undefined));
  }

  async stack(name: string): Promise<DeployedStack> {
    const region = await this.resolvedRegion();
    const where = `stack ${name}${region ? ` in ${region}` : ''}`;
    try {
      const answer = await this.client.send(new DescribeStacksCommand({ StackName: name }));
      const stack = answer.Stacks?.[0];
      if (!stack?.StackId) throw Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });
      return { name, region: stack.StackId.split(':')[3] ?? region ?? '', stackId: stack.StackId, status: stack.StackStatus ?? 'UNKNOWN' };
    } catch (err) {
      if (errorName(err) === 'ValidationError' && /does not exist/i.test(String((err as Error).message))) {
        throw new CommandError(`${where} not found: it is not deployed there; check its name, or give its Region with --region`);
      }
      throw explain('cloudformation:DescribeStacks', where, err);
    }
  }

  /** Every resource of the stack, all pages. */
  async resources(stack: DeployedStack): Promise<StackResourceSummary[]> {
    return calling('cloudformation:ListStackResources', `stack ${stack.name}`, async () => {
      const all: StackResourceSummary[] = [];
      for await (const page of paginateListStackResources({ client: this.client }, { StackName: stack.stackId })) all.push(...(page.StackResourceSummaries ?? []));
      return all;
    });
  }

  async template(stack: DeployedStack): Promise<{ Resources?: Record<string, TemplateResource> }> {
    const body = await calling('cloudformation:GetTemplate', `stack ${stack.name}`, async () => (await this.client.send(new GetTemplateCommand({ StackName: stack.stackId }))).TemplateBody);
    try {
      return JSON.parse(body ?? '{}');
    } catch {
      throw new CommandError(`the template of stack ${stack.name} is not JSON; only templates synthesised by the CDK (JSON) are read`);
    }
  }

  /** The resource's Metadata, with its intrinsic functions as CloudFormation resolved them (a JSON string). */
  async metadata(stack: DeployedStack, logicalId: string): Promise<string | undefined> {
    return calling('cloudformation:DescribeStackResource', `resource ${logicalId} of stack ${stack.name}`, async () =>
      (await this.client.send(new DescribeStackResourceCommand({ StackName: stack.stackId, LogicalResourceId: logicalId }))).StackResourceDetail?.Metadata,
    );
  }
}

const OPEN: Record<ApiNamespace, OpenWire> = { [ApiNamespace.CHIME_SDK_VOICE]: openSdkVoice, [ApiNamespace.CHIME]: openChime };

/** A namespace's API in a Region, on the handler's own clients and operations. */
export const chimeApi = (namespace: ApiNamespace, region: string, signal: AbortSignal): GroupWire => OPEN[namespace](region, signal);

/** The group and (when asked) its numbers; undefined when the group no longer exists. Failures are named by their IAM action. */
export async function readGroup(api: GroupWire, id: string, what: string, withNumbers: boolean): Promise<{ group: WireGroup; numbers: string[] } | undefined> {
  let group: WireGroup;
  try {
    group = await api.get(id);
  } catch (err) {
    if (errorName(err) === 'NotFoundException') return undefined;
    throw explain('chime:GetVoiceConnectorGroup', what, err);
  }
  const numbers = withNumbers ? await calling('chime:ListPhoneNumbers', what, () => api.phoneNumbers(id)) : [];
  return { group, numbers };
}
