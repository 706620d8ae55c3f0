/**
 * A failure the user can act on: the message is the sentence CloudFormation shows as the reason,
 * so it says what went wrong and how to fix it. A failed Create may name the group CloudFormation
 * should record (and so delete in its rollback) when the handler could not remove it itself.
 */
export class GroupError extends Error {
  readonly physicalResourceId?: string;
  constructor(message: string, options?: { cause?: unknown; physicalResourceId?: string }) {
    super(message, options);
    this.name = 'GroupError';
    this.stack = message;
    this.physicalResourceId = options?.physicalResourceId;
  }
}

export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '');

/**
 * The longest cut of `text`, between code points, that `fits`, with a note of how many characters
 * were left out; undefined when not even the note fits.
 */
export function shorten(text: string, fits: (candidate: string) => boolean, where: string): string | undefined {
  if (fits(text)) return text;
  const chars = Array.from(text);
  const cut = (keep: number) => `${chars.slice(0, keep).join('')}… (${chars.length - keep} more characters${where})`;
  let low = 0;
  let high = chars.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(cut(mid))) low = mid;
    else high = mid - 1;
  }
  return fits(cut(low)) ? cut(low) : undefined;
}

type ApiError = { name?: string; message?: string; $metadata?: { attempts?: number } };

const HINTS: Record<string, string> = {
  BadRequestException: 'the API rejected the request; check the voice connector IDs exist and the properties follow the API reference',
  NotFoundException: 'the group or a voice connector it names does not exist; check the voice connector IDs and Regions',
  ConflictException: 'another change to this group is in progress or its state forbids this; retry the deployment once it settles',
  ResourceLimitExceededException: 'the account has reached its quota of voice connector groups; delete unused groups or ask AWS Support for a higher quota',
  AccessDeniedException: 'the handler role lacks permission, or the account may not use this API namespace; the legacy Chime namespace refuses new accounts, so use ApiNamespace.CHIME_SDK_VOICE',
  ForbiddenException: 'the account is not allowed to use this API namespace; the legacy Chime namespace refuses new accounts, so use ApiNamespace.CHIME_SDK_VOICE',
  UnauthorizedClientException: 'the handler credentials were refused; check the handler role exists and is trusted by AWS Lambda',
  ThrottledClientException: 'the API kept throttling after every retry; deploy again when the account is less busy',
  ServiceFailureException: 'the service kept failing after every retry; deploy again later',
  ServiceUnavailableException: 'the service stayed unavailable after every retry; deploy again later',
  AbortError: 'no answer came before the handler deadline; check the API endpoint is reachable from the function',
  TimeoutError: 'the API did not answer in time; check the API endpoint is reachable from the function',
};

export const errorName = (err: unknown): string => (err as ApiError | undefined)?.name ?? 'Error';

/**
 * The API's own words get at most this many UTF-8 bytes of JSON in a reason, so that what the
 * handler adds (the hint, the group's state, what to do next) survives when the answer is cut to fit.
 */
const MAX_API_TEXT_BYTES = 800;

/** Cuts text to at most `maxBytes` bytes of JSON. */
const clip = (text: string, maxBytes: number): string => shorten(text, (t) => jsonBytes(t) - 2 <= maxBytes, '') ?? '';

/** Turns an SDK error into a sentence naming the operation, the API's own words and what to do. */
export function describeApiError(operation: string, groupLabel: string, err: unknown): GroupError {
  if (err instanceof GroupError) return err;
  const e = (err ?? {}) as ApiError;
  const name = clip(errorName(err), 100);
  const attempts = e.$metadata?.attempts;
  const hint = HINTS[name] ?? 'see the API message above';
  return new GroupError(
    `${operation} for ${groupLabel} failed${attempts && attempts > 1 ? ` after ${attempts} attempts` : ''}: ${name}: ${clip(e.message ?? String(err), MAX_API_TEXT_BYTES)} (${hint})`,
    { cause: err },
  );
}
