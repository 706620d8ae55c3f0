import type { CloudFormationCustomResourceUpdateEvent } from 'aws-lambda';
import { GROUP_ID_PATTERN, GroupSpec, LIMITS } from '../lib/rules';
import { declaredOver, sameItems, WireGroup, WireGroupInput, wireItems } from './api';
import { onAdopt } from './adopt';
import { onCreate } from './create';
import { findGroup, GONE, numbersFailed, patient, unlessGone, updateGroup } from './group-changes';
import { associateAll, disassociateAll, without } from './phone-numbers';
import { declaredNumbers, declaresNumbers, locate, Location, parseGroupSpec, sameLocation, storedAdoption } from './properties';
import { GroupError } from './errors';
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
 * Updates the group in place, or replaces it when its namespace or Region changes, or when the
 * properties adopt another group. The group is read first: it is what the undo writes back if
 * anything after the update fails. A group already as declared gets no UpdateVoiceConnectorGroup.
 */
export async function onUpdate(step: Step, event: CloudFormationCustomResourceUpdateEvent): Promise<Outcome> {
  const spec = parseGroupSpec(event.ResourceProperties, step.label);
  const id = event.PhysicalResourceId;
  const target = locationOf(step, spec);
  const previous = locate(event.OldResourceProperties, step.functionRegion);
  const adopt = spec.adoptVoiceConnectorGroupId;
  // Pointing the property at another group (or at a group elsewhere) adopts that one: a new physical
  // ID, so CloudFormation's cleanup deals with the old one, as its removal policy says.
  if (adopt !== undefined && (adopt !== id || !previous || !sameLocation(previous, target))) {
    return onAdopt(step, spec, GROUP_ID_PATTERN.test(id) && previous ? { location: previous, id } : undefined);
  }
  if (!GROUP_ID_PATTERN.test(id)) return onCreate(step, spec);
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
  if (live === GONE) {
    // The user's own group, gone: nothing here may make another in its place.
    if (adopt !== undefined) {
      throw new GroupError(
        `${step.label}: voice connector group ${id}, adopted with adoptVoiceConnectorGroupId, is no longer in ${target.namespace} ${target.region}: it was deleted outside CloudFormation. ` +
          'Point adoptVoiceConnectorGroupId at a group that exists, or remove it (declaring voiceConnectorGroupName and voiceConnectorItems) to have the construct make a new group. Nothing was changed.',
      );
    }
    // Deleted outside CloudFormation: make it again rather than leave the stack unable to update or
    // roll back. The new ID makes CloudFormation's cleanup Delete of the old one a no-op.
    return onCreate(step, spec);
  }
  step.workingOn(id);
  const input = declaredOver(spec, live);
  refuseDroppedAdoption(step, event, live, input);
  const updated = (await updateGroup(step.ledger, api, step.open(target, 'settle'), id, live, input, step.signals.work)) ?? live;
  await syncNumbers(step, target, id, spec, event.OldResourceProperties);
  return answer({ ...live, ...updated }, step.label);
}

const itemList = (items: WireGroupInput['VoiceConnectorItems']) => (items.length === 0 ? 'none' : items.map((i) => `${i.VoiceConnectorId} (priority ${i.Priority})`).join(', '));

/**
 * Removing `adoptVoiceConnectorGroupId` changes nothing by itself. What the adoption left to the
 * group (its name, connectors, call distribution) the construct then declares as it does for a
 * group it makes (a generated name, no connectors): rather than rename the group or detach its
 * connectors, such an Update fails, saying what to declare first.
 */
function refuseDroppedAdoption(step: Step, event: CloudFormationCustomResourceUpdateEvent, live: WireGroup, input: WireGroupInput): void {
  const before = storedAdoption(event.OldResourceProperties);
  if (!before || storedAdoption(event.ResourceProperties) || before.id !== event.PhysicalResourceId) return;
  const changes: string[] = [];
  if (before.leftOut.includes('voiceConnectorGroupName') && input.Name !== live.Name) {
    changes.push(`rename it from '${live.Name}' to '${input.Name}' (declare voiceConnectorGroupName: '${live.Name}')`);
  }
  if (before.leftOut.includes('voiceConnectorItems') && !sameItems(live, input.VoiceConnectorItems)) {
    changes.push(`change its voice connectors from ${itemList(wireItems(live))} to ${itemList(input.VoiceConnectorItems)} (declare voiceConnectorItems as they are)`);
  }
  if (before.leftOut.includes('callDistribution') && (live.CallDistributionType ?? undefined) !== input.CallDistributionType) {
    changes.push(`change its call distribution from ${live.CallDistributionType} to ${input.CallDistributionType ?? "the service's default"} (declare callDistribution: '${live.CallDistributionType}')`);
  }
  if (changes.length === 0) return;
  throw new GroupError(
    `${step.label}: removing adoptVoiceConnectorGroupId would ${changes.join('; ')}, since a group the construct manages declares what the adoption left to the group. ` +
      'Declare those properties as the group has them, then remove adoptVoiceConnectorGroupId, or keep it. Nothing was changed.',
  );
}
