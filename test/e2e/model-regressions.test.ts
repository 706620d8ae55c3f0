import { CallDistribution } from '../../lib';
import { closeSession, Delete, Deploy, FailedDeploy, Fault, Location, openSession, Props, Replace, RunOptions, runSequence } from './model';

/**
 * Counterexamples of the model-based test (test/e2e/model.ts), kept as fixed command sequences:
 * the arbitraries change, so a seed would no longer find them. Each names where it came from.
 * The throttling faults draw from the endpoint's seeded generator in the order requests arrive,
 * so a sequence replays the same faults only as far as the timing allows; each still exercises
 * the path it was found on.
 */

// Each sequence mostly waits (the read lag, late duplicates, the handler's minute of NotFound retries),
// so they run side by side: the file takes about as long as its longest sequence.
jest.setTimeout(300_000);

beforeAll(() => openSession());
afterAll(() => closeSession());

/** A number of the model's inventory by its last three digits. */
const n = (last3: number) => `+12065550${last3}`;
const NONE: Fault = { kind: 'none' };
const throttle = (fraction: number): Fault => ({ kind: 'throttle', fraction });

function props(
  location: Location,
  name: string,
  items: [connector: number, priority: number][],
  options: { distribution?: CallDistribution; numbers?: number[]; forced?: boolean } = {},
): Props {
  return {
    location,
    name,
    items: items.map(([connector, priority]) => ({ connector, priority })),
    callDistribution: options.distribution,
    phoneNumbers: options.numbers?.map(n),
    forceAssociate: options.forced ?? false,
  };
}

const run = (options: RunOptions) => ({ endpointSeed: options.endpointSeed, duplicates: options.duplicates, heldElsewhere: options.heldElsewhere });

/**
 * Issue 14: the model test at b9e19bb, numRuns 150, failed with seed 1 after 28 runs (ROLLBACK_FAILED:
 * a late Create delivery answered after the rollback Delete, and its numbers made the next Delete fail)
 * and with seed 2 after 14 runs (a number left on the group after a rolled-back update: a late
 * duplicate associated it after the rollback). These are those runs' command sequences, taken from
 * b9e19bb's own generation of runs 28 and 14 (commands the model skips, such as a Delete with no
 * stack, are kept: they are skipped here too). Whether a duplicate runs late enough depends on the
 * timing of throttled calls (on a shared 2-core machine neither failed again there in four tries
 * each). Delivered twice, the second 1.5 s later, seed 2's run 14 fails on b9e19bb exactly as the
 * issue says (+12065550104 left on the group after the rolled-back update); seed 1's run 28 did not
 * fail there at 1.5 s or 3 s. On this handler, seed 2's run 14 fails as it is (see below), so only
 * seed 1's run 28 is also replayed with late duplicates.
 */
const SEED_1_RUN_28 = () => [
  new FailedDeploy(props('chime', 'pbx c.1_x', [[0, 1]]), throttle(0.23)),
  new Delete(false, throttle(0.3)),
  new FailedDeploy(props('sdk-us-east-1', 'pbx-a', [[1, 1], [0, 2]], { numbers: [101, 104] }), throttle(0.24)),
  new Deploy(props('chime', 'pbx c.1_x', [[2, 3], [0, 1]]), NONE),
  new Delete(false, throttle(0.22)),
  new Deploy(props('sdk-us-east-1', 'pbx-b', [[1, 1], [2, 2]], { distribution: CallDistribution.LOAD_BALANCED, forced: true }), NONE),
  new Deploy(props('sdk-us-west-2', 'pbx-b', [[0, 3], [2, 2]], { distribution: CallDistribution.PRIORITY_WEIGHTED, numbers: [102, 104], forced: true }), throttle(0.27)),
];

