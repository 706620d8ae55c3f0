import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { WireGroup, WireGroupInput } from './api';
import { wireItems } from './api';
import { apiErrorName, backoff, isTransient, retrying, sleep } from './retry';

/**
 * The ownership rule: the handler changes or deletes a group, or a number's association, only if
 * this delivery made it, CloudFormation records it for this resource (the event's physical ID), or
 * it was made after CloudFormation issued this very request (an earlier delivery of the same event).
 * A group that merely looks like ours (same name and connectors) is never enough.
 */

/**
 * Allowed between the moment in `X-Amz-Date` (CloudFormation's clock, cut to whole seconds) and a
 * group's `CreatedTimestamp` (the Chime service's clock, possibly whole seconds too): a group made
 * by a delivery of this request is never dated more than this before the request's issue time.
 */
export const ISSUE_CLOCK_ALLOWANCE_MS = 2_000;

/**
 * Without `X-Amz-Date` (a SigV2 URL, or one CDK's entrypoint replaced), a group counts as this
 * request's only if it was made this long before the delivery started: long enough for a concurrent
 * duplicate or Lambda's first retry (about a minute after a failure, source: AWS Lambda guide,
 * "Asynchronous invocation"), too short for the group a replacement replaces, made a deploy earlier.
 */
const FALLBACK_WINDOW_MS = 5 * 60_000;

/**
 * When CloudFormation issued the request: the `X-Amz-Date` of its presigned response URL, the same
 * in every delivery of one request (CLOUDFORMATION.md, "the ResponseURL"). Undefined when absent.
 */
export function issuedAt(responseUrl: unknown): number | undefined {
  if (typeof responseUrl !== 'string') return undefined;
  let stamp: string | null;
  try {
    stamp = new URL(responseUrl).searchParams.get('X-Amz-Date');
  } catch {
    return undefined;
  }
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp ?? '');
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const at = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isFinite(at) ? at : undefined;
}

/** The earliest creation time of a group this request's deliveries can have made. */
export const requestEpoch = (issued: number | undefined, deliveryStarted: number): number =>
  issued !== undefined ? issued - ISSUE_CLOCK_ALLOWANCE_MS : deliveryStarted - FALLBACK_WINDOW_MS;

const itemsKey = (items: WireGroupInput['VoiceConnectorItems']) => JSON.stringify(items.map((i) => `${i.VoiceConnectorId}:${i.Priority}`).sort());
/** A group whose answer carries no timestamp cannot be dated, so it is never taken as this request's. */
const createdAt = (g: WireGroup): number => (g.CreatedTimestamp instanceof Date ? g.CreatedTimestamp.getTime() : Number.NaN);
/** Oldest first, then by ID: every delivery of a request picks the same group from the same list. */
export const byAge = (a: WireGroup, b: WireGroup): number => createdAt(a) - createdAt(b) || String(a.VoiceConnectorGroupId).localeCompare(String(b.VoiceConnectorGroupId));

/** The groups a delivery of this request may have made: this name and these items, made since `epoch`. */
export function groupsOfRequest(groups: readonly WireGroup[], input: WireGroupInput, epoch: number): WireGroup[] {
  const key = itemsKey(input.VoiceConnectorItems);
  return groups
    .filter((g) => !!g.VoiceConnectorGroupId && g.Name === input.Name && itemsKey(wireItems(g)) === key && createdAt(g) >= epoch)
    .sort(byAge);
}

/** What CloudFormation records for a resource: `DescribeStackResource`'s StackResourceDetail. */
export interface RecordedResource {
  readonly status?: string;
  readonly physicalId?: string;
  readonly lastUpdated?: Date;
}

/** Looks a resource up in its stack; throws the SDK's error (ValidationError when stack or resource is gone). */
export type DescribeResource = (stackId: string, logicalId: string, signal: AbortSignal) => Promise<RecordedResource>;

/** Whether CloudFormation still waits for an answer to this request. */
export type RequestState =
  | { readonly kind: 'waiting' }
  /** `refused`: the look-up was denied, as it is once the stack's role is deleted with the stack. */
  | { readonly kind: 'unknown'; readonly refused?: boolean; readonly read?: boolean }
  | { readonly kind: 'answered'; readonly why: string };

const IN_PROGRESS = { Create: 'CREATE_IN_PROGRESS', Update: 'UPDATE_IN_PROGRESS', Delete: 'DELETE_IN_PROGRESS' } as const;

/** A refused look-up: the function's role may no longer read the stack, or no longer exists, as once the stack and its role are deleted. */
const REFUSED = /AccessDenied|Unauthorized|Forbidden|InvalidClientTokenId|ExpiredToken|UnrecognizedClient/i;

/** How long the handler keeps asking CloudFormation when the look-up is throttled or fails. */
const DESCRIBE_PATIENCE_MS = 10_000;

/** The event's resource as CloudFormation records it, asked again while throttled, for DESCRIBE_PATIENCE_MS at most. */
const lookUp = (describe: DescribeResource, event: CloudFormationCustomResourceEvent, signal: AbortSignal): Promise<RecordedResource> =>
  retrying(() => describe(event.StackId, event.LogicalResourceId, signal), AbortSignal.any([signal, AbortSignal.timeout(DESCRIBE_PATIENCE_MS)]));

/** Whether the record moved after `at` (beyond the clocks' allowance): a later request's doing, such as a rollback. */
const updatedAfter = (recorded: RecordedResource, at: number | undefined): boolean =>
  at !== undefined && recorded.lastUpdated instanceof Date && recorded.lastUpdated.getTime() > at + ISSUE_CLOCK_ALLOWANCE_MS;

