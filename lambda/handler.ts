import type {
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { GROUP_ID_PATTERN, GroupSpec } from '../lib/rules';
import { Connect, GroupWire, liveInput, toWireInput, WireGroup, WireGroupInput, wireItems } from './api';
import { describeApiError, errorName, fitReason, GroupError } from './errors';
import { associateAll, describeFailures, disassociateAll, maskNumbers, numberList, Outcome, without } from './phone-numbers';
import { declaredNumbers, declaresNumbers, locate, Location, parseGroupSpec, sameLocation, storedNamespace, whereToLook } from './properties';

/** What CDK's provider entrypoint turns into the SUCCESS response sent to CloudFormation. */
export interface HandlerResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** The part of the Lambda context the handler uses. */
export interface DeadlineContext {
  getRemainingTimeInMillis(): number;
}

/**
 * Kept back from the Lambda timeout so the entrypoint can still send its answer (it retries the
 * response PUT for up to about 30 s) after an API call is aborted: CloudFormation is never left waiting.
 */
export const RESPONSE_RESERVE_MS = 40_000;
/**
 * Kept back from the API work, before the response reserve, for putting things right after a
 * failure: writing a group back as it was, or finding and removing what a Create made. Calls in
 * this phase are retried until it ends, not only as often as the SDK retries.
 */
export const SETTLE_RESERVE_MS = 40_000;
/** The API time budget when there is no Lambda context (local runs). */
export const DEFAULT_BUDGET_MS = 120_000;
/**
 * How long before a Create's delivery a group it finds may have been made by an earlier delivery of
 * the same event: Lambda retries a failed invocation twice, about 1 and 2 minutes apart, each up to
 * the 3-minute timeout, and may deliver an event twice. The event says nothing of when it was sent
 * (CDK's entrypoint hides the presigned response URL from the handler), groups have no tags and the
 * API takes no idempotency token, so a group with this name and these items made that recently is
 * this resource's.
 */
export const RECONCILE_WINDOW_MS = 15 * 60_000;
/** Allowed between the function's clock and the service's when comparing with its timestamps. */
const CLOCK_SKEW_MS = 250;
/** Errors worth trying again while the settle phase lasts: the service or the network, not the request. */
const TRANSIENT = new Set(['ThrottledClientException', 'ServiceFailureException', 'ServiceUnavailableException', 'TimeoutError', 'AbortError']);

/** The API refuses to delete a group that still has voice connectors or phone numbers. */
const REFUSALS = new Set(['ConflictException', 'BadRequestException']);
const GONE = Symbol('gone');
const REFUSED_ACCESS = new Set(['AccessDeniedException', 'ForbiddenException', 'UnauthorizedClientException']);

const apiErrorName = (err: unknown) => errorName(err instanceof GroupError ? err.cause : err);

/** Wraps each operation so failures read as sentences that name the group and the operation. */
function described(wire: GroupWire, label: string): GroupWire {
  const attempt = async <T>(operation: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (err) {
      throw describeApiError(operation, label, err);
    }
  };
  return {
    create: (input) => attempt('CreateVoiceConnectorGroup', () => wire.create(input)),
    update: (id, input) => attempt(`UpdateVoiceConnectorGroup ${id}`, () => wire.update(id, input)),
    get: (id) => attempt(`GetVoiceConnectorGroup ${id}`, () => wire.get(id)),
    delete: (id) => attempt(`DeleteVoiceConnectorGroup ${id}`, () => wire.delete(id)),
    list: () => attempt('ListVoiceConnectorGroups', () => wire.list()),
    phoneNumbers: (id) => attempt(`ListPhoneNumbers of group ${id}`, () => wire.phoneNumbers(id)),
    associate: (id, numbers, force) => attempt(`AssociatePhoneNumbersWithVoiceConnectorGroup ${id}`, () => wire.associate(id, numbers, force)),
    disassociate: (id, numbers) => attempt(`DisassociatePhoneNumbersFromVoiceConnectorGroup ${id}`, () => wire.disassociate(id, numbers)),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a call where NotFound means the group is gone. */
async function unlessGone<T>(call: Promise<T>): Promise<T | typeof GONE> {
  try {
    return await call;
  } catch (err) {
    if (apiErrorName(err) === 'NotFoundException') return GONE;
    throw err;
  }
}

interface Step {
  readonly event: CloudFormationCustomResourceEvent;
  readonly label: string;
  readonly functionRegion?: string;
  /** The API where a group lives: `work` calls stop at the work deadline, `settle` calls at the later one. */
  readonly open: (location: Location, phase: 'work' | 'settle') => GroupWire;
  readonly signals: Record<'work' | 'settle', AbortSignal>;
}

function locationOf(step: Step, spec: GroupSpec): Location {
  const location = locate(spec, step.functionRegion);
  if (!location) throw new GroupError(`${step.label} has no apiRegion and the function has no AWS_REGION; set apiRegion`);
  return location;
}

function answer(group: WireGroup, label: string): HandlerResponse {
  const id = group.VoiceConnectorGroupId;
  if (!id) throw new GroupError(`The API answered for ${label} without a VoiceConnectorGroupId`);
  const data: Record<string, string> = { VoiceConnectorGroupId: id };
  if (group.Name) data.VoiceConnectorGroupName = group.Name;
  if (group.VoiceConnectorGroupArn) data.VoiceConnectorGroupArn = group.VoiceConnectorGroupArn;
  return { PhysicalResourceId: id, Data: data };
}

const itemsKey = (items: WireGroupInput['VoiceConnectorItems']) =>
  JSON.stringify(items.map((i) => `${i.VoiceConnectorId}:${i.Priority}`).sort());
/** A group whose answer carries no timestamp counts as the newest. */
const createdAt = (g: WireGroup) => (g.CreatedTimestamp instanceof Date ? g.CreatedTimestamp.getTime() : Number.POSITIVE_INFINITY);
/** Oldest first, then by ID: every delivery of an event picks the same survivor from the same groups. */
const byAge = (a: WireGroup, b: WireGroup) => createdAt(a) - createdAt(b) || String(a.VoiceConnectorGroupId).localeCompare(String(b.VoiceConnectorGroupId));

/** Detaches a group's connectors and deletes it; a group already gone counts as removed. */
async function removeGroup(api: GroupWire, group: WireGroup): Promise<void> {
  const id = group.VoiceConnectorGroupId!;
  if (wireItems(group).length > 0 && (await unlessGone(api.update(id, liveInput(group, [])))) === GONE) return;
  await unlessGone(api.delete(id));
}

/**
 * Removes a group taken for a duplicate, unless phone numbers route through it: then detaching its
 * connectors would cut their calls off, and the API would refuse the delete anyway.
 */
async function removeDuplicate(api: GroupWire, group: WireGroup): Promise<void> {
  const numbers = await unlessGone(api.phoneNumbers(group.VoiceConnectorGroupId!));
  if (numbers === GONE) return;
  if (numbers.length > 0) throw new GroupError(`group ${group.VoiceConnectorGroupId} has ${numbers.length} phone number(s) and was left as it is`);
  await removeGroup(api, group);
}

/**
 * Endpoints (namespace and Region) seen to report milliseconds in their timestamps. Like the SDK
 * clients, this outlives an invocation: it is a fact about the service, not about any event.
 */
const MILLISECOND_STAMPS = new Set<string>();

/**
 * Timestamps without milliseconds may be whole seconds: a group made later in the same second
 * would look as old as this one. Unless the endpoint is known to report milliseconds, listing only
 * once that second (and some clock skew) has passed lets every delivery see every group it could
 * tie with.
 */
async function pastSameSecond(location: Location, seen: readonly WireGroup[], signal: AbortSignal): Promise<void> {
  const key = `${location.namespace} ${location.region}`;
  if (seen.some((g) => g.CreatedTimestamp instanceof Date && g.CreatedTimestamp.getUTCMilliseconds() !== 0)) MILLISECOND_STAMPS.add(key);
  const stamp = seen.at(-1)?.CreatedTimestamp;
  if (MILLISECOND_STAMPS.has(key) || !(stamp instanceof Date)) return;
  const wait = stamp.getTime() + 1_000 + CLOCK_SKEW_MS - Date.now();
  if (wait > 0 && !signal.aborted) await sleep(Math.min(wait, 2_000 + CLOCK_SKEW_MS));
}

/** Retries a call while the settle phase lasts, as long as its failures are transient. */
async function persist<T>(call: () => Promise<T>, signal: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (signal.aborted || !TRANSIENT.has(apiErrorName(err))) throw err;
      await sleep(Math.min(500 * attempt, 5_000));
    }
  }
}

/**
 * Creates the group exactly once, whatever happened to other deliveries of the same event or to a
 * call whose answer was lost: a group with this name and these items made within the reconcile
 * window is this resource's. A delivery that finds one (an earlier delivery made it) creates none. After
 * its own call, a delivery looks again. Either way the oldest such group is kept and newer ones are
 * removed, so concurrent deliveries agree on one group and never delete each other's survivor.
 */
async function createGroup(step: Step, location: Location, input: WireGroupInput): Promise<WireGroup> {
  const since = Date.now() - RECONCILE_WINDOW_MS;
  const ours = (g: WireGroup) =>
    g.Name === input.Name && itemsKey(wireItems(g)) === itemsKey(input.VoiceConnectorItems) && Number.isFinite(createdAt(g)) && createdAt(g) >= since && !!g.VoiceConnectorGroupId;
  const api = step.open(location, 'work');
  const settle = step.open(location, 'settle');
  const keepOldest = async (found: WireGroup[]) => {
    const [survivor, ...extras] = found.sort(byAge);
    for (const extra of extras) {
      // The survivor is this resource's group whatever happens to an extra, and the delivery that
      // made the extra removes it too: failing here would only strand the survivor.
      await persist(() => removeDuplicate(settle, extra), step.signals.settle).catch((err: unknown) =>
        console.log(JSON.stringify({ warning: 'a duplicate group could not be removed', voiceConnectorGroupId: extra.VoiceConnectorGroupId, reason: maskNumbers(describeApiError('DeleteVoiceConnectorGroup', step.label, err).message) })),
      );
    }
    return survivor;
  };

  const listed = await api.list();
  const earlier = listed.filter(ours);
  if (earlier.length > 0) return keepOldest(earlier);
  let made: WireGroup | undefined;
  let failure: unknown;
  try {
    made = await api.create(input);
  } catch (err) {
    // The call may have made the group before its answer was lost: look before failing.
    failure = err;
  }
  await pastSameSecond(location, made ? [...listed, made] : listed, step.signals.settle);
  let found: WireGroup[];
  try {
    found = (await persist(() => settle.list(), step.signals.settle)).filter(ours);
  } catch {
    if (made) return made;
    // The call may have made the group before its answer was lost, and it could not be looked for.
    if (TRANSIENT.has(apiErrorName(failure))) {
      throw new GroupError(
        `${describeApiError('CreateVoiceConnectorGroup', step.label, failure).message}. The call may have made group '${input.Name}' before its answer was lost, ` +
          `and listing the groups to find it failed too: look for it in ${location.namespace} ${location.region} and delete it if it is there.`,
        { cause: failure },
      );
    }
    throw failure;
  }
  const madeId = made?.VoiceConnectorGroupId;
  if (madeId && !found.some((g) => g.VoiceConnectorGroupId === madeId)) found.push(made!);
  if (found.length === 0) {
    if (made) return made;
    throw failure;
  }
  return keepOldest(found);
}

/**
 * Creates the group and associates its numbers. Numbers the old group of this resource holds (a
 * move) are moved with it; others only with forceAssociate. If any number fails, nothing is left
 * behind: the numbers done go back where they were and the new group is removed, since
 * CloudFormation's rollback Delete cannot name a group a failed Create made.
 */
async function onCreate(step: Step, spec: GroupSpec, from?: { location: Location; id: string }): Promise<HandlerResponse> {
  const location = locationOf(step, spec);
  const numbers = spec.phoneNumbers ?? [];
  // Read before anything is made, so that failing to read it leaves nothing to undo.
  const held = from && numbers.length > 0 ? await step.open(from.location, 'work').phoneNumbers(from.id) : [];
  const group = await createGroup(step, location, toWireInput(spec, spec.voiceConnectorItems));
  if (numbers.length === 0) return answer(group, step.label);
  const id = group.VoiceConnectorGroupId!;
  const outcome = await associateAll(step.open(location, 'work'), id, numbers, (n) => spec.forceAssociate === true || held.includes(n));
  if (outcome.failed.length === 0 && outcome.error === undefined) return answer(group, step.label);

  const settle = step.open(location, 'settle');
  const undo = async () => {
    const moved = outcome.done.filter((n) => held.includes(n));
    if (moved.length > 0) await persistAll(step, () => associateAll(step.open(from!.location, 'settle'), from!.id, moved, () => true));
    await persistAll(step, () => disassociateAll(settle, id, without(outcome.done, moved)));
    await persist(() => removeGroup(settle, group), step.signals.settle);
  };
  const released = spec.forceAssociate === true ? without(outcome.done, held) : [];
  const left = await undo().then(
    () =>
      released.length > 0
        ? `The group was removed; ${numberList(released)}, associated with forceAssociate, were released rather than moved back to where they were.`
        : 'Nothing was left behind: the group was removed and every number is where it was.',
    (err: unknown) => `Undoing it failed too (${describeApiError('cleanup', step.label, err).message}): group ${id} may remain; delete it by hand.`,
  );
  throw new GroupError(`${numbersFailed('associate', id, step.label, outcome, spec.forceAssociate === true)} ${left}`, { cause: outcome.error });
}

/** Runs a batch operation while the settle phase lasts; any failure left at the end is thrown. */
async function persistAll(step: Step, run: () => Promise<Outcome>): Promise<void> {
  const outcome = await persist(async () => {
    const o = await run();
    if (o.error !== undefined) throw o.error;
    return o;
  }, step.signals.settle);
  if (outcome.failed.length > 0) throw new GroupError(`the API refused ${describeFailures(outcome.failed)}`);
}

/** The reason for a failed association or disassociation: each number with its error code. */
function numbersFailed(action: 'associate' | 'disassociate', id: string, label: string, outcome: Outcome, forced: boolean): string {
  const verb = action === 'associate' ? 'associate phone numbers with' : 'disassociate phone numbers from';
  if (outcome.failed.length === 0) {
    // CloudFormation updates the role's policy before the resource: the actions are gone once no group of the stack declares phoneNumbers.
    const denied = apiErrorName(outcome.error) === 'AccessDeniedException' ? ' To release a group\'s numbers, deploy it with phoneNumbers: [] before removing the property or the group.' : '';
    return `${describeApiError(`Could not ${verb} voice connector group ${id}`, label, outcome.error).message}.${denied}`;
  }
  const elsewhere = !forced && outcome.failed.some((f) => f.code === 'PhoneNumberAssociationsExist' || /associat/i.test(f.message));
  return (
    `Could not ${verb} voice connector group ${id} of ${label}: ${describeFailures(outcome.failed)}.` +
    (action === 'associate' ? ' Each number must be in the account\'s inventory with product type VoiceConnector.' : '') +
    (elsewhere ? ' A number associated elsewhere moves only with forceAssociate: true.' : '')
  );
}

/**
 * Brings the group's numbers to the declared ones: adds first, then removes, so that no declared
 * number is ever without a route; numbers never declared by this resource are left alone. If
 * anything fails, the previous set is put back, so CloudFormation's rollback starts from it.
 */
async function syncNumbers(step: Step, location: Location, id: string, spec: GroupSpec, previouslyDeclared: readonly string[]): Promise<void> {
  const api = step.open(location, 'work');
  const desired = spec.phoneNumbers ?? [];
  const live = await api.phoneNumbers(id);
  const add = without(desired, live);
  const remove = previouslyDeclared.filter((n) => live.includes(n) && !desired.includes(n));
  if (add.length === 0 && remove.length === 0) return;

  const settle = step.open(location, 'settle');
  const added = await associateAll(api, id, add, () => spec.forceAssociate === true);
  let failure = added;
  let action: 'associate' | 'disassociate' = 'associate';
  let removed: Outcome = { done: [], failed: [] };
  if (added.failed.length === 0 && added.error === undefined) {
    removed = await disassociateAll(api, id, remove);
    if (removed.failed.length === 0 && removed.error === undefined) return;
    failure = removed;
    action = 'disassociate';
  }
  const left = await (async () => {
    await persistAll(step, () => associateAll(settle, id, removed.done, () => false));
    await persistAll(step, () => disassociateAll(settle, id, added.done));
  })().then(
    () => 'The group\'s phone numbers were put back as they were.',
    (err: unknown) => `Putting the previous numbers back failed too (${describeApiError('cleanup', step.label, err).message}); check the group's numbers.`,
  );
  throw new GroupError(`${numbersFailed(action, id, step.label, failure, spec.forceAssociate === true)} ${left}`, { cause: failure.error });
}

async function onUpdate(step: Step, event: CloudFormationCustomResourceUpdateEvent): Promise<HandlerResponse> {
  const spec = parseGroupSpec(event.ResourceProperties, step.label);
  const id = event.PhysicalResourceId;
  if (!GROUP_ID_PATTERN.test(id)) return onCreate(step, spec);
  const target = locationOf(step, spec);
  const previous = locate(event.OldResourceProperties, step.functionRegion);
  const api = step.open(target, 'work');
  // A group cannot move between namespaces or Regions, so a move creates its replacement, and
  // CloudFormation deletes the old one once the whole update has succeeded. Whether this is a move
  // is decided by where the group is, not by the property strings: the rollback of a move that
  // failed points back to where the group still lives, and updates it there in place.
  if (!previous || !sameLocation(previous, target)) {
    if ((await unlessGone(api.get(id))) === GONE) return onCreate(step, spec, previous && { location: previous, id });
  }
  try {
    const result = answer(await api.update(id, toWireInput(spec, spec.voiceConnectorItems)), step.label);
    // Properties that stop declaring numbers release the ones they declared: a rollback to a
    // template without phoneNumbers must take back what the failed update associated.
    if (spec.phoneNumbers !== undefined || declaresNumbers(event.OldResourceProperties)) {
      await syncNumbers(step, target, id, { ...spec, phoneNumbers: spec.phoneNumbers ?? [] }, declaredNumbers(event.OldResourceProperties));
    }
    return result;
  } catch (err) {
    // NotFound can name a voice connector as well as the group: recreate only a group that is gone.
    if (apiErrorName(err) !== 'NotFoundException' || (await unlessGone(api.get(id))) !== GONE) throw err;
  }
  // Deleted outside CloudFormation: make it again rather than leave the stack unable to update
  // or roll back. The new ID makes CloudFormation's cleanup Delete of the old one a no-op.
  return onCreate(step, spec);
}

/**
 * Deletes the group from what the service reports, never from the template: the stored properties
 * may be stale (drift) or no longer valid. Anything that would make the API refuse is checked
 * before anything changes. If the delete still fails once the connectors are detached, the group
 * is written back exactly as it was read.
 */
async function onDelete(step: Step, event: CloudFormationCustomResourceDeleteEvent): Promise<HandlerResponse> {
  const id = event.PhysicalResourceId ?? '';
  // Not a group ID (a Create that failed before the API made one): there is nothing to delete.
  if (!GROUP_ID_PATTERN.test(id)) return { PhysicalResourceId: id };
  const places = whereToLook(event.ResourceProperties, step.functionRegion);
  if (places.length === 0) throw new GroupError(`${step.label} has no readable apiRegion and the function has no AWS_REGION, so group ${id} cannot be found`);
  let location: Location | undefined;
  let group: WireGroup | typeof GONE = GONE;
  for (const [i, place] of places.entries()) {
    // Looking in another namespace only because the stored one is unreadable: a namespace that
    // refuses this account (the legacy one refuses new accounts) holds none of its groups.
    group = await unlessGone(step.open(place, 'work').get(id)).catch((err: unknown) => {
      if (i > 0 && REFUSED_ACCESS.has(apiErrorName(err))) return GONE;
      throw err;
    });
    location = place;
    if (group !== GONE) break;
  }
  if (group === GONE || !location) return { PhysicalResourceId: id };
  const api = step.open(location, 'work');

  const numbers = await api.phoneNumbers(id);
  const foreign = without(numbers, declaredNumbers(event.ResourceProperties));
  if (foreign.length > 0) {
    throw new GroupError(
      `Cannot delete voice connector group ${id} of ${step.label}: ${foreign.length} phone number(s) that this resource does not declare are associated with it ` +
        `(${numberList(foreign)}), and the API refuses to delete a group that has any. Disassociate them with ` +
        'DisassociatePhoneNumbersFromVoiceConnectorGroup (or declare them in phoneNumbers) and retry, or keep the group with ' +
        'removalPolicy: RemovalPolicy.RETAIN. Nothing was changed.',
    );
  }
  if (numbers.length > 0) {
    const released = await disassociateAll(api, id, numbers);
    if (released.failed.length > 0 || released.error !== undefined) {
      const left = await persistAll(step, () => associateAll(step.open(location!, 'settle'), id, released.done, () => false)).then(
        () => 'The numbers released were associated again; nothing else was changed.',
        (err: unknown) => `Associating the released numbers again failed too (${describeApiError('cleanup', step.label, err).message}).`,
      );
      throw new GroupError(`${numbersFailed('disassociate', id, step.label, released, false)} ${left}`, { cause: released.error });
    }
  }
  const items = wireItems(group);
  const restoreNumbers = () => persistAll(step, () => associateAll(step.open(location!, 'settle'), id, numbers, () => false));
  try {
    if (items.length > 0 && (await unlessGone(api.update(id, liveInput(group, [])))) === GONE) return { PhysicalResourceId: id };
    await unlessGone(api.delete(id));
    return { PhysicalResourceId: id };
  } catch (err) {
    if (items.length > 0 && (await putBack(step, location, group, err)) === GONE) return { PhysicalResourceId: id };
    if (numbers.length > 0) {
      await restoreNumbers().catch((restoreErr: unknown) => {
        throw new GroupError(
          `${describeApiError(`DeleteVoiceConnectorGroup ${id}`, step.label, err).message}. Associating its phone numbers again failed ` +
            `(${describeApiError('cleanup', step.label, restoreErr).message}): associate ${numberList(numbers)} with group ${id} again.`,
          { cause: err },
        );
      });
    }
    const refused = REFUSALS.has(apiErrorName(err));
    const cause = describeApiError(`DeleteVoiceConnectorGroup ${id}`, step.label, err).message;
    throw new GroupError(
      `${cause}. ${refused ? 'Something was associated with the group after the check for phone numbers; disassociate it and retry. ' : ''}` +
        'The group was left as it was, with its voice connectors and phone numbers attached.',
      { cause: err },
    );
  }
}

/** Writes a group back as it was read, after a failed delete had detached its connectors. */
async function putBack(step: Step, location: Location, group: WireGroup, failure: unknown): Promise<void | typeof GONE> {
  const id = group.VoiceConnectorGroupId!;
  const items = wireItems(group);
  const settle = step.open(location, 'settle');
  try {
    await persist(() => settle.update(id, liveInput(group, items)), step.signals.settle);
    return undefined;
  } catch (err) {
    // NotFound may name a voice connector deleted meanwhile, not the group: only a Get tells.
    if (apiErrorName(err) === 'NotFoundException' && (await unlessGone(persist(() => settle.get(id), step.signals.settle)).catch(() => undefined)) === GONE) {
      return GONE;
    }
    const list = items.map((i) => `${i.VoiceConnectorId} (priority ${i.Priority})`).join(', ');
    throw new GroupError(
      `${describeApiError(`DeleteVoiceConnectorGroup ${id}`, step.label, failure).message}. Putting the group's voice connectors back failed too ` +
        `(${describeApiError(`UpdateVoiceConnectorGroup ${id}`, step.label, err).message}), so the group may have none now: add back ${list} and retry the delete.`,
      { cause: failure },
    );
  }
}

/**
 * Builds the custom-resource handler for both API namespaces. Every event is answered: the result
 * becomes SUCCESS, and any error a FAILED whose reason says what was wrong and how to fix it, and
 * fits CloudFormation's response limit.
 */
export function makeHandler(connect: Connect) {
  return async function handler(event: CloudFormationCustomResourceEvent, context?: Partial<DeadlineContext>): Promise<HandlerResponse> {
    const started = Date.now();
    const functionRegion = process.env.AWS_REGION;
    const namespace = storedNamespace((event as { ResourceProperties?: unknown } | undefined)?.ResourceProperties);
    const label = `${event?.LogicalResourceId ?? 'the custom resource'}${namespace ? ` (${namespace})` : ''}`;
    const line = { requestType: event?.RequestType, logicalResourceId: event?.LogicalResourceId, namespace };
    try {
      if (typeof event !== 'object' || event === null) throw new GroupError('The event is not a CloudFormation custom resource event');
      const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
      const budget = remaining === undefined ? DEFAULT_BUDGET_MS + SETTLE_RESERVE_MS : remaining - RESPONSE_RESERVE_MS;
      const signals = { work: AbortSignal.timeout(Math.max(budget - SETTLE_RESERVE_MS, 1_000)), settle: AbortSignal.timeout(Math.max(budget, 2_000)) };
      const step: Step = { event, label, functionRegion, signals, open: (location, phase) => described(connect(location.namespace, location.region, signals[phase]), label) };
      let result: HandlerResponse;
      switch (event.RequestType) {
        case 'Create':
          result = await onCreate(step, parseGroupSpec(event.ResourceProperties, label));
          break;
        case 'Update':
          result = await onUpdate(step, event);
          break;
        case 'Delete':
          result = await onDelete(step, event);
          break;
        default:
          throw new GroupError(`Unknown RequestType ${JSON.stringify((event as { RequestType?: unknown }).RequestType)} for ${label}; expected Create, Update or Delete`);
      }
      console.log(JSON.stringify({ ...line, physicalResourceId: result.PhysicalResourceId, outcome: 'SUCCESS', ms: Date.now() - started }));
      return result;
    } catch (err) {
      const error = err instanceof GroupError ? err : describeApiError(String(line.requestType), label, err);
      console.log(JSON.stringify({ ...line, physicalResourceId: (event as { PhysicalResourceId?: string } | undefined)?.PhysicalResourceId, outcome: 'FAILED', reason: maskNumbers(error.message), ms: Date.now() - started }));
      throw new GroupError(fitReason(typeof event === 'object' && event !== null ? event : {}, error.message), { cause: error.cause });
    }
  };
}
