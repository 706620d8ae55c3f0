import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnElement, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { ApiNamespace, CallDistribution, VoiceConnectorGroup, VoiceConnectorItem } from '../../lib';
import { DeployResult, DuplicateDeliveries, EventRecord, LocalCloudFormation, MAX_RESPONSE_BYTES, StackStatus } from '../../local/driver';
import { ChimeEndpoint, Group, Namespace } from '../../local/endpoint';
import { READ_AFTER_CREATE_LAG_MS } from './harness';

/**
 * Random sequences of stack operations (create, in-place update, replacement by a Region or
 * namespace change, an update that fails elsewhere and is rolled back, delete, a delete that phone
 * numbers block and its retry), each under a random fault, run through the bundled handler against
 * the local endpoint and CloudFormation. The group declares a subset of a small number inventory,
 * none (`[]`) or leaves its numbers alone (no `phoneNumbers`); some runs start with one of the
 * numbers on a voice connector outside the stack. After every operation the endpoint must hold what
 * a model of one group and the inventory says it holds.
 */

// Bounded so the file stays far inside CI's budget; a failure still shrinks within the limit.
// The handler waits out the endpoint's read lag (1.5 s) where a group was just made, so operations take longer than without it.
const TIME_LIMIT_MS = 90_000;
jest.setTimeout(TIME_LIMIT_MS + 45_000);

const STACK = 'ModelStack';
/** How long deliveries (duplicates, retries) may run on after their stack operation returned. */
const SETTLE_LIMIT_MS = 30_000;

type Location = 'sdk-us-east-1' | 'sdk-us-west-2' | 'chime';
const NAMESPACE: Record<Location, Namespace> = { 'sdk-us-east-1': 'chime-sdk-voice', 'sdk-us-west-2': 'chime-sdk-voice', chime: 'chime' };
const REGION: Record<Location, string> = { 'sdk-us-east-1': 'us-east-1', 'sdk-us-west-2': 'us-west-2', chime: 'us-east-1' };

/** Connectors every run creates: two in us-east-1, one in us-west-2; items refer to them by index. */
const CONNECTOR_REGIONS = ['us-east-1', 'us-east-1', 'us-west-2'];

/** The account's inventory of every run; the group's props declare subsets of it. */
const INVENTORY = ['+12065550101', '+12065550102', '+12065550103', '+12065550104', '+12065550105'];
/** The number that some runs start with on a voice connector outside the stack. */
const HELD_ELSEWHERE = INVENTORY[4];
/** Associated with the group from outside, never declared: it blocks a Delete. */
const FOREIGN = '+12065550100';

interface Props {
  readonly location: Location;
  readonly name: string;
  readonly items: readonly { readonly connector: number; readonly priority: number }[];
  /** Amazon Chime SDK Voice only. */
  readonly callDistribution?: CallDistribution;
  /** Undefined: the resource leaves the group's numbers alone. In inventory order. */
  readonly phoneNumbers?: readonly string[];
  readonly forceAssociate: boolean;
}

type Fault =
  | { readonly kind: 'none' }
  | { readonly kind: 'throttle'; readonly fraction: number }
  | { readonly kind: 'commit-then-drop-create' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'refuse-response' };

interface RunOptions {
  readonly endpointSeed: number;
  readonly duplicates?: DuplicateDeliveries;
  /** Whether HELD_ELSEWHERE starts on a voice connector outside the stack. */
  readonly heldElsewhere: boolean;
}

interface Model {
  stack: 'none' | 'live' | 'delete-failed';
  /** What the live group holds. */
  props?: Props;
  /** The group's ID, learned when it was made; an operation that keeps the group keeps this. */
  groupId?: string;
  /** The numbers on the stack's group, declared or not. */
  phoneNumbers: string[];
  /** Numbers on the voice connector outside the stack. */
  elsewhere: string[];
}

interface Real {
  readonly endpoint: ChimeEndpoint;
  readonly cfn: LocalCloudFormation;
  readonly connectors: string[];
  /** The voice connector outside the stack that may hold a number. */
  readonly outside: string;
}

