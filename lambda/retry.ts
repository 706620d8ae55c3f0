import { errorName, GroupError } from './errors';

/** Errors worth trying again: the service or the network, not the request. */
const TRANSIENT = new Set(['ThrottledClientException', 'ServiceFailureException', 'ServiceUnavailableException', 'TimeoutError', 'AbortError', 'Throttling', 'ThrottlingException']);

/** The API name of an error, whether raw or already described in a sentence. */
export const apiErrorName = (err: unknown): string => errorName(err instanceof GroupError ? err.cause : err);

export const isTransient = (err: unknown): boolean => TRANSIENT.has(apiErrorName(err));

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** First wait between attempts; each later one may be twice as long, up to MAX_BACKOFF_MS. */
const BASE_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;

/**
 * How long to wait before attempt `attempt + 1`: "full jitter" (a random wait up to an exponentially
 * growing cap), so that many groups retrying at once do not retry in lockstep.
 */
export const backoff = (attempt: number, random: () => number = Math.random): number =>
  Math.floor(random() * Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** attempt));

/** Retries a call while `signal` allows, as long as its failures are `retryable`. */
export async function retrying<T>(call: () => Promise<T>, signal: AbortSignal, retryable: (err: unknown) => boolean = isTransient): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (signal.aborted || !retryable(err)) throw err;
      await sleep(backoff(attempt), signal);
    }
  }
}

/**
 * One delivery's read-lag window for one group: it starts at the first NotFound and is shared by
 * every later call, so a delivery waits out the lag once, not once per call; once the group has
 * been read, NotFound means it is gone.
 */
export class LagClock {
  private started?: number;
  private read = false;
  remaining(windowMs: number): number {
    this.started ??= Date.now();
    return this.read ? 0 : Math.max(0, this.started + windowMs - Date.now());
  }
  seen(): void {
    this.read = true;
  }
  wasSeen(): boolean {
    return this.read;
  }
}

/**
 * Reads right after a create can answer NotFound for a while (hashicorp/terraform-provider-aws#34218;
 * Terraform retries every Chime read for a minute after create). A group this resource made or
 * CloudFormation records for it is therefore taken as gone only after NotFound for this long.
 */
export const READ_LAG_WINDOW_MS = 60_000;

/**
 * Runs a call on a group that is this resource's, retrying NotFound (and transient errors) until
 * READ_LAG_WINDOW_MS has passed or `signal` fires; the last NotFound is then thrown.
 */
export async function pastReadLag<T>(
  call: () => Promise<T>,
  signal: AbortSignal,
  windowMs = READ_LAG_WINDOW_MS,
  stillWanted?: () => Promise<void>,
  lag?: LagClock,
  /** Whether an answer shows the group can be read (then NotFound means it is gone). */
  sighting = true,
): Promise<T> {
  const window = AbortSignal.any([signal, AbortSignal.timeout(lag ? lag.remaining(windowMs) : windowMs)]);
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await call();
      if (sighting) lag?.seen();
      return result;
    } catch (err) {
      const lagging = apiErrorName(err) === 'NotFoundException' && !lag?.wasSeen();
      if (window.aborted || !(lagging || isTransient(err))) throw err;
      // A wait this long may outlast the request: another delivery may have answered it meanwhile.
      if (lagging && stillWanted) await stillWanted();
      await sleep(backoff(attempt), window);
    }
  }
}
