import { GroupError } from './errors';
import { isTransient, retrying } from './retry';

/** One change this delivery made (or may have made, when the call's answer was lost). */
export interface Change {
  /** What was done, as a reason says it: "created group g-1"; empty when it turned out to do nothing. */
  readonly what: string;
  /**
   * Reverses the change. When the call's answer was lost it must first read live state to find
   * whether the change took effect, and reverse only what did. Safe to run more than once. It may
   * return what it found and did, when that differs from `what` (a reason then says that instead).
   */
  readonly undo: (answered: boolean) => Promise<string | void>;
  /**
   * The call is one API request with no retries of its own beyond the SDK's, so a refusal on its
   * only attempt proves it changed nothing and strikes it off the ledger.
   */
  readonly singleRequest?: boolean;
}

/** What undoing the ledger did, in order, for a reason that says exactly that. */
export interface UndoReport {
  readonly undone: string[];
  /** The first change that could not be undone, and why; nothing older was tried after it. */
  readonly failed?: { readonly what: string; readonly error: unknown };
  /** Changes older than the failed one, left as they are. */
  readonly kept: string[];
  /**
   * Set when nothing was undone because CloudFormation records this request as done with this group
   * (another delivery of it finished): the changes, the same the finished delivery made, are `kept`.
   */
  readonly recorded?: string;
}

/**
 * A refusal by the API (HTTP 4xx) on the only attempt means the call changed nothing. Anything else
 * leaves it open whether it took effect: a dropped connection, a timeout, a 5xx, or a refusal after
 * the SDK retried an attempt whose answer was lost.
 */
function rejected(err: unknown): boolean {
  const raw = err instanceof GroupError ? err.cause : err;
  const meta = (raw as { $metadata?: { httpStatusCode?: number; attempts?: number } } | undefined)?.$metadata;
  const status = meta?.httpStatusCode;
  return typeof status === 'number' && status >= 400 && status < 500 && (meta?.attempts ?? 1) <= 1;
}

/**
 * Everything one delivery changed, newest last. Every mutating call is recorded with its inverse
 * before it is sent; a failure undoes exactly this, newest first, and nothing else. The ledger
 * lives in one invocation: a retried invocation starts empty and converges from live state.
 */
export class Ledger {
  private readonly entries: { change: Change; answered: boolean }[] = [];

  /** `beforeChange` runs before every change is recorded: it throws when the change must not be made. */
  constructor(private readonly beforeChange: () => Promise<void> = async () => undefined) {}

  /** Records `change`, then makes the call; a call the API refused is struck off again. */
  async apply<T>(change: Change, call: () => Promise<T>): Promise<T> {
    await this.beforeChange();
    const entry = { change, answered: false };
    this.entries.push(entry);
    try {
      const result = await call();
      entry.answered = true;
      return result;
    } catch (err) {
      if (change.singleRequest && rejected(err)) this.entries.splice(this.entries.indexOf(entry), 1);
      throw err;
    }
  }

  /** Drops every entry, when nothing is to be put back (the group is gone, or recorded as done); returns what they changed. */
  forget(): string[] {
    return this.entries.splice(0).map((e) => e.change.what).filter(Boolean);
  }

  get empty(): boolean {
    return this.entries.length === 0;
  }

  /** Undoes every change, newest first, retrying transient failures while `signal` allows. */
  async undo(signal: AbortSignal): Promise<UndoReport> {
    const undone: string[] = [];
    const pending = [...this.entries].reverse();
    this.entries.length = 0;
    for (const [i, { change, answered }] of pending.entries()) {
      try {
        const said = await retrying(() => change.undo(answered), signal, isTransient);
        const text = typeof said === 'string' ? said : change.what;
        if (text) undone.push(text);
      } catch (error) {
        return { undone, failed: { what: change.what, error }, kept: pending.slice(i + 1).map((e) => e.change.what).filter(Boolean) };
      }
    }
    return { undone, kept: [] };
  }
}