const SEED_2_RUN_14 = () => [
  new Deploy(props('chime', 'pbx c.1_x', [], { numbers: [101, 102, 103, 104, 105] }), { kind: 'commit-then-drop-create' }),
  new Delete(true, throttle(0.28)),
  new Deploy(props('sdk-us-west-2', 'pbx-a', [], { distribution: CallDistribution.LOAD_BALANCED, forced: true }), NONE),
  new Deploy(props('sdk-us-east-1', 'pbx-b', [], { distribution: CallDistribution.LOAD_BALANCED, forced: true }), NONE),
  new Deploy(props('sdk-us-east-1', 'pbx-b', [[1, 3], [0, 3]], { distribution: CallDistribution.LOAD_BALANCED }), NONE),
  new FailedDeploy(props('sdk-us-east-1', 'pbx-b', [], { distribution: CallDistribution.LOAD_BALANCED, numbers: [104] }), throttle(0.3)),
  new Deploy(props('sdk-us-east-1', 'pbx-b', [[1, 3]], { distribution: CallDistribution.LOAD_BALANCED }), { kind: 'refuse-response' }),
  new FailedDeploy(props('chime', 'pbx-a', [[1, 2]], { forced: true }), { kind: 'refuse-response' }),
];

const LATE: RunOptions['duplicates'] = { probability: 'always', seed: 1, afterMs: 1_500 };

describe('counterexamples of the model test as it was at b9e19bb (issue 14), replayed on this handler', () => {
  // Found a handler bug, since fixed (a delivery waits out the read lag once per group, and stops
  // once CloudFormation took another answer); timing-dependent, as the last two fuzz counterexamples
  // below: in the second FailedDeploy the
  // Create's duplicate delivery answered first, and the first delivery, working on a group the
  // rollback deleted, was still running 90 s after the stack operation ended.
  it.concurrent('a late Create delivery after the rollback Delete leaves no group, and the next Delete succeeds (numRuns 150, seed 1, run 28)', () =>
    runSequence(run({ endpointSeed: 1976695059, duplicates: { probability: 0.5, seed: 411423609, afterMs: 20 }, heldElsewhere: false }), SEED_1_RUN_28()));

  // Found a handler bug, since fixed (after answering, any state but this request in progress is an
  // answer that is not the delivery's own, and a refused look-up once readable means the stack went):
  // a duplicate Create delivered 1.5 s after the first,
  // while the first delivery's group was still hidden by the read lag, makes a second group; the
  // rollback Delete removes the first, and the duplicate's group survives, answered SUCCESS (late)
  // and recorded by no stack: once in the first FailedDeploy (no numbers), once in the second
  // (holding +12065550101 and +12065550104). Its after-answer check did not remove it.
  // Then a second bug, since fixed: the after-answer check did decide to remove the duplicate's group,
  // but the group was still hidden by the read lag, and the undo took the empty list ListPhoneNumbers
  // answers for a group it does not show yet as a sign the group could be read; the NotFound of the
  // next call then counted as "gone", and the group stayed (three in six runs failed this way).
  it.concurrent('seed 1, run 28 with every event delivered again late', () =>
    runSequence(run({ endpointSeed: 1976695059, duplicates: LATE, heldElsewhere: false }), SEED_1_RUN_28()));

  // Found a handler bug, since fixed (a delivery asks again before a change when 2 s have passed
  // since it last asked): the duplicate of the failed in-place Update (items [c1:3, c0:3] to [], +12065550104
  // declared) passed the "answered already?" check while the Update was in progress, then applied
  // the failed properties after CloudFormation's rollback Update had restored the group: the group
  // CloudFormation records is left with no voice connectors ("Group Update/deploy #2 duplicate
  // SUCCESS (late)" after "Group Update/rollback #1 SUCCESS"). The check is made once, before the
  // work, so a duplicate slowed by throttling outlives it. Timing-dependent; failed in three of three tries.
  it.concurrent('a late duplicate of a rolled-back update changes nothing after the rollback (numRuns 150, seed 2, run 14)', () =>
    runSequence(run({ endpointSeed: 359348416, duplicates: { probability: 0.5, seed: 1149208135, afterMs: 0 }, heldElsewhere: true }), SEED_2_RUN_14()));

  it.concurrent('a rolled-back create, a rolled-back create that declared every number, then a forced create under throttling (seed 2, shrunk from run 39 here)', () =>
    runSequence(run({ endpointSeed: 659093417, duplicates: undefined, heldElsewhere: false }), [
      new FailedDeploy(props('sdk-us-west-2', 'pbx c.1_x', [[2, 1]], { distribution: CallDistribution.LOAD_BALANCED, numbers: [], forced: true }), NONE),
      new FailedDeploy(props('sdk-us-east-1', 'pbx-a', [], { distribution: CallDistribution.LOAD_BALANCED, numbers: [101, 102, 103, 104, 105] }), NONE),
      new Deploy(
        props('sdk-us-west-2', 'pbx c.1_x', [
          [0, 2],
          [2, 3],
        ], { distribution: CallDistribution.PRIORITY_WEIGHTED, numbers: [101, 103, 104, 105], forced: true }),
        throttle(0.28),
      ),
    ]));
});

