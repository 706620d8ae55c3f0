import { LIMITS } from '../lib/rules';
import type { GroupWire, PhoneNumberError } from './api';

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

/**
 * Sends numbers in batches of LIMITS.phoneNumbersPerRequest and stops after the first batch that
 * fails, so that what was done is known exactly and can be undone. A 200 answer can still carry
 * an error per number. `alreadyDone` says which per-number errors mean the work is done anyway.
 */
async function inBatches(
  numbers: readonly string[],
  call: (batch: string[]) => Promise<PhoneNumberError[]>,
  alreadyDone: (error: PhoneNumberError) => boolean = () => false,
): Promise<Outcome> {
  const done: string[] = [];
  const failed: NumberFailure[] = [];
  for (const batch of chunks(numbers, LIMITS.phoneNumbersPerRequest)) {
    let errors: PhoneNumberError[];
    try {
      errors = await call(batch);
    } catch (error) {
      return { done, failed, error };
    }
    const byNumber = new Map(errors.map((e) => [e.PhoneNumberId ?? '', e]));
    for (const number of batch) {
      const e = byNumber.get(number);
      if (!e || alreadyDone(e)) done.push(number);
      else failed.push({ number, code: e.ErrorCode ?? 'Unknown', message: e.ErrorMessage ?? '' });
    }
    if (failed.length > 0) break;
  }
  return { done, failed };
}

/** Associates numbers; those `forced` moves from wherever they are associated now. */
export async function associateAll(api: GroupWire, id: string, numbers: readonly string[], forced: (number: string) => boolean): Promise<Outcome> {
  const force = numbers.filter(forced);
  const plain = numbers.filter((n) => !forced(n));
  const first = await inBatches(force, (batch) => api.associate(id, batch, true));
  if (first.failed.length > 0 || first.error !== undefined) return first;
  const second = await inBatches(plain, (batch) => api.associate(id, batch, false));
  return { ...second, done: [...first.done, ...second.done] };
}

/** Disassociates numbers; one already not associated with the group (a retried call) counts as done. */
export const disassociateAll = (api: GroupWire, id: string, numbers: readonly string[]): Promise<Outcome> =>
  inBatches(numbers, (batch) => api.disassociate(id, batch), (e) => e.ErrorCode === 'NotFound');

/** Items for a reason: the first few by name, the rest counted. */
const firstFew = (items: readonly string[]) =>
  items.length > NUMBERS_SHOWN ? `${items.slice(0, NUMBERS_SHOWN).join(', ')} and ${items.length - NUMBERS_SHOWN} more` : items.join(', ');

/** Numbers for a reason. */
export const numberList = (numbers: readonly string[]): string => firstFew(numbers);

/** The failed numbers for a reason: each with its code and the API's words. */
export const describeFailures = (failed: readonly NumberFailure[]): string =>
  firstFew(failed.map((f) => `${f.number} (${f.code}${f.message ? `: ${f.message.slice(0, FAILURE_TEXT)}` : ''})`));

/** Numbers named in the function's log show only their last four digits: the API model marks them sensitive. */
export const maskNumbers = (text: string): string => text.replace(/\+[1-9]\d{1,14}/g, (n) => `${'*'.repeat(n.length - 4)}${n.slice(-4)}`);

export const without = (list: readonly string[], remove: readonly string[]): string[] => list.filter((n) => !remove.includes(n));
