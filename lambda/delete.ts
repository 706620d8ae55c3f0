import type { CloudFormationCustomResourceDeleteEvent } from 'aws-lambda';
import { GROUP_ID_PATTERN } from '../lib/rules';
import { GroupWire, liveInput, WireGroup, wireItems } from './api';
import { GroupError } from './errors';
import { findGroup, GONE, numbersFailed, unlessGone } from './group-changes';
import { disassociateAll, numberList, without } from './phone-numbers';
import { declaredNumbers, whereToLook } from './properties';
import { apiErrorName, retrying } from './retry';
import { Outcome, Step } from './step';

/**
 * Deletes the group from what the service reports, never from the template: the stored properties
 * may be stale (drift) or no longer valid. Anything that would make the API refuse is checked
 * before anything changes; every change goes into the ledger, so a failure puts back exactly what
 * this delivery released or detached.
 */
export async function onDelete(step: Step, event: CloudFormationCustomResourceDeleteEvent): Promise<Outcome> {
  const id = event.PhysicalResourceId ?? '';
  const done = { physicalResourceId: id };
  // Not a group ID (a Create that failed before the API made one): there is nothing to delete.
  if (!GROUP_ID_PATTERN.test(id)) return done;
  const { places, unreadable } = whereToLook(event.ResourceProperties, step.functionRegion);
  if (places.length === 0) throw new GroupError(`${step.label} has no readable apiRegion and the function has no AWS_REGION, so group ${id} cannot be found`);
  const found = await findGroup(step, id, places);
  if (found === GONE) {
    if (unreadable) {
      // The group may live in the Region the properties meant: SUCCESS here could leave it behind.
      throw new GroupError(
        `${step.label}: the stored apiRegion ${JSON.stringify(unreadable)} is not a Region name, and group ${id} is not in ${places.map((p) => `${p.namespace} ${p.region}`).join(' or ')}. ` +
          'Delete the group where it lives, then retry, or keep it with removalPolicy: RemovalPolicy.RETAIN.',
      );
    }
    return done;
  }
  const { location } = found;
  // The group has been read: NotFound from here on names something else, or a group deleted meanwhile.
  const api = step.open(location, 'work');
  const settle = step.open(location, 'settle');
  let group = found.group;
  for (let attempt = 1; ; attempt++) {
    const numbers = await api.phoneNumbers(id);
    refuseForeign(step, id, numbers, event.ResourceProperties);
    try {
      await emptyAndDelete(step, api, settle, group, numbers);
      return done;
    } catch (err) {
      // Gone all the same: the delete took effect although its answer was lost, or another delivery
      // of this request deleted it meanwhile. Only a read tells; there is then nothing to put back.
      const now = await unlessGone(settle.get(id)).catch(() => undefined);
      if (now === GONE) {
        step.ledger.forget();
        return done;
      }
      if (!REFUSED_WHILE_HELD.has(apiErrorName(err))) throw err;
      // Something was associated after the group was emptied: a late delivery of an earlier request
      // (the Create this Delete rolls back, say) may still be finishing its work on this group. It can
      // only add what this resource declares, so the group is emptied again, a few times over.
      if (attempt >= EMPTY_ATTEMPTS || !now) {
        throw new GroupError(`${(err as Error).message}. Something was associated with the group again after it was emptied ${attempt} time(s); disassociate it and retry.`, { cause: err });
      }
      step.log({ notice: 'something was associated with the group after it was emptied; emptying it again', voiceConnectorGroupId: id, attempt });
      group = now;
    }
  }
}

/** How often a Delete empties its group when something is associated with it again meanwhile. */
const EMPTY_ATTEMPTS = 4;
/** What DeleteVoiceConnectorGroup answers while the group holds connectors or numbers (CHIME.md, "delete"). */
const REFUSED_WHILE_HELD = new Set(['ConflictException', 'BadRequestException']);

/** Numbers the resource does not declare stop a Delete before anything changes: they are not this resource's to release. */
function refuseForeign(step: Step, id: string, numbers: string[], properties: unknown): void {
  const foreign = without(numbers, declaredNumbers(properties));
  if (foreign.length === 0) return;
  throw new GroupError(
    `Cannot delete voice connector group ${id} of ${step.label}: ${foreign.length} phone number(s) that this resource does not declare are associated with it ` +
      `(${numberList(foreign)}), and the API refuses to delete a group that has any. Disassociate them with ` +
      'DisassociatePhoneNumbersFromVoiceConnectorGroup (or declare them in phoneNumbers) and retry, or keep the group with ' +
      `removalPolicy: RemovalPolicy.RETAIN.${step.ledger.empty ? ' Nothing was changed.' : ''}`,
  );
}

/** Releases the group's numbers, detaches its connectors and deletes it. */
async function emptyAndDelete(step: Step, api: GroupWire, settle: GroupWire, group: WireGroup, numbers: string[]): Promise<void> {
  const id = group.VoiceConnectorGroupId!;
  if (numbers.length > 0) {
    const released = await disassociateAll(api, id, numbers, { ledger: step.ledger, settle });
    if (released.failed.length > 0 || released.error !== undefined) throw numbersFailed('disassociate', id, step.label, released, false);
  }
  const items = wireItems(group);
  if (items.length > 0) {
    await step.ledger.apply(
      { what: `detached ${items.map((i) => `${i.VoiceConnectorId} (priority ${i.Priority})`).join(', ')} from group ${id}`, undo: async () => void (await settle.update(id, liveInput(group, items))) },
      () => retrying(() => api.update(id, liveInput(group, [])), step.signals.work),
    );
  }
  await unlessGone(api.delete(id));
}

