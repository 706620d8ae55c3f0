import type { GroupSpec } from '../lib/rules';
import { GroupWire, toWireInput, WireGroup, WireGroupInput } from './api';
import { describeApiError, GroupError } from './errors';
import type { Change } from './ledger';
import { numbersFailed, patient, removeOwnGroup, undoSentence } from './group-changes';
import { byAge, groupsOfRequest, recordedAnswer } from './ownership';
import { associateAll, without } from './phone-numbers';
import { Location } from './properties';
import { backoff, isTransient, retrying, sleep } from './retry';
import { answer, locationOf, Outcome, Step } from './step';

/** Allowed between the function's clock and the service's when waiting out a whole-second timestamp. */
const CLOCK_SKEW_MS = 250;
/** How long after answering a Create looks for CloudFormation's record of it. */
const RECORD_WAIT_MS = 20_000;

/**
 * Endpoints (namespace and Region) seen to report milliseconds in their timestamps. Like the SDK
 * clients, this outlives an invocation: it is a fact about the service, not about any event.
 */
const MILLISECOND_STAMPS = new Set<string>();

/**
 * Timestamps without milliseconds may be whole seconds: a group made later in the same second would
 * look as old as this one. Listing only once that second (and some skew) has passed lets every
 * delivery see every group it could tie with. Endpoints seen to report milliseconds skip the wait.
 */
async function pastSameSecond(location: Location, seen: readonly WireGroup[], signal: AbortSignal): Promise<void> {
  const key = `${location.namespace} ${location.region}`;
  if (seen.some((g) => g.CreatedTimestamp instanceof Date && g.CreatedTimestamp.getUTCMilliseconds() !== 0)) MILLISECOND_STAMPS.add(key);
  if (MILLISECOND_STAMPS.has(key)) return;
  const stamp = seen.at(-1)?.CreatedTimestamp;
  if (!(stamp instanceof Date)) return;
  const wait = stamp.getTime() + 1_000 + CLOCK_SKEW_MS - Date.now();
  if (wait > 0) await sleep(Math.min(wait, 2_000 + CLOCK_SKEW_MS), signal);
}

/** The group this request creates, and whether this delivery made it (only then may it remove it). */
interface Made {
  readonly group: WireGroup;
  readonly made: boolean;
}

/**
 * Creates the group once per request, whatever other deliveries of it do. A group with this name and
 * items made after CloudFormation issued the request is an earlier delivery's: it is used, not
 * made again. After its own call a delivery lists again; of this request's groups the oldest is the
 * request's, and a delivery whose own group is not the oldest removes its own (never another's).
 */
async function createOnce(step: Step, location: Location, input: WireGroupInput): Promise<Made> {
  const api = step.open(location, 'work');
  const settle = step.open(location, 'settle');
  const listed = await api.list();
  const earlier = groupsOfRequest(listed, input, step.epoch);
  if (earlier.length > 0) return { group: earlier[0], made: false };

  let made: WireGroup | undefined;
  /** Once a list has shown the group, NotFound for it means it is gone, not that reads lag behind. */
  let seen = false;
  let failure: unknown;
  const change: Change = {
    get what() {
      return made ? `created group ${made.VoiceConnectorGroupId}` : `called CreateVoiceConnectorGroup for '${input.Name}' (answer lost)`;
    },
    singleRequest: true,
    undo: async (answered) => {
      // Without the answer no group is provably this delivery's: none is removed, and the reason
      // (or CloudFormation's rollback Delete of the group the failure names) deals with it.
      if (!answered || !made) return `called CreateVoiceConnectorGroup for '${input.Name}', whose answer was lost: no group was removed`;
      const settleApi = step.open(location, 'settle');
      await removeOwnGroup(seen ? settleApi : patient(settleApi, step, 'settle'), made.VoiceConnectorGroupId!);
      return undefined;
    },
  };
  try {
    made = await step.ledger.apply(change, () => api.create(input));
  } catch (err) {
    failure = err;
  }
  await pastSameSecond(location, made ? [...listed, made] : listed, step.signals.settle);
  let found: WireGroup[];
  try {
    const groups = await listedSince(step, settle, made);
    seen = !!made && groups.some((g) => g.VoiceConnectorGroupId === made!.VoiceConnectorGroupId);
    found = groupsOfRequest(groups, input, step.epoch);
  } catch {
    if (made) return { group: made, made: true };
    throw lost(step, location, input, failure);
  }
  if (made && !found.some((g) => g.VoiceConnectorGroupId === made!.VoiceConnectorGroupId)) found = [...found, made].sort(byAge);
  if (!made) {
    // The call failed, yet a group of this request is there: its answer was lost, or another delivery made it.
    if (found.length === 0) throw lost(step, location, input, failure);
    return { group: found[0], made: false };
  }
  if (found[0].VoiceConnectorGroupId === made.VoiceConnectorGroupId) return { group: made, made: true };
  // An older group of this request exists: it is the request's, and this delivery's own is extra.
  const report = await step.ledger.undo(step.signals.settle);
  if (report.failed) {
    step.log({ warning: 'this delivery made an extra group and could not remove it', voiceConnectorGroupId: made.VoiceConnectorGroupId, reason: describeApiError('cleanup', step.label, report.failed.error).message });
  }
  return { group: found[0], made: false };
}

