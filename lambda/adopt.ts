import type { GroupSpec } from '../lib/rules';
import { declaredOver } from './api';
import { removeIfNotRecorded } from './create';
import { GroupError } from './errors';
import { findGroup, GONE, numbersFailed, unlessGone, updateGroup } from './group-changes';
import { associateAll, without } from './phone-numbers';
import type { Location } from './properties';
import { answer, locationOf, Outcome, Step } from './step';

/**
 * Adoption: the properties name an existing group (`adoptVoiceConnectorGroupId`), the user's explicit
 * grant to change that group, and no other. The group is read where the properties say it lives,
 * then made to match what they declare; what they leave out (name, voice connectors, call
 * distribution) stays as it is, and numbers on the group that they do not declare stay on it. Every
 * change goes into the ledger, so a failure writes the group back exactly as it was read and
 * releases the numbers this delivery associated. A failure never answers with the adopted ID: the
 * rollback Delete CloudFormation would send for it would delete the user's group.
 *
 * `from` is the group this resource held before (an Update that points the property at another
 * group): numbers it holds that the properties declare move with the resource, as with a move.
 */
export async function onAdopt(step: Step, spec: GroupSpec, from?: { location: Location; id: string }): Promise<Outcome> {
  const id = spec.adoptVoiceConnectorGroupId!;
  const location = locationOf(step, spec);
  // A group made seconds ago may not be readable yet (CHIME.md, "read after create"): NotFound stands only after the read lag.
  const found = await findGroup(step, id, [location]);
  if (found === GONE) {
    throw new GroupError(
      `${step.label}: adoptVoiceConnectorGroupId: there is no voice connector group ${id} in ${location.namespace} ${location.region}, where the resource looked for it. ` +
        'Check the ID; a group can be adopted only from the API namespace and Region the resource names, so set apiNamespace and apiRegion to where the group lives. Nothing was changed.',
    );
  }
  const live = found.group;
  const api = step.open(location, 'work');
  const settle = step.open(location, 'settle');
  const numbers = spec.phoneNumbers ?? [];
  step.workingOn(id);
  // Read before anything changes, so that failing to read leaves nothing to undo.
  const held = from && numbers.length > 0 ? await unlessGone(step.open(from.location, 'work').phoneNumbers(from.id)) : [];
  const onGroup = numbers.length > 0 ? await api.phoneNumbers(id) : [];
  const input = declaredOver(spec, live);
  const group = (await updateGroup(step.ledger, api, settle, id, live, input, step.signals.work)) ?? live;
  const add = without(numbers, onGroup);
  if (add.length > 0) {
    const movedFrom = from && held !== GONE ? { api: step.open(from.location, 'settle'), id: from.id, numbers: held } : undefined;
    const outcome = await associateAll(api, id, add, (n) => spec.forceAssociate === true || (held !== GONE && held.includes(n)), { ledger: step.ledger, settle, movedFrom });
    if (outcome.failed.length > 0 || outcome.error !== undefined) throw numbersFailed('associate', id, step.label, outcome, spec.forceAssociate === true);
  }
  step.log({ adopted: id, changed: !step.ledger.empty, associated: add });
  // Answered with a change CloudFormation then does not record (another delivery's answer was taken): undone.
  return { ...answer({ ...live, ...group }, step.label), afterAnswer: step.ledger.empty ? undefined : removeIfNotRecorded(step, id) };
}