const propsArb: fc.Arbitrary<Props> = fc
  .record({
    location: fc.constantFrom<Location>('sdk-us-east-1', 'sdk-us-west-2', 'chime'),
    name: fc.constantFrom('pbx-a', 'pbx-b', 'pbx c.1_x'),
    items: fc.uniqueArray(fc.record({ connector: fc.integer({ min: 0, max: 2 }), priority: fc.integer({ min: 1, max: 3 }) }), {
      maxLength: 2,
      selector: (i) => i.connector,
    }),
    callDistribution: fc.option(fc.constantFrom(CallDistribution.LOAD_BALANCED, CallDistribution.PRIORITY_WEIGHTED), { nil: undefined }),
    // Absent a third of the time, so that declaring, dropping and declaring again all happen.
    phoneNumbers: fc.option(fc.subarray(INVENTORY), { nil: undefined, freq: 2 }),
    forceAssociate: fc.boolean(),
  })
  .map((p) => (p.location === 'chime' ? { ...p, callDistribution: undefined } : p));

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 2, arbitrary: fc.integer({ min: 20, max: 30 }).map((n) => ({ kind: 'throttle' as const, fraction: n / 100 })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'commit-then-drop-create' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'drop' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'refuse-response' as const }) },
);

const runArb: fc.Arbitrary<RunOptions> = fc.record({
  // Unbiased: fast-check favours small integers, and the endpoint's generator starts some small seeds
  // with long throttling bursts that cost seconds of SDK backoff each.
  endpointSeed: fc.noBias(fc.integer({ min: 1, max: 0x7fffffff })),
  duplicates: fc.option(
    fc.record({ probability: fc.constant(0.5), seed: fc.noBias(fc.integer({ min: 1, max: 0x7fffffff })), afterMs: fc.constantFrom(0, 20) }),
    // Half the runs without duplicates, where no delivery can run after a rollback.
    { nil: undefined, freq: 2 },
  ),
  heldElsewhere: fc.boolean(),
});

const describeProps = (p: Props) =>
  `${p.location} '${p.name}' [${p.items.map((i) => `c${i.connector}:${i.priority}`).join(', ')}]${p.callDistribution ? ` ${p.callDistribution}` : ''}` +
  ` numbers ${p.phoneNumbers ? `[${p.phoneNumbers.map((n) => n.slice(-3)).join(', ')}]` : 'absent'}${p.forceAssociate ? ' forced' : ''}`;
const describeFault = (f: Fault) => (f.kind === 'throttle' ? `throttle ${f.fraction}` : f.kind);

// --- Synthesis -------------------------------------------------------------------------------
// Every value that varies is a CloudFormation parameter, so one assembly per template shape serves
// every run (connector IDs differ per run), and synthesis (about a second) happens a few times per
// file rather than once per command. CloudFormation resolves parameters before the handler sees the
// event, so the handler gets the same strings as from literal props. A non-empty list of numbers is
// one text parameter split at commas, which is what a CommaDelimitedList parameter resolves to (the
// local CloudFormation resolves a Ref to a parameter's text only); an empty list cannot be written
// that way (splitting '' gives ['']), so `[]` and no list at all are shapes of their own.

interface Shape {
  readonly outdir: string;
  readonly groupLogicalId: string;
}

let assemblies: string;
/** Stack operations run, shrinking included. */
let operations = 0;
/** When runs stop starting stack operations; fast-check no longer waits for them then. */
let deadline = 0;
const shapes = new Map<string, Shape>();

function shapeOf(props: Props, failing: boolean): Shape {
  const numbers = props.phoneNumbers === undefined ? 'absent' : props.phoneNumbers.length === 0 ? 'empty' : 'list';
  const key = JSON.stringify([props.location === 'chime', props.items.length, props.callDistribution !== undefined, numbers, failing]);
  const cached = shapes.get(key);
  if (cached) return cached;
  const outdir = path.join(assemblies, `shape${shapes.size}`);
  const app = new App({ outdir });
  const stack = new Stack(app, STACK, { env: { region: 'us-east-1' } });
  const text = (id: string) => new CfnParameter(stack, id).valueAsString;
  const items: VoiceConnectorItem[] = props.items.map((_, i) => ({
    voiceConnectorId: text(`Connector${i}`),
    priority: new CfnParameter(stack, `Priority${i}`, { type: 'Number' }).valueAsNumber,
  }));
  const group = new VoiceConnectorGroup(stack, 'Group', {
    voiceConnectorGroupName: text('Name'),
    voiceConnectorItems: items,
    ...(numbers === 'absent' ? {} : { phoneNumbers: numbers === 'empty' ? [] : Fn.split(',', text('Numbers')) }),
    // CloudFormation sends booleans as text, and the handler reads 'true' and 'false'.
    forceAssociate: text('Force') as unknown as boolean,
    ...(props.location === 'chime'
      ? { apiNamespace: ApiNamespace.CHIME }
      : { apiNamespace: ApiNamespace.CHIME_SDK_VOICE, apiRegion: text('Region'), callDistribution: props.callDistribution && (text('Distribution') as CallDistribution) }),
  });
  if (failing) {
    // Fails at deploy time (its name is refused, no API call), after the group's own change, so
    // CloudFormation rolls the group back.
    const bad = new VoiceConnectorGroup(stack, 'Bad', { voiceConnectorGroupName: text('BadName') });
    bad.node.addDependency(group);
  }
  app.synth();
  const resource = group.node.findChild('Resource').node.defaultChild as CfnElement;
  const shape = { outdir, groupLogicalId: stack.getLogicalId(resource) };
  const other = [...shapes.values()].find((s) => s.groupLogicalId !== shape.groupLogicalId);
  if (other) throw new Error(`the group's logical ID differs between templates: ${other.groupLogicalId}, ${shape.groupLogicalId}`);
  shapes.set(key, shape);
  return shape;
}

