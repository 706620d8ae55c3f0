import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnElement, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import { expect } from 'expect';
import * as fc from 'fast-check';
import { ApiNamespace, CallDistribution, VoiceConnectorGroup, VoiceConnectorItem } from '../../lib';
import { DeployResult, DuplicateDeliveries, EventRecord, LocalCloudFormation, MAX_RESPONSE_BYTES, StackStatus } from '../../local/driver';
import { ISSUE_CLOCK_ALLOWANCE_MS } from '../../lambda/ownership';
import { READ_LAG_WINDOW_MS } from '../../lambda/retry';
import { ChimeEndpoint, Group, Namespace } from '../../local/endpoint';
import { READ_AFTER_CREATE_LAG_MS } from './harness';

/**
 * The model of one stack with one voice connector group, shared by `test/e2e/model.test.ts` (a
 * short, fixed search), `test/e2e/model-regressions.test.ts` (fixed command sequences) and
 * `npm run fuzz` (`test/e2e/fuzz.ts`, a long search with a fresh seed).
 *
 * Random sequences of stack operations run through the bundled handler against the local endpoint
 * (read-after-create lag on) and CloudFormation, each under a random fault (throttling, a Create
 * that takes effect but loses its answer, a dropped connection, a refused answer), some runs with
 * Lambda's duplicate deliveries (at once, or late, after the first answer): create, in-place update,
 * a move to another Region or namespace, a replacement (the group's construct ID changes, keeping
 * its name and connectors, so CloudFormation creates a new resource and deletes the old one in
 * cleanup), an update that fails elsewhere and is rolled back, delete, a delete that phone numbers
 * block and its retry. Between operations, a declared number may drift: released or moved to
 * another voice connector by hand. The group declares a subset of a small number inventory, none
 * (`[]`) or leaves its numbers alone (no `phoneNumbers`); some runs start with one of the numbers on
 * a voice connector outside the stack.
 *
 * After every stack operation (README, "What happens on deploy"):
 * - every event is answered, within 4,096 bytes, as the custom resource contract asks;
 * - the group CloudFormation records holds every connector and every declared number, except those
 *   the model itself moved by hand (drift) and those the README's phone-number policy releases on
 *   a rollback (numbers a failed deploy took with forceAssociate or from a moved group);
 * - no group that CloudFormation does not record survives, after a completed stack delete or any
 *   other operation, except the README's "Left alone" Create whose answer was lost, whose reason
 *   names the group to look for;
 * - the endpoint holds exactly what the model says: the recorded group's properties, and every
 *   number on that group, on the outside voice connector, or on nothing.
 */

export const STACK = 'ModelStack';
/**
 * How long deliveries (duplicates, retries) may run on after their stack operation returned: a
 * duplicate whose twin deleted the group takes NotFound as final only after the handler's read-lag
 * window (README, "Read lag"), so a little longer than that.
 */
const SETTLE_LIMIT_MS = READ_LAG_WINDOW_MS + 30_000;

export type Location = 'sdk-us-east-1' | 'sdk-us-west-2' | 'chime';
const NAMESPACE: Record<Location, Namespace> = { 'sdk-us-east-1': 'chime-sdk-voice', 'sdk-us-west-2': 'chime-sdk-voice', chime: 'chime' };
const REGION: Record<Location, string> = { 'sdk-us-east-1': 'us-east-1', 'sdk-us-west-2': 'us-west-2', chime: 'us-east-1' };

/** Connectors every run creates: two in us-east-1, one in us-west-2; items refer to them by index. */
const CONNECTOR_REGIONS = ['us-east-1', 'us-east-1', 'us-west-2'];

/** The account's inventory of every run; the group's props declare subsets of it. */
export const INVENTORY = ['+12065550101', '+12065550102', '+12065550103', '+12065550104', '+12065550105'];
/** The number that some runs start with on a voice connector outside the stack. */
const HELD_ELSEWHERE = INVENTORY[4];
/** Associated with the group from outside, never declared: it blocks a Delete. */
const FOREIGN = '+12065550100';

/**
 * The group's construct ID. A replacement changes it (as moving the construct in the tree would):
 * the group gets a new logical ID with the same name and connectors.
 */
export type ConstructId = 'Group' | 'Moved';
const otherConstruct = (c: ConstructId): ConstructId => (c === 'Group' ? 'Moved' : 'Group');