describe('counterexamples of npm run fuzz', () => {
  it.concurrent('a replacement issued seconds after a move made the group it replaces makes a group of its own (seed 5)', () =>
    runSequence(run({ endpointSeed: 1015279713, duplicates: undefined, heldElsewhere: true }), [
      new Deploy(props('chime', 'pbx c.1_x', [[1, 1]], { forced: true }), throttle(0.28)),
      new Deploy(props('sdk-us-west-2', 'pbx-b', [], { distribution: CallDistribution.LOAD_BALANCED, forced: true }), NONE),
      new Replace([], false, { kind: 'refuse-response' }),
    ]));

  it.concurrent('a concurrent duplicate of a Delete whose twin deleted the group answers once the read-lag window has passed (seed 2042870674)', () =>
    runSequence(run({ endpointSeed: 1, duplicates: { probability: 0.5, seed: 1, afterMs: 0 }, heldElsewhere: false }), [
      new Deploy(props('sdk-us-east-1', 'pbx-a', []), throttle(0.2)),
      new Delete(false, NONE),
    ]));

  // Found handler bugs, since fixed, by the fuzz: a concurrent
  // duplicate Create whose group the rollback Delete removed under it keeps calling the gone group
  // (GetVoiceConnectorGroup, AssociatePhoneNumbersWithVoiceConnectorGroup, the undo's reads), each
  // call retrying NotFound for its own minute of read lag, so the delivery is still running 90 s (the
  // read-lag window and 30 s) after the stack operation ended: NotFound for one group is taken as
  // final per call, not once per delivery. Replayed here: the same orphan as seed 1's run 28 above,
  // a group holding +12065550105 that no stack records.
  it.concurrent('concurrent duplicates of a rolled-back Create leave no group and end within the read-lag window (seed 742543161)', () =>
    runSequence(run({ endpointSeed: 1, duplicates: { probability: 0.5, seed: 1, afterMs: 0 }, heldElsewhere: false }), [
      new FailedDeploy(props('chime', 'pbx-a', [[2, 3]], { forced: true }), NONE),
      new FailedDeploy(props('sdk-us-east-1', 'pbx-a', [[2, 1]], { distribution: CallDistribution.PRIORITY_WEIGHTED, numbers: [101, 104, 105] }), NONE),
      new FailedDeploy(props('sdk-us-west-2', 'pbx-a', [[0, 1]], { distribution: CallDistribution.PRIORITY_WEIGHTED, numbers: [105], forced: true }), throttle(0.24)),
    ]));

  // The same bug, since fixed, as the test above: the first delivery of the last Create, whose group the
  // rollback Delete removed after the duplicate's answer was taken, is still running 90 s later.
  it.concurrent('a first delivery whose group the rollback deleted after its duplicate answered ends within the read-lag window (seed 1324523220)', () =>
    runSequence(run({ endpointSeed: 1, duplicates: { probability: 'always', seed: 1, afterMs: 0 }, heldElsewhere: false }), [
      new Deploy(props('sdk-us-west-2', 'pbx-a', [[1, 3]], { distribution: CallDistribution.PRIORITY_WEIGHTED, forced: true }), throttle(0.23)),
      new Delete(false, NONE),
      new FailedDeploy(props('sdk-us-west-2', 'pbx-a', [[2, 2]], { distribution: CallDistribution.PRIORITY_WEIGHTED, numbers: [101, 102, 103, 105], forced: true }), throttle(0.3)),
      new FailedDeploy(props('sdk-us-west-2', 'pbx-b', [], { distribution: CallDistribution.PRIORITY_WEIGHTED, numbers: [101, 102, 103, 104, 105], forced: true }), NONE),
    ]));

  // The same bug, since fixed, as the two tests above: in the first FailedDeploy (a Create refused for a
  // number held elsewhere, under a dropped connection) a delivery was still running 90 s after it.
  it.concurrent('every delivery of a refused Create and of a rolled-back forced Create ends within the read-lag window (seed 1007476632)', () =>
    runSequence(run({ endpointSeed: 1, duplicates: { probability: 'always', seed: 316964792, afterMs: 0 }, heldElsewhere: true }), [
      new FailedDeploy(props('sdk-us-east-1', 'pbx-b', [], { distribution: CallDistribution.LOAD_BALANCED, numbers: [101, 103, 105] }), { kind: 'drop' }),
      new FailedDeploy(props('chime', 'pbx-b', [[1, 2]], { numbers: [101, 102, 105], forced: true }), { kind: 'drop' }),
    ]));
});

