/** Leaves room in CloudFormation's 4096-byte response for the IDs and data around the reason. */
export const MAX_REASON_LENGTH = 2_000;

/**
 * A failure the user can act on. CDK's provider entrypoint reports `error.stack` to CloudFormation
 * as the reason, so the stack is set to the message alone: the console shows the sentence that
 * says what went wrong and how to fix it, not frames of minified bundle code.
 */
export class GroupError extends Error {
  /** The whole message, for the function's log when `message` had to be shortened. */
  readonly fullMessage: string;

  constructor(message: string, options?: { cause?: unknown }) {
    // CloudFormation rejects a response over 4 KB, which would leave it waiting: keep the reason short.
    const short = message.length > MAX_REASON_LENGTH ? `${message.slice(0, MAX_REASON_LENGTH)}… (${message.length - MAX_REASON_LENGTH} more characters in the function's log)` : message;
    super(short, options);
    this.name = 'GroupError';
    this.stack = short;
    this.fullMessage = message;
  }
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

/** Turns an SDK error into a sentence naming the operation, the API's own words and what to do. */
export function describeApiError(operation: string, groupLabel: string, err: unknown): GroupError {
  if (err instanceof GroupError) return err;
  const e = (err ?? {}) as ApiError;
  const name = errorName(err);
  const attempts = e.$metadata?.attempts;
  const hint = HINTS[name] ?? 'see the API message above';
  return new GroupError(
    `${operation} for ${groupLabel} failed${attempts && attempts > 1 ? ` after ${attempts} attempts` : ''}: ${name}: ${e.message ?? String(err)} (${hint})`,
    { cause: err },
  );
}
