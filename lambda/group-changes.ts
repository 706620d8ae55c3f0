import { GroupWire, liveInput, sameGroup, WireGroup, WireGroupInput, wireItems } from './api';
import { describeApiError, GroupError } from './errors';
import type { Ledger, UndoReport } from './ledger';
import { describeFailures, numberList, Outcome } from './phone-numbers';
import type { Location } from './properties';
import { apiErrorName, pastReadLag, retrying } from './retry';
import type { Step } from './step';

/**
 * The API of a group that is this resource's (made by this delivery, or recorded by CloudFormation),
 * where NotFound may only mean the service has not caught up with a recent create: every call that
 * names the group is retried past the read lag before NotFound stands.
 */
export function patient(api: GroupWire, step: Step, phase: 'work' | 'settle'): GroupWire {
  const wait = <T>(id: string, call: () => Promise<T>, sighting = true) =>
    pastReadLag(call, step.signals[phase], step.readLagWindowMs, phase === 'work' ? step.stillWanted : undefined, step.lagClock(id), sighting);
  return {
    ...api,
    get: (id) => wait(id, () => api.get(id)),
    update: (id, input) => wait(id, () => api.update(id, input)),
    delete: (id) => wait(id, () => api.delete(id)),
    // ListPhoneNumbers filters by group: a group the service does not show yet has no numbers, not
    // NotFound, so an answer is no sign that the group can be read.
    phoneNumbers: (id) => wait(id, () => api.phoneNumbers(id), false),
    associate: (id, numbers, force) => wait(id, () => api.associate(id, numbers, force)),
    disassociate: (id, numbers) => wait(id, () => api.disassociate(id, numbers)),
  };
}

/**
 * Writes `input` over group `id`, which CloudFormation records for this resource, as read (`live`). The
 * ledger records it first, with the write-back of `live` as its undo. A group that already is as
 * `input` would make it gets no call: the answer is then undefined.
 */
export async function updateGroup(ledger: Ledger, api: GroupWire, settle: GroupWire, id: string, live: WireGroup, input: WireGroupInput, signal: AbortSignal): Promise<WireGroup | undefined> {
  if (sameGroup(live, input)) return undefined;
  return ledger.apply(
    {
      what: `updated group ${id}`,
      undo: async (answered) => {
        await settle.update(id, liveInput(live, wireItems(live)));
        return answered ? undefined : `wrote group ${id} back as it was read (its UpdateVoiceConnectorGroup call failed, so it may not have taken effect)`;
      },
    },
    // A PUT of the whole group, so trying it again after throttling beyond the SDK's retries is safe.
    () => retrying(() => api.update(id, input), signal),
  );
}

export const GONE = Symbol('gone');

/** Runs a call where NotFound means the group is gone. */
export async function unlessGone<T>(call: Promise<T>): Promise<T | typeof GONE> {
  try {
    return await call;
  } catch (err) {
    if (apiErrorName(err) === 'NotFoundException') return GONE;
    throw err;
  }
}

const REFUSED_ACCESS = new Set(['AccessDeniedException', 'ForbiddenException', 'UnauthorizedClientException']);

/**
 * Finds a group that is this resource's in the first of `places` that has it. NotFound everywhere
 * stands only after the read lag, since the group may have been made seconds ago (a rollback right
 * after the create). A namespace that refuses this account (the legacy one refuses new accounts)
 * holds none of its groups, when it is not the first place.
 */
export async function findGroup(step: Step, id: string, places: readonly Location[]): Promise<{ group: WireGroup; location: Location } | typeof GONE> {
  const once = async () => {
    for (const [i, place] of places.entries()) {
      try {
        return { group: await step.open(place, 'work').get(id), location: place };
      } catch (err) {
        if (apiErrorName(err) === 'NotFoundException' || (i > 0 && REFUSED_ACCESS.has(apiErrorName(err)))) continue;
        throw err;
      }
    }
    throw Object.assign(new Error(`group ${id} not found`), { name: 'NotFoundException' });
  };
  return unlessGone(pastReadLag(once, step.signals.work, step.readLagWindowMs, step.stillWanted, step.lagClock(id)));
}

/**
 * Removes a group this delivery made: detaches its connectors and deletes it. A group that holds
 * phone numbers is left whole (detaching would cut their calls off, and the API refuses the delete).
 * The group is read first: only a read tells a group the service does not show yet from one that is gone.
 */
export async function removeOwnGroup(api: GroupWire, id: string): Promise<void> {
  const group = await unlessGone(api.get(id));
  if (group === GONE) return;
  const numbers = await unlessGone(api.phoneNumbers(id));
  if (numbers === GONE) return;
  if (numbers.length > 0) throw new GroupError(`group ${id} still holds ${numberList(numbers)}, so it was left with its voice connectors`);
  if (wireItems(group).length > 0 && (await unlessGone(api.update(id, liveInput(group, [])))) === GONE) return;
  await unlessGone(api.delete(id));
}

/** The reason for a failed association or disassociation: each number with its error code. */
export function numbersFailed(action: 'associate' | 'disassociate', id: string, label: string, outcome: Outcome, forced: boolean): GroupError {
  const verb = action === 'associate' ? 'associate phone numbers with' : 'disassociate phone numbers from';
  if (outcome.failed.length === 0) {
    // CloudFormation updates the role's policy before the resource: the actions are gone once no group of the stack declares phoneNumbers.
    const denied = apiErrorName(outcome.error) === 'AccessDeniedException' ? " To release a group's numbers, deploy it with phoneNumbers: [] before removing the property or the group." : '';
    const said = describeApiError(`Could not ${verb} voice connector group ${id}`, label, outcome.error).message.replace(/\.$/, '');
    return new GroupError(`${said}.${denied}`, { cause: outcome.error });
  }
  const elsewhere = !forced && outcome.failed.some((f) => f.code === 'PhoneNumberAssociationsExist' || /associat/i.test(f.message));
  return new GroupError(
    `Could not ${verb} voice connector group ${id} of ${label}: ${describeFailures(outcome.failed)}.` +
      (action === 'associate' ? " Each number must be in the account's inventory with product type VoiceConnector." : '') +
      (elsewhere ? ' A number associated elsewhere moves only with forceAssociate: true.' : ''),
  );
}

/** What undoing the ledger did, as a reason says it: only what was done, and what was not put back. */
export function undoSentence(report: UndoReport, label: string): string {
  if (report.recorded) {
    return `Another delivery of this request finished it, and CloudFormation records group ${report.recorded}: nothing this delivery changed was undone (${report.kept.join('; ')}).`;
  }
  if (report.undone.length === 0 && !report.failed) return '';
  if (!report.failed) return `Undone: everything this delivery changed (${report.undone.join('; ')}).`;
  return (
    `Undoing what this delivery changed failed at "${report.failed.what}" (${describeApiError('cleanup', label, report.failed.error).message})` +
    `${report.kept.length > 0 ? `; left as this delivery made them: ${report.kept.join('; ')}` : ''}` +
    `${report.undone.length > 0 ? `; undone: ${report.undone.join('; ')}` : ''}. Check the group and put it right by hand.`
  );
}
