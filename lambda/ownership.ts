import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { WireGroup, WireGroupInput } from './api';
import { wireItems } from './api';
import { apiErrorName } from './retry';

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
export const FALLBACK_WINDOW_MS = 5 * 60_000;

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
export const createdAt = (g: WireGroup): number => (g.CreatedTimestamp instanceof Date ? g.CreatedTimestamp.getTime() : Number.NaN);
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
export type RequestState = { readonly kind: 'waiting' | 'unknown' } | { readonly kind: 'answered'; readonly why: string };

const IN_PROGRESS = { Create: 'CREATE_IN_PROGRESS', Update: 'UPDATE_IN_PROGRESS', Delete: 'DELETE_IN_PROGRESS' } as const;

/**
 * Tells a delivery that arrives after its request was answered (Lambda delivers at least once, and
 * retries an invocation that errored, with the same event) from one CloudFormation still waits for.
 * The resource's status moves to `*_IN_PROGRESS` when CloudFormation sends the request and on when
 * it takes the answer; a later request to the same resource (a rollback) moves it again, at a later
 * time than this request's issue. Undecidable cases (the call fails, or a cleanup Delete of a
 * replaced physical ID, which the resource record no longer shows) are `unknown`: the delivery then
 * goes on, and the ledger still undoes nothing it did not do.
 */
export async function requestState(describe: DescribeResource | undefined, event: CloudFormationCustomResourceEvent, issued: number | undefined, signal: AbortSignal): Promise<RequestState> {
  if (!describe || typeof event.StackId !== 'string' || typeof event.LogicalResourceId !== 'string') return { kind: 'unknown' };
  let recorded: RecordedResource;
  try {
    recorded = await describe(event.StackId, event.LogicalResourceId, signal);
  } catch (err) {
    const gone = apiErrorName(err) === 'ValidationError' && /does not exist/i.test(String((err as Error).message));
    return gone ? { kind: 'answered', why: `the stack no longer has resource ${event.LogicalResourceId}` } : { kind: 'unknown' };
  }
  // A Delete may remove a replaced physical ID (cleanup, or the new side in a rollback) while the
  // record shows another status: only a record that says the resource is deleted is an answer.
  if (event.RequestType === 'Delete') {
    return recorded.status === 'DELETE_COMPLETE' ? { kind: 'answered', why: `CloudFormation records resource ${event.LogicalResourceId} as DELETE_COMPLETE` } : { kind: 'unknown' };
  }
  const eventId = 'PhysicalResourceId' in event ? event.PhysicalResourceId : undefined;
  // A Delete of a replaced physical ID (cleanup) and anything after it: the record shows the new one.
  if (eventId !== undefined && recorded.physicalId !== undefined && recorded.physicalId !== eventId) return { kind: 'unknown' };
  const waiting = recorded.status === IN_PROGRESS[event.RequestType];
  const later = issued !== undefined && recorded.lastUpdated instanceof Date && recorded.lastUpdated.getTime() > issued + ISSUE_CLOCK_ALLOWANCE_MS;
  if (waiting && !later) return { kind: 'waiting' };
  if (recorded.status === undefined) return { kind: 'unknown' };
  return { kind: 'answered', why: `CloudFormation records resource ${event.LogicalResourceId} as ${recorded.status}${later ? ' since after this request was issued' : ''}` };
}