/**
 * The account's group quota in these runs. The real default is 3; a replacement holds two groups
 * for a moment and concurrent duplicates may each make one, and the quota is not what this model
 * tests (test/e2e/faults.test.ts does).
 */
const GROUP_QUOTA = 6;

export interface Props {
  readonly location: Location;
  readonly name: string;
  readonly items: readonly { readonly connector: number; readonly priority: number }[];
  /** Amazon Chime SDK Voice only. */
  readonly callDistribution?: CallDistribution;
  /** Undefined: the resource leaves the group's numbers alone. In inventory order. */
  readonly phoneNumbers?: readonly string[];
  readonly forceAssociate: boolean;
}

export type Fault =
  | { readonly kind: 'none' }
  | { readonly kind: 'throttle'; readonly fraction: number }
  | { readonly kind: 'commit-then-drop-create' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'refuse-response' };

export interface RunOptions {
  readonly endpointSeed: number;
  readonly duplicates?: DuplicateDeliveries;
  /** Whether HELD_ELSEWHERE starts on a voice connector outside the stack. */
  readonly heldElsewhere: boolean;
}

export interface Model {
  stack: 'none' | 'live' | 'delete-failed';
  /** The group's construct ID in the template deployed last (or to be deployed first). */
  construct: ConstructId;
  /** What the live group holds. */
  props?: Props;
  /** The group's ID, learned when it was made; an operation that keeps the group keeps this. */
  groupId?: string;
  /** The numbers on the stack's group, declared or not. */
  phoneNumbers: string[];
  /** Numbers on the voice connector outside the stack. */
  elsewhere: string[];
  /**
   * Declared numbers the group may lack without a delivery having failed: moved off it by hand
   * (drift), or released by a rollback under the README's policy.
   */
  excused: string[];
}

export interface Real {
  readonly endpoint: ChimeEndpoint;
  readonly cfn: LocalCloudFormation;
  readonly connectors: string[];
  /** The voice connector outside the stack that may hold a number. */
  readonly outside: string;
}

export type Command = fc.AsyncCommand<Model, Real>;

// --- Arbitraries -----------------------------------------------------------------------------

export const propsArb: fc.Arbitrary<Props> = fc
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

export const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 3, arbitrary: fc.integer({ min: 20, max: 30 }).map((n) => ({ kind: 'throttle' as const, fraction: n / 100 })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'commit-then-drop-create' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'drop' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'refuse-response' as const }) },
);

/**
 * A run's endpoint seed, duplicates and starting numbers. With `late`, duplicates may also be every
 * event's, and may start after the first delivery has answered (a delivery under the read lag takes
 * over 1.5 s), when CloudFormation may have moved on or rolled back; such runs are slow (a late
 * duplicate whose group is gone retries NotFound for the handler's minute of read lag), so the
 * short search in `npm test` leaves them to `npm run fuzz` and the fixed regressions.
 */
export function runArb(late = true, duplicated = true): fc.Arbitrary<RunOptions> {
  return fc.record({
    // Unbiased: fast-check favours small integers, and the endpoint's generator starts some small seeds
    // with long throttling bursts that cost seconds of SDK backoff each.
    endpointSeed: fc.noBias(fc.integer({ min: 1, max: 0x7fffffff })),
    duplicates: !duplicated ? fc.constant(undefined) : fc.option(
      fc.record({
        probability: late ? fc.constantFrom<number | 'always'>(0.5, 'always') : fc.constant(0.5),
        seed: fc.noBias(fc.integer({ min: 1, max: 0x7fffffff })),
        afterMs: late ? fc.constantFrom(0, 20, 2_500, 6_000) : fc.constantFrom(0, 20),
      }),
      // Half the runs without duplicates, where no delivery can run after a rollback.
      { nil: undefined, freq: 2 },
    ),
    heldElsewhere: fc.boolean(),
  });
}

