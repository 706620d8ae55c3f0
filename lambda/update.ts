import type { CloudFormationCustomResourceUpdateEvent } from 'aws-lambda';
import { GROUP_ID_PATTERN, GroupSpec, LIMITS } from '../lib/rules';
import { toWireInput } from './api';
import { onCreate } from './create';
import { findGroup, GONE, numbersFailed, patient, unlessGone, updateGroup } from './group-changes';
import { associateAll, disassociateAll, without } from './phone-numbers';
import { declaredNumbers, declaresNumbers, locate, Location, parseGroupSpec, sameLocation } from './properties';
import { answer, locationOf, Outcome, Step } from './step';

/**
 * Phone numbers follow the template's changes, not its whole list: numbers newly declared are
 * associated, numbers no longer declared are released (wherever they came from), and nothing else
 * is touched. A declared number that drifted away (released or moved by hand) is reported in the
 * log and does not fail the update, nor its rollback. At the per-group limit, releasing goes first.
 */
async function syncNumbers(step: Step, location: Location, id: string, spec: GroupSpec, oldProperties: unknown): Promise<void> {
  // Properties that stop declaring numbers release the ones they declared: a rollback to a
  // template without phoneNumbers must take back what the failed update associated.
  const declared = spec.phoneNumbers ?? (declaresNumbers(oldProperties) ? [] : undefined);
  if (declared === undefined) return;
  const before = declaredNumbers(oldProperties);
  const newly = without(declared, before);
  const dropped = without(before, declared);
  const api = step.open(location, 'work');
  const live = await api.phoneNumbers(id);
  const drifted = declared.filter((n) => before.includes(n) && !live.includes(n));
  if (drifted.length > 0) step.log({ warning: 'declared phone numbers are not on the group (changed outside CloudFormation); left as they are', voiceConnectorGroupId: id, numbers: drifted });
  const add = without(newly, live);
  const remove = dropped.filter((n) => live.includes(n));
  if (add.length === 0 && remove.length === 0) return;

  const tracking = { ledger: step.ledger, settle: step.open(location, 'settle') };
  const adding = async () => {
    const o = await associateAll(api, id, add, () => spec.forceAssociate === true, tracking);
    if (o.failed.length > 0 || o.error !== undefined) throw numbersFailed('associate', id, step.label, o, spec.forceAssociate === true);
  };
  const removing = async () => {
    const o = await disassociateAll(api, id, remove, tracking);
    if (o.failed.length > 0 || o.error !== undefined) throw numbersFailed('disassociate', id, step.label, o, false);
  };
  // Adding first leaves no declared number without a route; at the limit there is no room for that.
  const full = live.length + add.length > LIMITS.phoneNumbersPerGroup;
  for (const run of full ? [removing, adding] : [adding, removing]) await run();
  // A SUCCESS answer has no reason, so the log is where a release is told, and why.
  step.log({ numbers: 'associated those newly declared, released those the template no longer declares', voiceConnectorGroupId: id, associated: add, released: remove });
}

/**
 * Updates the group in place, or replaces it when its namespace or Region changes. The group is read
 * first: it is what the undo writes back if anything after the update fails.
 */
export async function onUpdate(step: Step, event: CloudFormationCustomResourceUpdateEvent): Promise<Outcome> {
  const spec = parseGroupSpec(event.ResourceProperties, step.label);
  const id = event.PhysicalResourceId;
  if (!GROUP_ID_PATTERN.test(id)) return onCreate(step, spec);
  const target = locationOf(step, spec);
  const previous = locate(event.OldResourceProperties, step.functionRegion);
  // A group cannot move between namespaces or Regions, so a move creates its replacement, and
  // CloudFormation deletes the old one once the whole update has succeeded. Whether this is a move
  // is decided by where the group is, not by the property strings: the rollback of a move that
  // failed points back to where the group still lives, and updates it there in place.
  if (!previous || !sameLocation(previous, target)) {
    const found = await findGroup(step, id, previous ? [target, previous] : [target]);
    if (found !== GONE && !sameLocation(found.location, target)) return onCreate(step, spec, { location: found.location, id });
    if (found === GONE) return onCreate(step, spec);
  }
  const api = step.open(target, 'work');
  // CloudFormation records this group, so NotFound may be the read lag of a recent create; once the
  // group has been read, NotFound from a later call names something else (a voice connector).
  const live = await unlessGone(patient(api, step, 'work').get(id));
  // Deleted outside CloudFormation: make it again rather than leave the stack unable to update or
  // roll back. The new ID makes CloudFormation's cleanup Delete of the old one a no-op.
  if (live === GONE) return onCreate(step, spec);
  const updated = await updateGroup(step.ledger, api, step.open(target, 'settle'), id, live, toWireInput(spec, spec.voiceConnectorItems), step.signals.work);
  await syncNumbers(step, target, id, spec, event.OldResourceProperties);
  return answer(updated, step.label);
}
