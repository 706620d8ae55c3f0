import * as fc from 'fast-check';
import { search } from './model';

/**
 * A short, fixed search over the model in `./model.ts` (what it runs and checks is described
 * there). `npm run fuzz` runs the same model for longer with a fresh seed; the counterexamples it
 * and earlier searches found are fixed sequences in `./model-regressions.test.ts`.
 */

// Bounded so the file stays far inside CI's budget; a failure still shrinks within the limit.
// The handler waits out the endpoint's read lag (1.5 s) where a group was just made, so operations take longer than without it.
const TIME_LIMIT_MS = 90_000;
jest.setTimeout(TIME_LIMIT_MS + 45_000);

it('keeps the recorded group whole, answers every event and leaves no group CloudFormation does not record, whatever the sequence and faults', async () => {
  const { details, runs, operations } = await search({ seed: 20260611, numRuns: 20, timeLimitMs: TIME_LIMIT_MS });
  if (details.failed) throw new Error(fc.defaultReportMessage(details));
  // An interrupted search must still have covered enough to mean something.
  expect(runs).toBeGreaterThanOrEqual(6);
  expect(operations).toBeGreaterThanOrEqual(25);
});