function parametersOf(props: Props, real: Real, failing: boolean): Record<string, string> {
  const parameters: Record<string, string> = { Name: props.name, Force: String(props.forceAssociate) };
  if (props.phoneNumbers?.length) parameters.Numbers = props.phoneNumbers.join(',');
  props.items.forEach((item, i) => {
    parameters[`Connector${i}`] = real.connectors[item.connector];
    parameters[`Priority${i}`] = String(item.priority);
  });
  if (props.location !== 'chime') parameters.Region = REGION[props.location];
  if (props.callDistribution) parameters.Distribution = props.callDistribution;
  if (failing) parameters.BadName = 'bad/name';
  return parameters;
}

// --- Faults and checks -----------------------------------------------------------------------

function inject(fault: Fault, real: Real): void {
  switch (fault.kind) {
    case 'none':
      return;
    case 'throttle':
      return real.endpoint.failFraction(fault.fraction, 'ThrottledClient');
    case 'commit-then-drop-create':
      return real.endpoint.commitThenDropNext(1, ['CreateVoiceConnectorGroup']);
    case 'drop':
      return real.endpoint.dropNext(1);
    case 'refuse-response':
      return real.cfn.refuseNextResponses(1);
  }
}

async function settled(cfn: LocalCloudFormation): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`deliveries still running ${SETTLE_LIMIT_MS} ms after the stack operation ended`)), SETTLE_LIMIT_MS);
  });
  try {
    await Promise.race([cfn.settled(), limit]);
  } finally {
    clearTimeout(timer);
  }
}

const sortedItems = (items: readonly { VoiceConnectorId: string; Priority: number }[]) =>
  [...items].map((i) => `${i.VoiceConnectorId}:${i.Priority}`).sort();
const snapshot = (g: Group) => ({
  id: g.id,
  namespace: g.namespace,
  region: g.region,
  name: g.name,
  items: sortedItems(g.items),
  callDistribution: g.callDistribution,
  phoneNumbers: sorted(g.phoneNumbers),
});

const sorted = (numbers: readonly string[]) => [...new Set(numbers)].sort();
const without = (numbers: readonly string[], remove: readonly string[]) => numbers.filter((n) => !remove.includes(n));

/**
 * The numbers on a group that stays in place after a deploy from `from` to `to` (README, "Phone
 * numbers"): the declared ones added, the ones `from` declared and `to` does not removed (no list
 * declares none), any other left as it is.
 */
function afterInPlace(live: readonly string[], from: Props | undefined, to: Props): string[] {
  const declared = to.phoneNumbers ?? [];
  return sorted([...without(live, without(from?.phoneNumbers ?? [], declared)), ...declared]);
}

/**
 * Numbers a failed deploy took that CloudFormation's rollback does not give back (README, "What
 * happens on deploy"): those moved from elsewhere with forceAssociate, and those a move took from
 * the old group. The rollback releases them from the group that took them, and no event names
 * where they were before.
 */
function takenForGood(m: Readonly<Model>, props: Props): string[] {
  const declared = props.phoneNumbers ?? [];
  const fromElsewhere = props.forceAssociate ? declared.filter((n) => m.elsewhere.includes(n)) : [];
  const fromOldGroup = m.stack !== 'none' && moves(m.props!, props) ? declared.filter((n) => m.phoneNumbers.includes(n)) : [];
  return [...fromElsewhere, ...fromOldGroup];
}