/** Every command, with a sequence of at most `maxCommands`. */
export function commandsArb(maxCommands = 8, replayPath?: string): fc.Arbitrary<Iterable<Command>> {
  return fc.commands(
    [
      fc.tuple(propsArb, faultArb).map(([p, f]) => new Deploy(p, f)),
      fc.tuple(propsArb, faultArb).map(([p, f]) => new Deploy(p, f)),
      fc.tuple(propsArb, faultArb).map(([p, f]) => new FailedDeploy(p, f)),
      fc.tuple(fc.option(fc.subarray(INVENTORY), { nil: undefined, freq: 2 }), fc.boolean(), faultArb).map(([n, force, f]) => new Replace(n, force, f)),
      fc.tuple(fc.boolean(), faultArb).map(([n, f]) => new Delete(n, f)),
      fc.tuple(fc.nat(4), fc.constantFrom<DriftTo>('released', 'outside')).map(([i, to]) => new Drift(i, to)),
    ],
    { maxCommands, replayPath },
  );
}

const describeProps = (p: Props) =>
  `${p.location} '${p.name}' [${p.items.map((i) => `c${i.connector}:${i.priority}`).join(', ')}]${p.callDistribution ? ` ${p.callDistribution}` : ''}` +
  ` numbers ${p.phoneNumbers ? `[${p.phoneNumbers.map((n) => n.slice(-3)).join(', ')}]` : 'absent'}${p.forceAssociate ? ' forced' : ''}`;
const describeFault = (f: Fault) => (f.kind === 'throttle' ? `throttle ${f.fraction}` : f.kind);

// --- Synthesis -------------------------------------------------------------------------------
// Every value that varies is a CloudFormation parameter, so one assembly per template shape serves
// every run (connector IDs differ per run), and synthesis (about a second) happens a few times per
// search rather than once per command. CloudFormation resolves parameters before the handler sees
// the event, so the handler gets the same strings as from literal props. A non-empty list of
// numbers is one text parameter split at commas, which is what a CommaDelimitedList parameter
// resolves to (the local CloudFormation resolves a Ref to a parameter's text only); an empty list
// cannot be written that way (splitting '' gives ['']), so `[]` and no list at all are shapes of
// their own.

interface Shape {
  readonly outdir: string;
  readonly groupLogicalId: string;
}

/** Where templates are synthesised, how many stack operations ran, and when to stop starting them. */
interface Session {
  readonly assemblies: string;
  readonly shapes: Map<string, Shape>;
  /** The group's logical ID per construct ID, the same in every template. */
  readonly logicalIds: Map<ConstructId, string>;
  operations: number;
  deadline: number;
}

let session: Session | undefined;

/** Starts a session: a directory for the assemblies, and no deadline unless `deadline` is given. */
export function openSession(deadline = Infinity): void {
  session = { assemblies: fs.mkdtempSync(path.join(os.tmpdir(), 'model-')), shapes: new Map(), logicalIds: new Map(), operations: 0, deadline };
}

export function closeSession(): void {
  if (session) fs.rmSync(session.assemblies, { recursive: true, force: true });
  session = undefined;
}

const current = (): Session => {
  if (!session) throw new Error('openSession() first');
  return session;
};

/** Stack operations run in this session, shrinking included. */
export const operationsRun = (): number => current().operations;

/** Sets when runs stop starting stack operations (ms since the epoch). */
export function setDeadline(deadline: number): void {
  current().deadline = deadline;
}