/**
 * Lists the groups once the list shows the group this delivery made: reads lag behind a create
 * (CHIME.md, "read after create"), and only a list that has caught up with this group also shows
 * any group of the request made before it. Waits no longer than the read lag allows.
 */
async function listedSince(step: Step, api: GroupWire, made: WireGroup | undefined): Promise<WireGroup[]> {
  const window = AbortSignal.any([step.signals.settle, AbortSignal.timeout(step.readLagWindowMs)]);
  for (let attempt = 0; ; attempt++) {
    const groups = await retrying(() => api.list(), step.signals.settle);
    if (!made || groups.some((g) => g.VoiceConnectorGroupId === made.VoiceConnectorGroupId) || window.aborted) return groups;
    await step.stillWanted();
    await sleep(backoff(attempt + 2), window);
  }
}

/** The error for a create that failed and left no group that can be seen. */
function lost(step: Step, location: Location, input: WireGroupInput, failure: unknown): unknown {
  if (!isTransient(failure)) return failure;
  return new GroupError(
    `${describeApiError('CreateVoiceConnectorGroup', step.label, failure).message}. The call may still have made group '${input.Name}' ` +
      `(its answer was lost and no such group is listed yet): look for it in ${location.namespace} ${location.region} and delete it if it is there.`,
    { cause: failure },
  );
}

/**
 * After answering with a group this delivery made: if CloudFormation took another answer for the
 * request (another delivery's, or a failure), the group is nobody's, and this delivery undoes
 * what it did. Runs for Creates and for Updates that made a replacement group, and for adoptions
 * that changed the adopted group.
 */
export function removeIfNotRecorded(step: Step, id: string): (() => Promise<void>) | undefined {
  const describe = step.describeResource;
  if (!describe) return undefined;
  return async () => {
    const recorded = await recordedAnswer(describe, step.event, step.issued, step.signals.settle, RECORD_WAIT_MS, step.readable());
    if (recorded?.physicalId === id) return;
    if (!recorded) {
      // Not provably nobody's (CloudFormation may record it), so it stays; the log names it for whoever looks.
      step.log({ warning: "could not read what CloudFormation recorded for this request, so the group this delivery answered with was left; if the stack does not record it, delete it", voiceConnectorGroupId: id });
      return;
    }
    const report = await step.ledger.undo(step.signals.settle);
    step.log({
      notice: 'CloudFormation recorded another answer for this request; this delivery undid what it did',
      voiceConnectorGroupId: id,
      recorded: recorded.physicalId ?? recorded.status,
      undone: report.undone,
      ...(report.failed ? { failed: describeApiError('cleanup', step.label, report.failed.error).message } : {}),
    });
  };
}

/**
 * Creates the group and associates its numbers. Numbers the old group of this resource holds (a
 * move) are moved with it; others only with forceAssociate. If anything fails, this delivery's
 * ledger is undone; a group that is this request's but could not be removed is answered with the
 * failure, so that CloudFormation's rollback Delete removes it.
 */
export async function onCreate(step: Step, spec: GroupSpec, from?: { location: Location; id: string }): Promise<Outcome> {
  const location = locationOf(step, spec);
  const numbers = spec.phoneNumbers ?? [];
  // Read before anything is made, so that failing to read it leaves nothing to undo.
  const held = from && numbers.length > 0 ? await step.open(from.location, 'work').phoneNumbers(from.id) : [];
  const { group, made } = await createOnce(step, location, toWireInput(spec, spec.voiceConnectorItems ?? []));
  const id = group.VoiceConnectorGroupId!;
  step.workingOn(id);
  const result = { ...answer(group, step.label), afterAnswer: made ? removeIfNotRecorded(step, id) : undefined };
  if (numbers.length === 0) return result;

  const api = patient(step.open(location, 'work'), step, 'work');
  try {
    // Another delivery made the group and may have answered meanwhile (then the group may be in a
    // rollback's hands): ask before touching it. What it associated already is not this delivery's to undo.
    if (!made) await step.stillWanted();
    const live = made ? [] : await api.phoneNumbers(id);
    const tracking = { ledger: step.ledger, settle: patient(step.open(location, 'settle'), step, 'settle'), movedFrom: from && { api: step.open(from.location, 'settle'), id: from.id, numbers: held } };
    const outcome = await associateAll(api, id, without(numbers, live), (n) => spec.forceAssociate === true || held.includes(n), tracking);
    if (outcome.failed.length > 0 || outcome.error !== undefined) throw numbersFailed('associate', id, step.label, outcome, spec.forceAssociate === true);
  } catch (err) {
    const error = err instanceof GroupError ? err : describeApiError('Associating phone numbers', step.label, err);
    const report = await step.undo();
    const removed = made && !report.failed && !report.recorded;
    throw new GroupError(`${error.message} ${undoSentence(report, step.label)}`.trim(), {
      cause: error.cause,
      // The group is this request's: unless it is gone, CloudFormation's rollback Delete removes it.
      physicalResourceId: removed ? undefined : id,
    });
  }
  return result;
}