/** The declared numbers a deploy must newly associate: all of them for a new group, else those not on it yet. */
function toAssociate(m: Readonly<Model>, props: Props): string[] {
  const declared = props.phoneNumbers ?? [];
  return m.stack === 'none' || moves(m.props!, props) ? [...declared] : without(declared, m.phoneNumbers);
}

/** Declared numbers on the outside voice connector that the deploy may not move. */
const refusedNumbers = (m: Readonly<Model>, props: Props) => (props.forceAssociate ? [] : toAssociate(m, props).filter((n) => m.elsewhere.includes(n)));

/** Puts numbers back where the model has them: on the stack's group, on the outside connector, or on nothing. */
function putBack(numbers: readonly string[], model: Model, real: Real): void {
  for (const n of numbers) {
    if (model.phoneNumbers.includes(n)) real.endpoint.associatePhoneNumbers(model.groupId!, [n]);
    else if (model.elsewhere.includes(n)) real.endpoint.associatePhoneNumbersWithConnector(real.outside, [n]);
    else real.endpoint.phoneNumbers.get(n)!.association = undefined;
  }
}

/**
 * Runs one stack operation under its fault and waits for every delivery it started to end. Returns
 * the result and every delivery record of the operation, late answers included.
 */
async function operate(
  real: Real,
  fault: Fault,
  expected: StackStatus,
  operation: () => Promise<DeployResult>,
): Promise<{ result: DeployResult; events: EventRecord[] }> {
  if (Date.now() > deadline) throw new Error('the time limit has passed');
  operations++;
  const from = real.cfn.events.length;
  inject(fault, real);
  const result = await operation();
  await settled(real.cfn);
  real.endpoint.clearFaults();
  expect({ status: result.status, failures: result.failures }).toMatchObject({ status: expected });
  return { result, events: real.cfn.events.slice(from) };
}

/** The endpoint's view of a group that holds `props`, without its ID. */
function groupOf(props: Props, real: Real, phoneNumbers: string[]): Omit<ReturnType<typeof snapshot>, 'id'> {
  return {
    namespace: NAMESPACE[props.location],
    region: REGION[props.location],
    name: props.name,
    items: sortedItems(props.items.map((i) => ({ VoiceConnectorId: real.connectors[i.connector], Priority: i.priority }))),
    callDistribution: props.callDistribution,
    phoneNumbers: sorted(phoneNumbers),
  };
}

/**
 * A known gap (README, "What happens on deploy"): a delivery of the group's deploy event that runs only
 * after CloudFormation has rolled the resource back (Lambda's at-least-once delivery, the duplicate
 * late) cannot be told from the first delivery. After a rolled-back Create or move it finds no
 * group, makes a new one, and nothing ever deletes it; after a rolled-back in-place Update it
 * applies the failed properties again. Only those two effects, each proven by a late answer that
 * ended after the rollback's, are undone here (the new group removed, the group written back as
 * the model has it), so every other check still holds the rest of the sequence to the model.
 * Declared numbers are part of both effects: the new group is given them (a late move takes them
 * from the stack's group, as the first delivery did), and the late Update syncs them again. So the
 * numbers on a removed late group, and those of a group that matches the failed properties
 * exactly, are put back where the model has them; no other number is touched.
 */
function undoLateDeploys(model: Model, real: Real, events: EventRecord[], logicalId: string, attempted: Props): void {
  const rolledBack = events.findIndex((e) => e.logicalId === logicalId && e.phase === 'rollback' && e.taken && e.status === 'SUCCESS');
  if (rolledBack < 0) return;
  for (const late of events.slice(rolledBack + 1)) {
    if (late.logicalId !== logicalId || late.phase !== 'deploy' || late.taken || late.status !== 'SUCCESS' || !late.physicalId) continue;
    const group = real.endpoint.groups.get(late.physicalId);
    if (!group) continue;
    const taken = events.find((e) => e.requestId === late.requestId && e.taken);
    if (taken?.physicalId !== late.physicalId) {
      const numbers = group.phoneNumbers;
      real.endpoint.groups.delete(group.id);
      putBack(numbers, model, real);
    } else if (late.requestType === 'Update' && group.id === model.groupId) {
      const synced = afterInPlace(model.phoneNumbers, model.props, attempted);
      if (JSON.stringify(snapshot(group)) !== JSON.stringify({ id: group.id, ...groupOf(attempted, real, synced) })) continue;
      const props = model.props!;
      group.name = props.name;
      group.items = props.items.map((i) => ({ VoiceConnectorId: real.connectors[i.connector], Priority: i.priority }));
      group.callDistribution = props.callDistribution;
      putBack(sorted([...synced, ...model.phoneNumbers]), model, real);
    }
  }
}