describe('counterexamples of npm run fuzz on the handler of issue 16', () => {
  // A Create delivered again 6 s late, after the rollback of the new stack had deleted the function's
  // role: the duplicate could not read CloudFormation's record at all, made its own group and answered
  // SUCCESS (late), and kept the group, as it cannot prove the stack does not record it. The group
  // survived, recorded by no stack, and nothing said so. Now the log names it (README, "Left alone"),
  // which the model excuses as it excuses the Create whose answer was lost.
  it.concurrent('a Create duplicate that starts after the rollback deleted the role says in its log which group it left (seed 907960003)', () =>
    runSequence(run({ endpointSeed: 1, duplicates: { probability: 0.5, seed: 252958642, afterMs: 6_000 }, heldElsewhere: true }), [
      new Deploy(props('sdk-us-west-2', 'pbx-b', [[1, 3]], { numbers: [103, 105] }), NONE),
      new FailedDeploy(props('sdk-us-west-2', 'pbx-a', [], { distribution: CallDistribution.LOAD_BALANCED, forced: true }), { kind: 'drop' }),
    ]));
});

describe('counterexamples of the short search in test/e2e/model.test.ts', () => {
  // Found the bug of seed 1's run 28 with late duplicates, since fixed: the fixed search (seed 20260611)
  // failed at its second run in two of three tries, and this sequence in one of two. A concurrent
  // duplicate of the Create made its own group during the read lag and associated the declared
  // numbers; after the rollback, that group (no connectors, +12065550103 and +12065550105) survives,
  // recorded by no stack. Timing-dependent.
  // Then a second bug, since fixed: a concurrent duplicate that found the first delivery's group
  // associated the declared numbers after the rollback Delete had emptied the group, so the Delete
  // failed with ConflictException and the stack ended ROLLBACK_FAILED (two in thirty runs). The
  // duplicate now asks CloudFormation before touching another delivery's group, and a Delete empties
  // its group again when something it declares is associated meanwhile.
  it.concurrent('a rolled-back Create under throttling and concurrent duplicates leaves no group (seed 20260611, run 2)', () =>
    runSequence(run({ endpointSeed: 1013800080, duplicates: { probability: 0.5, seed: 1905162391, afterMs: 0 }, heldElsewhere: false }), [
      new FailedDeploy(props('sdk-us-east-1', 'pbx-b', [], { numbers: [103, 105] }), throttle(0.22)),
    ]));
});