/**
 * Tells a delivery that arrives after its request was answered (Lambda delivers at least once, and
 * retries an invocation that errored, with the same event) from one CloudFormation still waits for.
 * - CloudFormation stops waiting after the resource's ServiceTimeout (`AWS::CloudFormation::CustomResource`
 *   reference): a delivery that starts later than that after the issue time is too late, whatever
 *   else is known.
 * - The resource's status moves to `*_IN_PROGRESS` when CloudFormation sends the request and on when
 *   it takes the answer; a later request to the same resource (a rollback) moves it again, at a later
 *   time than this request's issue. An Update is waited for only while the record still shows the
 *   event's physical ID: CloudFormation sends an Update the physical ID it records.
 * - A Delete may remove a replaced physical ID (cleanup, or the new side in a rollback) while the
 *   record shows another resource state: only a record that says the resource is deleted answers it.
 * Undecidable cases (the look-up keeps failing or is refused) are `unknown`: the delivery then goes
 * on, and the ledger still undoes nothing it did not do.
 */
export async function requestState(
  describe: DescribeResource | undefined,
  event: CloudFormationCustomResourceEvent,
  issued: number | undefined,
  signal: AbortSignal,
  /**
   * A moment after CloudFormation sent the request: a record in progress since later is a later
   * request's (a rollback). The issue time; without it, when this delivery started.
   */
  since: number | undefined = issued,
): Promise<RequestState> {
  const timeout = Number((event.ResourceProperties as Record<string, unknown> | undefined)?.ServiceTimeout);
  if (issued !== undefined && Number.isFinite(timeout) && timeout > 0 && Date.now() > issued + timeout * 1000 + ISSUE_CLOCK_ALLOWANCE_MS) {
    return { kind: 'answered', why: `CloudFormation stopped waiting ${timeout} s (the resource's ServiceTimeout) after it issued the request` };
  }
  if (!describe) return { kind: 'unknown' };
  let recorded: RecordedResource;
  try {
    recorded = await lookUp(describe, event, signal);
  } catch (err) {
    const gone = apiErrorName(err) === 'ValidationError' && /does not exist/i.test(String((err as Error).message));
    if (gone) return { kind: 'answered', why: `the stack no longer has resource ${event.LogicalResourceId}` };
    return { kind: 'unknown', refused: REFUSED.test(apiErrorName(err)) };
  }
  const as = (why: string): RequestState => ({ kind: 'answered', why: `CloudFormation records resource ${event.LogicalResourceId} as ${why}` });
  if (event.RequestType === 'Delete') return recorded.status === 'DELETE_COMPLETE' ? as('DELETE_COMPLETE') : { kind: 'unknown', read: true };
  if (recorded.status === undefined) return { kind: 'unknown', read: true };
  if (event.RequestType === 'Update' && recorded.physicalId !== undefined && recorded.physicalId !== event.PhysicalResourceId) {
    return as(`${recorded.status} with physical ID ${recorded.physicalId}, not this request's ${event.PhysicalResourceId}`);
  }
  const later = updatedAfter(recorded, since);
  if (recorded.status === IN_PROGRESS[event.RequestType] && !later) return { kind: 'waiting' };
  return as(`${recorded.status}${later ? ' since after this request was issued' : ''}`);
}

/**
 * Whether CloudFormation records this request as done with group `id`: the resource completed
 * (`CREATE_COMPLETE` or `UPDATE_COMPLETE`, for the event's type) with that physical ID since the
 * request was issued. Then another delivery of the request finished it. False when that cannot be read.
 */
export async function completedWith(describe: DescribeResource, event: CloudFormationCustomResourceEvent, issued: number | undefined, id: string, signal: AbortSignal): Promise<boolean> {
  if (event.RequestType === 'Delete') return false;
  try {
    const recorded = await lookUp(describe, event, signal);
    const since = issued === undefined || (recorded.lastUpdated instanceof Date && recorded.lastUpdated.getTime() >= issued - ISSUE_CLOCK_ALLOWANCE_MS);
    return recorded.status === `${event.RequestType.toUpperCase()}_COMPLETE` && recorded.physicalId === id && since;
  } catch {
    return false;
  }
}

/**
 * After this delivery answered: whether CloudFormation recorded another answer for the request
 * (another delivery's, or none: the resource is gone). Waits while the record still shows the
 * request in progress, for at most `patienceMs`; undefined when that ran out or the look-up failed.
 */
export async function recordedAnswer(
  describe: DescribeResource,
  event: CloudFormationCustomResourceEvent,
  issued: number | undefined,
  signal: AbortSignal,
  patienceMs: number,
  /** Whether the delivery could read the record when it started: losing that right then means the stack went. */
  readableBefore = false,
): Promise<{ readonly physicalId?: string; readonly status: string } | undefined> {
  const until = AbortSignal.any([signal, AbortSignal.timeout(patienceMs)]);
  for (let attempt = 0; !until.aborted; attempt++) {
    let recorded: RecordedResource;
    try {
      recorded = await describe(event.StackId, event.LogicalResourceId, signal);
    } catch (err) {
      if (apiErrorName(err) === 'ValidationError' && /does not exist/i.test(String((err as Error).message))) return { status: 'GONE' };
      if (readableBefore && REFUSED.test(apiErrorName(err))) return { status: 'GONE' };
      if (!isTransient(err)) return undefined;
      recorded = {};
    }
    // Still this request in progress: CloudFormation has not taken an answer yet. Any other state,
    // a later request's (a rollback) included, says what it recorded instead.
    const later = updatedAfter(recorded, issued);
    if (recorded.status && (recorded.status !== IN_PROGRESS[event.RequestType] || later)) return { physicalId: recorded.physicalId, status: recorded.status };
    await sleep(backoff(attempt + 2), until);
  }
  return undefined;
}