function checkInvariants(model: Model, real: Real, idChange: 'same' | 'new' | 'none'): void {
  const { endpoint, cfn } = real;
  expect(cfn.unanswered().map((s) => `${s.logicalId} ${s.requestType} (${s.phase})`)).toEqual([]);
  expect(cfn.events.filter((e) => e.responseBytes !== undefined && e.responseBytes > MAX_RESPONSE_BYTES)).toEqual([]);
  expect(cfn.violations).toEqual([]);
  const groups = [...endpoint.groups.values()].map(snapshot);
  const logicalId = [...shapes.values()][0].groupLogicalId;
  if (model.stack === 'none') {
    expect(groups).toEqual([]);
    expect(cfn.resource(STACK, logicalId)).toBeUndefined();
    model.groupId = undefined;
  } else {
    const props = model.props!;
    expect(groups).toHaveLength(1);
    const [group] = groups;
    expect(group).toEqual({ id: group.id, ...groupOf(props, real, model.phoneNumbers) });
    expect(cfn.resource(STACK, logicalId)?.physicalId).toBe(group.id);
    if (idChange === 'same') expect(group.id).toBe(model.groupId);
    if (idChange === 'new') expect(group.id).not.toBe(model.groupId);
    model.groupId = group.id;
  }
  // Every number where the model has it: a successful Delete leaves the numbers it released in the
  // inventory, unassociated, and a refused or rolled-back deploy leaves the outside one where it was.
  const place = (n: string) => {
    const at = endpoint.phoneNumbers.get(n)?.association?.value;
    return at === undefined ? 'none' : at === model.groupId ? 'group' : at === real.outside ? 'outside' : `elsewhere ${at}`;
  };
  const all = [...INVENTORY, FOREIGN];
  expect(Object.fromEntries(all.map((n) => [n, place(n)]))).toEqual(
    Object.fromEntries(all.map((n) => [n, model.phoneNumbers.includes(n) ? 'group' : model.elsewhere.includes(n) ? 'outside' : 'none'])),
  );
}

// --- Commands --------------------------------------------------------------------------------

const moves = (from: Props, to: Props) => NAMESPACE[from.location] !== NAMESPACE[to.location] || REGION[from.location] !== REGION[to.location];

/**
 * Creates the stack, or updates it in place, or replaces the group when its location changes. A
 * declared number on the outside voice connector without forceAssociate fails the group's own
 * deploy, and CloudFormation rolls back to what was there.
 */
class Deploy implements fc.AsyncCommand<Model, Real> {
  constructor(readonly props: Props, readonly fault: Fault) {}
  // CloudFormation accepts only another Delete for a stack in DELETE_FAILED.
  check = (m: Readonly<Model>) => m.stack !== 'delete-failed';
  async run(m: Model, r: Real): Promise<void> {
    const shape = shapeOf(this.props, false);
    const creating = m.stack === 'none';
    const moving = !creating && moves(m.props!, this.props);
    const refused = refusedNumbers(m, this.props);
    const expected = refused.length > 0 ? (creating ? 'ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE') : creating ? 'CREATE_COMPLETE' : 'UPDATE_COMPLETE';
    const { result } = await operate(r, this.fault, expected, () => r.cfn.deploy(shape.outdir, STACK, parametersOf(this.props, r, false)));
    if (refused.length > 0) {
      expect(result.failures.map((f) => [f.logicalId, f.requestType, f.phase])).toEqual([[shape.groupLogicalId, creating ? 'Create' : 'Update', 'deploy']]);
      expect(result.failures[0].reason).toContain(`${refused[0]} (PhoneNumberAssociationsExist`);
      checkInvariants(m, r, creating ? 'none' : 'same');
      return;
    }
    const declared = this.props.phoneNumbers ?? [];
    if (moving) {
      // The replacement takes the declared numbers; CloudFormation's cleanup then deletes the old
      // group, which releases what its props declared and refuses anything else left on it.
      const left = without(m.phoneNumbers, declared);
      if (without(left, m.props!.phoneNumbers ?? []).length > 0) {
        expect(result.failures.map((f) => [f.logicalId, f.requestType, f.phase])).toEqual([[shape.groupLogicalId, 'Delete', 'cleanup']]);
        const old = r.endpoint.groups.get(m.groupId!);
        expect(old && snapshot(old).phoneNumbers).toEqual(sorted(left));
        // Removed as its reason says, so the rest of the sequence starts from one group.
        for (const n of left) r.endpoint.phoneNumbers.get(n)!.association = undefined;
        r.endpoint.groups.delete(m.groupId!);
      }
    }
    m.phoneNumbers = creating || moving ? sorted(declared) : afterInPlace(m.phoneNumbers, m.props, this.props);
    m.elsewhere = without(m.elsewhere, m.phoneNumbers);
    m.stack = 'live';
    m.props = this.props;
    checkInvariants(m, r, creating || moving ? 'new' : 'same');
  }
  toString = () => `Deploy(${describeProps(this.props)}; ${describeFault(this.fault)})`;
}