function shapeOf(props: Props, construct: ConstructId, failing: boolean): Shape {
  const s = current();
  const numbers = props.phoneNumbers === undefined ? 'absent' : props.phoneNumbers.length === 0 ? 'empty' : 'list';
  const key = JSON.stringify([construct, props.location === 'chime', props.items.length, props.callDistribution !== undefined, numbers, failing]);
  const cached = s.shapes.get(key);
  if (cached) return cached;
  const outdir = path.join(s.assemblies, `shape${s.shapes.size}`);
  const app = new App({ outdir });
  const stack = new Stack(app, STACK, { env: { region: 'us-east-1' } });
  const text = (id: string) => new CfnParameter(stack, id).valueAsString;
  const items: VoiceConnectorItem[] = props.items.map((_, i) => ({
    voiceConnectorId: text(`Connector${i}`),
    priority: new CfnParameter(stack, `Priority${i}`, { type: 'Number' }).valueAsNumber,
  }));
  const group = new VoiceConnectorGroup(stack, construct, {
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
  const known = s.logicalIds.get(construct);
  if (known && known !== shape.groupLogicalId) throw new Error(`the group's logical ID differs between templates: ${known}, ${shape.groupLogicalId}`);
  s.logicalIds.set(construct, shape.groupLogicalId);
  s.shapes.set(key, shape);
  return shape;
}

/** The logical ID of the group with this construct ID (synthesising a template if none has yet). */
const logicalIdOf = (construct: ConstructId, props?: Props): string =>
  current().logicalIds.get(construct) ?? shapeOf(props ?? { location: 'chime', name: 'x', items: [], forceAssociate: false }, construct, false).groupLogicalId;

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
const both = (a: readonly string[], b: readonly string[]) => a.filter((n) => b.includes(n));

/**
 * The numbers an in-place Update from `from` to `to` associates and releases (README, "Phone
 * numbers follow the template's changes, not its whole list"): those newly declared and not on the
 * group, and those no longer declared that are on it. Properties that stop declaring numbers
 * declare none; a declared number that drifted away is left where it is.
 */
function inPlaceChange(live: readonly string[], from: Props | undefined, to: Props): { add: string[]; remove: string[] } {
  const declared = to.phoneNumbers ?? (from?.phoneNumbers !== undefined ? [] : undefined);
  if (declared === undefined) return { add: [], remove: [] };
  const before = from?.phoneNumbers ?? [];
  return { add: without(without(declared, before), live), remove: both(without(before, declared), live) };
}

const afterInPlace = (live: readonly string[], from: Props | undefined, to: Props): string[] => {
  const { add, remove } = inPlaceChange(live, from, to);
  return sorted([...without(live, remove), ...add]);
};

/** The declared numbers a deploy must newly associate: all of them for a new group, else those in-place adds. */
function toAssociate(m: Readonly<Model>, props: Props, replacing = false): string[] {
  return m.stack === 'none' || replacing || moves(m.props!, props) ? [...(props.phoneNumbers ?? [])] : inPlaceChange(m.phoneNumbers, m.props, props).add;
}

/**
 * Declared numbers held where the deploy may not take them from: the outside voice connector without
 * forceAssociate, and, for a replacement (another resource), the old group without forceAssociate.
 */
const refusedNumbers = (m: Readonly<Model>, props: Props, replacing = false) =>
  props.forceAssociate ? [] : toAssociate(m, props, replacing).filter((n) => m.elsewhere.includes(n) || (replacing && m.phoneNumbers.includes(n)));

/**
 * Numbers a failed deploy took that CloudFormation's rollback does not give back (README, "What
 * happens on deploy"): those moved from elsewhere with forceAssociate, and those a move took from
 * the old group. The rollback releases them from the group that took them, and no event names
 * where they were before.
 */
function takenForGood(m: Readonly<Model>, props: Props): string[] {
  const adding = toAssociate(m, props);
  const fromElsewhere = props.forceAssociate ? adding.filter((n) => m.elsewhere.includes(n)) : [];
  const fromOldGroup = m.stack !== 'none' && moves(m.props!, props) ? adding.filter((n) => m.phoneNumbers.includes(n)) : [];
  return [...fromElsewhere, ...fromOldGroup];
}

/**
 * Runs one stack operation under its fault and waits for every delivery it started to end. Returns
 * the result and every delivery record of the operation, late answers included.
 */
async function operate(real: Real, fault: Fault, expected: StackStatus, operation: () => Promise<DeployResult>): Promise<{ result: DeployResult; events: EventRecord[] }> {
  const s = current();
  // Past the time limit, the run is skipped rather than failed, so a shrink cut short by the time
  // limit never reports a run it stopped as the counterexample.
  if (Date.now() > s.deadline) fc.pre(false);
  s.operations++;
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
 * Groups the README's "Left alone" case excuses: a Create whose CreateVoiceConnectorGroup answer was
 * lost, and whose group the lagging list did not show, fails with a reason that says to look for the
 * group's name in its namespace and Region. Only a group without numbers with that very name and
 * place, made after that Create was issued, is excused; it is removed, as the reason asks. So is a
 * group without numbers that a delivery's log names as left because CloudFormation's record could
 * not be read after it answered.
 */
function removeExcused(real: Real, recorded: string | undefined): void {
  const leftAlone = real.cfn.events.filter((e) => e.requestType !== 'Delete' && e.status === 'FAILED' && /look for/.test(e.reason ?? ''));
  // A delivery that could not read CloudFormation's record after answering (a duplicate that started
  // after a rollback deleted the function's role) leaves its group, and its log names it.
  const leftUnread = new Set(
    real.cfn.logs.flatMap((l) => (/could not read what CloudFormation recorded/.test(l) ? [/"voiceConnectorGroupId":"([^"]+)"/.exec(l)?.[1]] : [])).filter((id): id is string => !!id),
  );
  for (const group of [...real.endpoint.groups.values()]) {
    if (group.id === recorded || group.phoneNumbers.length > 0) continue;
    const named = leftAlone.some((e) => e.reason!.includes(`look for '${group.name}' in ${group.namespace} ${group.region}`) || e.reason!.includes(`look for it in ${group.namespace} ${group.region}`));
    if (named || leftUnread.has(group.id)) real.endpoint.groups.delete(group.id);
  }
}

function checkInvariants(model: Model, real: Real, idChange: 'same' | 'new' | 'none'): void {
  const { endpoint, cfn } = real;
  const logicalId = logicalIdOf(model.construct, model.props);
  // Every event answered, within the 4,096 bytes CloudFormation takes.
  expect(cfn.unanswered().map((s) => `${s.logicalId} ${s.requestType} (${s.phase})`)).toEqual([]);
  expect(cfn.events.filter((e) => e.responseBytes !== undefined && e.responseBytes > MAX_RESPONSE_BYTES)).toEqual([]);
  expect(cfn.violations).toEqual([]);
  const recordedId = model.stack === 'none' ? undefined : cfn.resource(STACK, logicalId)?.physicalId;
  if (model.stack !== 'none') {
    // The group CloudFormation records never loses a connector or a declared number because a
    // delivery failed (checked on its own first, so a failure says so in these words).
    const props = model.props!;
    const recorded = recordedId === undefined ? undefined : endpoint.groups.get(recordedId);
    const lost = {
      group: recorded ? 'present' : `missing (${recordedId ?? 'no physical ID'})`,
      connectors: without(
        props.items.map((i) => real.connectors[i.connector]),
        (recorded?.items ?? []).map((i) => i.VoiceConnectorId),
      ),
      numbers: without(without(props.phoneNumbers ?? [], recorded?.phoneNumbers ?? []), model.excused),
    };
    expect({ recordedGroup: lost }).toEqual({ recordedGroup: { group: 'present', connectors: [], numbers: [] } });
  }
  removeExcused(real, recordedId);
  const groups = [...endpoint.groups.values()].map(snapshot);
  if (model.stack === 'none') {
    // No group survives a completed stack delete.
    expect(groups).toEqual([]);
    expect(cfn.resource(STACK, logicalId)).toBeUndefined();
    model.groupId = undefined;
  } else {
    const props = model.props!;
    expect(groups).toHaveLength(1);
    const [group] = groups;
    expect(group).toEqual({ id: group.id, ...groupOf(props, real, model.phoneNumbers) });
    expect(recordedId).toBe(group.id);
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
  // A number back on the group needs no excuse any more.
  model.excused = without(model.excused, model.phoneNumbers);
}

// --- Commands --------------------------------------------------------------------------------

const moves = (from: Props, to: Props) => NAMESPACE[from.location] !== NAMESPACE[to.location] || REGION[from.location] !== REGION[to.location];

/**
 * After a deploy that made a new group for the resource (a move, or a replacement): CloudFormation's
 * cleanup deletes the old group, which releases what its props declared and refuses anything else
 * left on it. Then the old group is removed by hand, as that reason says, so the rest of the
 * sequence starts from one group.
 */
function cleanUpOld(m: Model, r: Real, result: DeployResult, oldLogicalId: string, declared: readonly string[]): void {
  const left = without(m.phoneNumbers, declared);
  if (without(left, m.props!.phoneNumbers ?? []).length === 0) return;
  expect(result.failures.map((f) => [f.logicalId, f.requestType, f.phase])).toEqual([[oldLogicalId, 'Delete', 'cleanup']]);
  const old = r.endpoint.groups.get(m.groupId!);
  expect(old && snapshot(old).phoneNumbers).toEqual(sorted(left));
  for (const n of left) r.endpoint.phoneNumbers.get(n)!.association = undefined;
  r.endpoint.groups.delete(m.groupId!);
}

/**
 * Creates the stack, or updates it in place, or replaces the group when its location changes. A
 * declared number on the outside voice connector without forceAssociate fails the group's own
 * deploy, and CloudFormation rolls back to what was there.
 */
export class Deploy implements Command {
  constructor(
    readonly props: Props,
    readonly fault: Fault,
  ) {}
  // CloudFormation accepts only another Delete for a stack in DELETE_FAILED.
  check = (m: Readonly<Model>) => m.stack !== 'delete-failed';
  async run(m: Model, r: Real): Promise<void> {
    const shape = shapeOf(this.props, m.construct, false);
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
    if (moving) cleanUpOld(m, r, result, shape.groupLogicalId, declared);
    m.phoneNumbers = creating || moving ? sorted(declared) : afterInPlace(m.phoneNumbers, m.props, this.props);
    m.elsewhere = without(m.elsewhere, m.phoneNumbers);
    if (creating || moving) m.excused = [];
    m.stack = 'live';
    m.props = this.props;
    checkInvariants(m, r, creating || moving ? 'new' : 'same');
  }
  toString = () => `Deploy(${describeProps(this.props)}; ${describeFault(this.fault)})`;
}

/**
 * Moves the group to another construct ID, keeping its name, connectors, location and call
 * distribution, with the numbers and forceAssociate given: a new logical ID, so CloudFormation
 * creates a new resource and deletes the old one in the update's cleanup. The new resource must
 * make a group of its own (the old one, though it looks the same, is not its own), and may take
 * numbers from the old group only with forceAssociate.
 */
export class Replace implements Command {
  constructor(
    readonly phoneNumbers: readonly string[] | undefined,
    readonly forceAssociate: boolean,
    readonly fault: Fault,
  ) {}
  check = (m: Readonly<Model>) => m.stack === 'live';
  async run(m: Model, r: Real): Promise<void> {
    const props: Props = { ...m.props!, phoneNumbers: this.phoneNumbers, forceAssociate: this.forceAssociate };
    const oldLogicalId = logicalIdOf(m.construct, m.props);
    const construct = otherConstruct(m.construct);
    const shape = shapeOf(props, construct, false);
    const refused = refusedNumbers(m, props, true);
    await clearOfIssueAllowance(r, m.groupId!);
    const { result } = await operate(r, this.fault, refused.length > 0 ? 'UPDATE_ROLLBACK_COMPLETE' : 'UPDATE_COMPLETE', () =>
      r.cfn.deploy(shape.outdir, STACK, parametersOf(props, r, false)),
    );
    if (refused.length > 0) {
      expect(result.failures.map((f) => [f.logicalId, f.requestType, f.phase])).toEqual([[shape.groupLogicalId, 'Create', 'deploy']]);
      expect(result.failures[0].reason).toContain('PhoneNumberAssociationsExist');
      checkInvariants(m, r, 'same');
      return;
    }
    const declared = props.phoneNumbers ?? [];
    cleanUpOld(m, r, result, oldLogicalId, declared);
    m.construct = construct;
    m.phoneNumbers = sorted(declared);
    m.elsewhere = without(m.elsewhere, m.phoneNumbers);
    m.excused = [];
    m.props = props;
    checkInvariants(m, r, 'new');
  }
  toString = () =>
    `Replace(new construct ID, numbers ${this.phoneNumbers ? `[${this.phoneNumbers.map((n) => n.slice(-3)).join(', ')}]` : 'absent'}${this.forceAssociate ? ' forced' : ''}; ${describeFault(this.fault)})`;
}

/**
 * Waits until the group is older than the handler's clock allowance (whole-second X-Amz-Date, less
 * ISSUE_CLOCK_ALLOWANCE_MS) before a replacement is issued. A group made in the seconds before a
 * request is issued is taken as that request's own (README, the ownership rule: "What remains
 * possible"); real stack operations are further apart than these back-to-back local ones.
 */
async function clearOfIssueAllowance(r: Real, groupId: string): Promise<void> {
  const created = r.endpoint.groups.get(groupId)?.created;
  if (created === undefined) return;
  const wait = Date.parse(created) + ISSUE_CLOCK_ALLOWANCE_MS + 1_100 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** Deploys new props with a second group that fails after the first group's change: all of it rolls back. */
export class FailedDeploy implements Command {
  constructor(
    readonly props: Props,
    readonly fault: Fault,
  ) {}
  check = (m: Readonly<Model>) => m.stack !== 'delete-failed';
  async run(m: Model, r: Real): Promise<void> {
    const shape = shapeOf(this.props, m.construct, true);
    const creating = m.stack === 'none';
    const refused = refusedNumbers(m, this.props).length > 0;
    // What the rollback Update of an in-place update associates again: numbers the failed props
    // stopped declaring, which the restored props declare, though not on the group (drifted away).
    const restoring = !creating && !moves(m.props!, this.props) && !refused ? without(inPlaceChange(afterInPlace(m.phoneNumbers, m.props, this.props), this.props, m.props!).add, m.phoneNumbers) : [];
    const { result } = await operate(r, this.fault, creating ? 'ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_COMPLETE', () => r.cfn.deploy(shape.outdir, STACK, parametersOf(this.props, r, true)));
    if (!refused) {
      const released = takenForGood(m, this.props);
      m.elsewhere = without(m.elsewhere, released);
      m.phoneNumbers = without(m.phoneNumbers, released);
      m.excused = sorted([...m.excused, ...released]);
      // Released numbers and numbers the restored props may take with forceAssociate come back;
      // numbers held elsewhere otherwise stay there (a drifted number does not fail a rollback).
      const back = restoring.filter((n) => !m.elsewhere.includes(n) || m.props!.forceAssociate);
      m.elsewhere = without(m.elsewhere, back);
      m.phoneNumbers = sorted([...m.phoneNumbers, ...back]);
    }
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
export class Delete implements Command {
  constructor(
    readonly withNumbers: boolean,
    readonly fault: Fault,
  ) {}
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
    const blocked = without(m.phoneNumbers, m.props!.phoneNumbers ?? []).length > 0;
    const before = blocked ? snapshot(r.endpoint.groups.get(m.groupId!)!) : undefined;
    await operate(r, this.fault, blocked ? 'DELETE_FAILED' : 'DELETE_COMPLETE', () => r.cfn.destroy(STACK));
    if (blocked) {
      m.stack = 'delete-failed';
      // Restored after any partial change, so compare with the group as it was, field by field.
      expect(snapshot(r.endpoint.groups.get(m.groupId!)!)).toEqual(before);
    } else {
      m.stack = 'none';
      m.props = undefined;
      m.phoneNumbers = [];
      m.excused = [];
    }
    checkInvariants(m, r, blocked ? 'same' : 'none');
  }
  toString = () => `Delete(${this.withNumbers ? 'an undeclared number on the group' : 'no undeclared number added'}; ${describeFault(this.fault)})`;
}

export type DriftTo = 'released' | 'outside';

/**
 * Between stack operations, a declared number on the group is released by hand, or moved by hand to
 * the voice connector outside the stack (the `pick`th of those, modulo their count). No stack
 * operation runs; the next ones must neither fail because of it nor count it as lost.
 */
export class Drift implements Command {
  constructor(
    readonly pick: number,
    readonly to: DriftTo,
  ) {}
  check = (m: Readonly<Model>) => m.stack === 'live' && candidates(m).length > 0;
  async run(m: Model, r: Real): Promise<void> {
    const list = candidates(m);
    const n = list[this.pick % list.length];
    if (this.to === 'outside') {
      r.endpoint.associatePhoneNumbersWithConnector(r.outside, [n]);
      m.elsewhere = sorted([...m.elsewhere, n]);
    } else {
      r.endpoint.phoneNumbers.get(n)!.association = undefined;
    }
    m.phoneNumbers = without(m.phoneNumbers, [n]);
    m.excused = sorted([...m.excused, n]);
  }
  toString = () => `Drift(declared number #${this.pick} ${this.to === 'outside' ? 'moved to a voice connector by hand' : 'released by hand'})`;
}

const candidates = (m: Readonly<Model>) => both(m.props?.phoneNumbers ?? [], m.phoneNumbers);

// --- Running ---------------------------------------------------------------------------------

/** A failure carries what CloudFormation sent and what the endpoint was asked, so a counterexample can be read. */
function withTrace(err: unknown, real: Real): unknown {
  if (!(err instanceof Error)) return err;
  const short = (id?: string) => id?.slice(0, 8);
  const events = real.cfn.events.map(
    (e) =>
      `${e.logicalId.replace(/[0-9A-F]{8}$/, '')} ${e.requestType}/${e.phase} #${e.delivery} ${e.cause} ${e.status}${e.taken ? '' : ' (late)'} ${short(e.physicalId) ?? ''} ${e.reason?.slice(0, 240) ?? ''}`,
  );
  const requests = real.endpoint.requests.map((q) => `${q.operation} ${q.namespace}/${q.region} ${q.status}${q.committed ? ' committed' : ''}`);
  // The function's own words on what it undid or left, which the events' reasons do not carry.
  const said = real.cfn.logs.filter((l) => /"(notice|warning)"/.test(l)).map((l) => l.slice(0, 400));
  err.message += `\n\nevents:\n  ${events.join('\n  ')}\n\nrequests:\n  ${requests.join('\n  ')}\n\nnotices and warnings in the function's log:\n  ${said.join('\n  ')}`;
  return err;
}

/** Runs one command sequence against a fresh endpoint and local CloudFormation. */
export async function runSequence(options: RunOptions, cmds: Iterable<Command>): Promise<void> {
  const endpoint = await ChimeEndpoint.start({ seed: options.endpointSeed, readAfterCreateLagMs: READ_AFTER_CREATE_LAG_MS, groupQuota: GROUP_QUOTA });
  // As test/e2e/harness.ts: an answer may wait out the handler's read-lag window (a minute).
  const cfn = await LocalCloudFormation.start({ endpoint, responseTimeoutMs: 150_000, retryDelaysMs: [50, 100], duplicates: options.duplicates });
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
    await fc.asyncModelRun(() => ({ model: { stack: 'none', construct: 'Group', phoneNumbers: [], elsewhere, excused: [] } as Model, real }), cmds);
  } catch (err) {
    throw withTrace(err, real);
  } finally {
    await cfn.stop();
    await endpoint.stop();
  }
}

export interface SearchOptions {
  readonly seed: number;
  readonly numRuns: number;
  /** Stops starting runs (and stack operations) after this long; an interrupted search is no failure. */
  readonly timeLimitMs: number;
  readonly maxCommands?: number;
  /** A fast-check replay path, with `seed`, to run one counterexample again. */
  readonly path?: string;
  /** The commands' own replay path (the `replayPath` in a counterexample's commands), with `path`. */
  readonly commandsPath?: string;
  /** Reports the first failure without shrinking it. */
  readonly endOnFailure?: boolean;
  /** Whether duplicates may be late or every event's (see runArb). @default true */
  readonly lateDuplicates?: boolean;
  /** Whether Lambda delivers some events twice at all. @default true */
  readonly duplicates?: boolean;
  /** Called as each run starts (its 1-based number). */
  readonly onRun?: (run: number) => void;
}

export interface SearchResult {
  readonly details: fc.RunDetails<[RunOptions, Iterable<Command>]>;
  readonly runs: number;
  readonly operations: number;
}

/**
 * A search over random runs. fast-check stops waiting for a run when the time limit passes but
 * cannot stop it; each run ends at its next stack operation after that (with a margin, so
 * fast-check has let go of it first and the stop is no failure) and is awaited here, so no
 * driver outlives the search.
 */
export async function search(options: SearchOptions): Promise<SearchResult> {
  openSession(Date.now() + options.timeLimitMs + 2_000);
  let runs = 0;
  const running = new Set<Promise<void>>();
  try {
    const details = await fc.check(
      fc.asyncProperty(runArb(options.lateDuplicates ?? true, options.duplicates ?? true), commandsArb(options.maxCommands, options.commandsPath), (run, cmds) => {
        runs++;
        options.onRun?.(runs);
        const p = runSequence(run, cmds);
        running.add(p);
        return p.finally(() => running.delete(p));
      }),
      {
        seed: options.seed,
        numRuns: options.numRuns,
        path: options.path,
        endOnFailure: options.endOnFailure,
        interruptAfterTimeLimit: options.timeLimitMs,
        markInterruptAsFailure: false,
      },
    );
    await Promise.allSettled([...running]);
    return { details, runs, operations: operationsRun() };
  } finally {
    await Promise.allSettled([...running]);
    closeSession();
  }
}
