import { LIMITS } from '../lib/rules';
import type { GroupWire, PhoneNumberError } from './api';
import { GroupError } from './errors';
import type { Change, Ledger } from './ledger';

/** A number the API would not associate or disassociate, with the API's code and words. */
export interface NumberFailure {
  readonly number: string;
  readonly code: string;
  readonly message: string;
}

/** What a run of batches did: the numbers done, the per-number failures, or the error that stopped it. */
export interface Outcome {
  readonly done: string[];
  readonly failed: NumberFailure[];
  readonly error?: unknown;
}

/** Numbers shown by name in a reason; the rest are counted, so the answer stays within 4,096 bytes. */
const NUMBERS_SHOWN = 10;
/** Characters of the API's own words kept per failed number. */
const FAILURE_TEXT = 120;

const chunks = <T>(list: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

/** Where each batch's change is recorded, and how it is put back. */
export interface Tracking {
  readonly ledger: Ledger;
  /** The group's API in the settle phase, for the undo. */
  readonly settle: GroupWire;
  /** Numbers moved here from this resource's previous group (a move), and that group, to move them back to. */
  readonly movedFrom?: { readonly api: GroupWire; readonly id: string; readonly numbers: readonly string[] };
}

/** The ledger entry for one batch: `done()` is the numbers the batch did, undefined while its answer is unknown. */
type Record = (batch: string[], done: () => string[] | undefined) => Change;

/**
 * Sends numbers in batches of LIMITS.phoneNumbersPerRequest and stops after the first batch that
 * fails, so that what was done is known exactly and can be undone. A 200 answer can still carry
 * an error per number. `alreadyDone` says which per-number errors mean the work is done anyway.
 * With tracking, each batch goes into the ledger before it is sent, with the inverse of what it did.
 */
async function inBatches(
  numbers: readonly string[],
  call: (batch: string[]) => Promise<PhoneNumberError[]>,
  alreadyDone: (error: PhoneNumberError) => boolean,
  track?: { ledger: Ledger; record: Record },
): Promise<Outcome> {
  const done: string[] = [];
  const failed: NumberFailure[] = [];
  for (const batch of chunks(numbers, LIMITS.phoneNumbersPerRequest)) {
    let errors: PhoneNumberError[];
    let batchDone: string[] | undefined = undefined;
    try {
      errors = track ? await track.ledger.apply(track.record(batch, () => batchDone), () => call(batch)) : await call(batch);
    } catch (error) {
      return { done, failed, error };
    }
    const byNumber = new Map(errors.map((e) => [e.PhoneNumberId ?? '', e]));
    batchDone = batch.filter((n) => !byNumber.has(n) || alreadyDone(byNumber.get(n)!));
    for (const number of without(batch, batchDone)) {
      const e = byNumber.get(number)!;
      failed.push({ number, code: e.ErrorCode ?? 'Unknown', message: e.ErrorMessage ?? '' });
    }
    done.push(...batchDone);
    if (failed.length > 0) break;
  }
  return { done, failed };
}

/** Which of `numbers` the group holds now. */
const onGroup = async (api: GroupWire, id: string, numbers: readonly string[]) => {
  const live = await api.phoneNumbers(id);
  return numbers.filter((n) => live.includes(n));
};

/** Fails an undo step unless every number was done. */
async function strictly(run: Promise<Outcome>, action: string): Promise<void> {
  const o = await run;
  if (o.error !== undefined) throw o.error;
  if (o.failed.length > 0) {
    throw new GroupError(`${action}: ${o.done.length > 0 ? `${numberList(o.done)} done, ` : ''}refused for ${describeFailures(o.failed)}`);
  }
}

/**
 * Associates numbers; those `forced` move from wherever they are associated now. With tracking,
 * the undo of a batch releases what it associated, except numbers moved from this resource's
 * previous group, which go back there. A batch whose answer was lost is undone from the group's
 * live numbers.
 */
export async function associateAll(api: GroupWire, id: string, numbers: readonly string[], forced: (number: string) => boolean, tracking?: Tracking): Promise<Outcome> {
  const record = (force: boolean): Record => (batch, done) => ({
    get what() {
      const list = done() ?? batch;
      const taken = force ? without(list, tracking?.movedFrom?.numbers ?? []) : [];
      return list.length === 0
        ? ''
        : `associated ${numberList(list)} with group ${id}${done() ? '' : ' (answer lost)'}` +
            (taken.length > 0 ? ` (${numberList(taken)}, taken with forceAssociate, are released, not moved back to where they were)` : '');
    },
    undo: async (answered) => {
      const which = answered && done() ? done()! : await onGroup(tracking!.settle, id, batch);
      if (which.length === 0) {
        if (answered) return '';
        // The answer was lost and none of the numbers is on the group: nothing to undo, yet.
        return `called AssociatePhoneNumbersWithVoiceConnectorGroup for ${numberList(batch)} on group ${id}; its answer was lost and none was on the group when checked, so nothing was undone (a late change may still land)`;
      }
      const back = force && tracking!.movedFrom ? which.filter((n) => tracking!.movedFrom!.numbers.includes(n)) : [];
      if (back.length > 0) await strictly(associateAll(tracking!.movedFrom!.api, tracking!.movedFrom!.id, back, () => true), `Moving ${numberList(back)} back to group ${tracking!.movedFrom!.id}`);
      const release = without(which, back);
      if (release.length > 0) await strictly(disassociateAll(tracking!.settle, id, release), `Releasing ${numberList(release)} from group ${id}`);
      return answered ? undefined : `associated ${numberList(which)} with group ${id} (answer lost; found on the group)`;
    },
  });
  const run = (list: string[], force: boolean) =>
    inBatches(list, (batch) => api.associate(id, batch, force), () => false, tracking && { ledger: tracking.ledger, record: record(force) });
  const first = await run(numbers.filter(forced), true);
  if (first.failed.length > 0 || first.error !== undefined) return first;
  const second = await run(numbers.filter((n) => !forced(n)), false);
  return { ...second, done: [...first.done, ...second.done] };
}

/**
 * Disassociates numbers; one already not associated with the group (a retried call) counts as
 * done. With tracking, the undo associates them with the group again.
 */
export function disassociateAll(api: GroupWire, id: string, numbers: readonly string[], tracking?: Tracking): Promise<Outcome> {
  const record: Record = (batch, done) => ({
    get what() {
      const list = done() ?? batch;
      return list.length === 0 ? '' : `released ${numberList(list)} from group ${id}${done() ? '' : ' (answer lost)'}`;
    },
    undo: async (answered) => {
      const which = answered && done() ? done()! : without(batch, await tracking!.settle.phoneNumbers(id));
      if (which.length === 0) {
        if (answered) return '';
        return `called DisassociatePhoneNumbersFromVoiceConnectorGroup for ${numberList(batch)} on group ${id}; its answer was lost and all were still on the group when checked, so nothing was undone (a late change may still land)`;
      }
      await strictly(associateAll(tracking!.settle, id, which, () => false), `Associating ${numberList(which)} with group ${id} again`);
      return answered ? undefined : `released ${numberList(which)} from group ${id} (answer lost; found released)`;
    },
  });
  return inBatches(numbers, (batch) => api.disassociate(id, batch), (e) => e.ErrorCode === 'NotFound', tracking && { ledger: tracking.ledger, record });
}

/** Items for a reason: the first few by name, the rest counted. */
const firstFew = (items: readonly string[]) =>
  items.length > NUMBERS_SHOWN ? `${items.slice(0, NUMBERS_SHOWN).join(', ')} and ${items.length - NUMBERS_SHOWN} more` : items.join(', ');

/** Numbers for a reason. */
export const numberList = (numbers: readonly string[]): string => firstFew(numbers);

/** The failed numbers for a reason: each with its code and the API's words. */
export const describeFailures = (failed: readonly NumberFailure[]): string =>
  firstFew(failed.map((f) => `${f.number} (${f.code}${f.message ? `: ${f.message.slice(0, FAILURE_TEXT)}` : ''})`));

/**
 * Numbers named in the function's log show only their last four digits: the API model marks them
 * sensitive. Anything that may be a phone number is masked, E.164 or not (`+1 206 555 0100`,
 * `12065550101`, `(206) 555-0102`): runs of seven or more digits, with the separators people write.
 */
export const maskNumbers = (text: string): string =>
  // Bounded on both sides by anything but letters, digits, '-' and ':', so IDs (UUIDs, even one whose
  // first part is all digits), timestamps and the account IDs in ARNs keep their digits.
  text.replace(/(?<![\w:-])\+?\d(?:[\d ().-]*\d)?(?![\w:-])/g, (run) => {
    const digits = run.replace(/\D/g, '').length;
    if (digits < 7) return run;
    let keep = 4;
    return Array.from(run).reverse().map((c) => (/\d/.test(c) && keep-- <= 0 ? '*' : c)).reverse().join('');
  });

export const without = (list: readonly string[], remove: readonly string[]): string[] => list.filter((n) => !remove.includes(n));