/** Deploys new props with a second group that fails after the first group's change: all of it rolls back. */
class FailedDeploy implements fc.AsyncCommand<Model, Real> {
  constructor(readonly props: Props, readonly fault: Fault) {}
  check = (m: Readonly<Model>) => m.stack !== 'delete-failed';
  async run(m: Model, r: Real): Promise<void> {
    const shape = shapeOf(this.props, true);
    const creating = m.stack === 'none';
    const refused = refusedNumbers(m, this.props).length > 0;
    const { result, events } = await operate(r, this.fault, creating ? 'ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE', () =>
      r.cfn.deploy(shape.outdir, STACK, parametersOf(this.props, r, true)),
    );
    if (!refused) {
      const released = takenForGood(m, this.props);
      m.elsewhere = without(m.elsewhere, released);
      m.phoneNumbers = without(m.phoneNumbers, released);
    }
    undoLateDeploys(m, r, events, shape.groupLogicalId, this.props);
    // The failure must be the one planted, or the group's own refusal of a number held elsewhere.
    expect(result.failures.map((f) => [f.logicalId.startsWith('Bad'), f.requestType, f.phase])).toEqual([
      refused ? [false, creating ? 'Create' : 'Update', 'deploy'] : [true, 'Create', 'deploy'],
    ]);
    checkInvariants(m, r, creating ? 'none' : 'same');
  }
  toString = () => `FailedDeploy(${describeProps(this.props)}; ${describeFault(this.fault)})`;
}

/**
 * Destroys the stack with or without a number the resource does not declare on the group:
 * attached first when asked, or, when an earlier Delete failed and this one runs without,
 * every undeclared number disassociated first, as the failed Delete's reason asks. A Delete that
 * meets an undeclared number must fail and change nothing; one that succeeds releases the declared
 * numbers.
 */
class Delete implements fc.AsyncCommand<Model, Real> {
  constructor(readonly withNumbers: boolean, readonly fault: Fault) {}
  check = (m: Readonly<Model>) => m.stack !== 'none';
  async run(m: Model, r: Real): Promise<void> {
    if (this.withNumbers && !m.phoneNumbers.includes(FOREIGN)) {
      r.endpoint.associatePhoneNumbers(m.groupId!, [FOREIGN]);
      m.phoneNumbers = sorted([...m.phoneNumbers, FOREIGN]);
    }
    if (!this.withNumbers && m.stack === 'delete-failed') {
      const undeclared = without(m.phoneNumbers, m.props!.phoneNumbers ?? []);
      for (const n of undeclared) r.endpoint.phoneNumbers.get(n)!.association = undefined;
      m.phoneNumbers = without(m.phoneNumbers, undeclared);
    }
    await destroy(m, r, this.fault);
  }
  toString = () => `Delete(${this.withNumbers ? 'an undeclared number on the group' : 'no undeclared number added'}; ${describeFault(this.fault)})`;
}

async function destroy(m: Model, r: Real, fault: Fault): Promise<void> {
  const blocked = without(m.phoneNumbers, m.props!.phoneNumbers ?? []).length > 0;
  const before = blocked ? snapshot(r.endpoint.groups.get(m.groupId!)!) : undefined;
  await operate(r, fault, blocked ? 'DELETE_FAILED' : 'DELETE_COMPLETE', () => r.cfn.destroy(STACK));
  if (blocked) {
    m.stack = 'delete-failed';
    // Restored after any partial change, so compare with the group as it was, field by field.
    expect(snapshot(r.endpoint.groups.get(m.groupId!)!)).toEqual(before);
  } else {
    m.stack = 'none';
    m.props = undefined;
    m.phoneNumbers = [];
  }
  checkInvariants(m, r, blocked ? 'same' : 'none');
}

