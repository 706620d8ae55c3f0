import { jsonBytes, shorten } from './errors';
import { sleep } from './retry';

/** CloudFormation refuses a response body larger than this many UTF-8 bytes ("Response object is too long."). */
export const MAX_RESPONSE_BYTES = 4096;
/**
 * The physical ID of a Create that failed without a group for CloudFormation to record. It is the
 * marker CDK's provider framework used, so stacks deployed before keep the same one; it is not a
 * group ID, so the rollback Delete makes no call.
 */
export const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

/** The fields of an event the response echoes. */
export interface Echoed {
  readonly RequestType?: unknown;
  readonly StackId?: unknown;
  readonly RequestId?: unknown;
  readonly LogicalResourceId?: unknown;
  readonly PhysicalResourceId?: unknown;
}

/** What the handler decided for one event. */
export interface Answer {
  readonly status: 'SUCCESS' | 'FAILED';
  /** Required with SUCCESS; with FAILED, the event's own ID or the marker when left out. */
  readonly physicalResourceId?: string;
  readonly reason?: string;
  readonly data?: Record<string, string>;
}

const physicalIdOf = (event: Echoed, answer: Answer): string =>
  answer.physicalResourceId || (typeof event.PhysicalResourceId === 'string' && event.PhysicalResourceId) || CREATE_FAILED_MARKER;

const body = (event: Echoed, answer: Answer, reason: string | undefined) => ({
  Status: answer.status,
  ...(reason !== undefined ? { Reason: reason } : {}),
  PhysicalResourceId: physicalIdOf(event, answer),
  StackId: event.StackId,
  RequestId: event.RequestId,
  LogicalResourceId: event.LogicalResourceId,
  ...(answer.data ? { Data: answer.data } : {}),
});

/**
 * Shortens a reason so that the whole response body, with the event's IDs and JSON escapes, fits
 * CloudFormation's 4,096 bytes: a larger one is refused and the user would never see why.
 */
export const fitReason = (event: Echoed, reason: string, answer: Answer = { status: 'FAILED' }): string =>
  shorten(reason, (r) => jsonBytes(body(event, answer, r)) <= MAX_RESPONSE_BYTES, " in the function's log") ?? "The reason is in the function's log";

/** The response body CloudFormation reads: at most MAX_RESPONSE_BYTES, the reason cut to fit. */
export function responseBody(event: Echoed, answer: Answer): string {
  const reason = answer.reason === undefined ? undefined : fitReason(event, answer.reason, answer);
  return JSON.stringify(body(event, answer, reason));
}

/** Sends a body to the presigned URL; resolves once the URL accepted it (HTTP 2xx). */
export type Put = (url: string, body: string) => Promise<void>;

/** Waits between attempts to deliver the response: about 30 s in all, as CDK's provider framework allows. */
const RESPONSE_RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 15_000];

/** Delivers the response, trying again while the URL fails (S3 can refuse a PUT for a moment). */
export async function sendResponse(put: Put, url: string, text: string, delays: readonly number[] = RESPONSE_RETRY_DELAYS_MS): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await put(url, text);
    } catch (err) {
      if (attempt >= delays.length) throw err;
      await sleep(delays[attempt]);
    }
  }
}