/** A failure carries what CloudFormation sent and what the endpoint was asked, so a counterexample can be read. */
function withTrace(err: unknown, real: Real): unknown {
  if (!(err instanceof Error)) return err;
  const short = (id?: string) => id?.slice(0, 8);
  const events = real.cfn.events.map(
    (e) => `${e.logicalId.replace(/[0-9A-F]{8}$/, '')} ${e.requestType}/${e.phase} #${e.delivery} ${e.cause} ${e.status}${e.taken ? '' : ' (late)'} ${short(e.physicalId) ?? ''} ${e.reason?.slice(0, 160) ?? ''}`,
  );
  const requests = real.endpoint.requests.map((q) => `${q.operation} ${q.namespace}/${q.region} ${q.status}${q.committed ? ' committed' : ''}`);
  err.message += `\n\nevents:\n  ${events.join('\n  ')}\n\nrequests:\n  ${requests.join('\n  ')}`;
  return err;
}

// --- The property ----------------------------------------------------------------------------

beforeAll(() => {
  assemblies = fs.mkdtempSync(path.join(os.tmpdir(), 'model-'));
});
afterAll(() => {
  fs.rmSync(assemblies, { recursive: true, force: true });
});

it('keeps one group per resource with its declared numbers, answers every event and leaves nothing after a delete, whatever the sequence and faults', async () => {
  const commands = fc.commands(
    [
      fc.tuple(propsArb, faultArb).map(([p, f]) => new Deploy(p, f)),
      fc.tuple(propsArb, faultArb).map(([p, f]) => new Deploy(p, f)),
      fc.tuple(propsArb, faultArb).map(([p, f]) => new FailedDeploy(p, f)),
      fc.tuple(fc.boolean(), faultArb).map(([n, f]) => new Delete(n, f)),
    ],
    { maxCommands: 8 },
  );
  let runs = 0;
  // fast-check stops waiting for a run when the time limit passes but cannot stop it; each run ends
  // at its next stack operation after that (with a margin, so fast-check has let go of it first and
  // the stop is no failure) and is awaited here, so no driver outlives the test.
  deadline = Date.now() + TIME_LIMIT_MS + 2_000;
  const running = new Set<Promise<void>>();
  const property = async (options: RunOptions, cmds: Iterable<fc.AsyncCommand<Model, Real>>) => {
    runs++;
    const endpoint = await ChimeEndpoint.start({ seed: options.endpointSeed, readAfterCreateLagMs: READ_AFTER_CREATE_LAG_MS });
    const cfn = await LocalCloudFormation.start({ endpoint, responseTimeoutMs: 30_000, retryDelaysMs: [50, 100], duplicates: options.duplicates });
    const real: Real = {
      endpoint,
      cfn,
      connectors: CONNECTOR_REGIONS.map((region, i) => endpoint.addConnector(region, `vc-${i}`)),
      outside: endpoint.addConnector('us-east-1', 'outside'),
    };
    endpoint.addPhoneNumbers(INVENTORY);
    if (options.heldElsewhere) endpoint.associatePhoneNumbersWithConnector(real.outside, [HELD_ELSEWHERE]);
    const elsewhere = options.heldElsewhere ? [HELD_ELSEWHERE] : [];
    try {
      await fc.asyncModelRun(() => ({ model: { stack: 'none', phoneNumbers: [], elsewhere } as Model, real }), cmds);
    } catch (err) {
      throw withTrace(err, real);
    } finally {
      await cfn.stop();
      await endpoint.stop();
    }
  };
  try {
    await fc.assert(
      fc.asyncProperty(runArb, commands, (options, cmds) => {
        const run = property(options, cmds);
        running.add(run);
        return run.finally(() => running.delete(run));
      }),
      { seed: 20260611, numRuns: 20, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
    );
  } finally {
    await Promise.allSettled([...running]);
  }
  // An interrupted search must still have covered enough to mean something.
  expect(runs).toBeGreaterThanOrEqual(6);
  expect(operations).toBeGreaterThanOrEqual(25);
});
