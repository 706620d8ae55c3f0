import type {
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { ApiNamespace, GROUP_ID_PATTERN, GroupSpec, ItemSpec, LEGACY_REGION } from '../lib/rules';
import { Connect, fromWireItems, GroupWire, toWireInput, WireGroup } from './api';
import { describeApiError, errorName, GroupError } from './errors';
import { parseGroupSpec } from './properties';

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
 * Kept back from the Lambda timeout so the entrypoint can still send FAILED (it retries the
 * response PUT for up to about 30 s) after an API call is aborted: CloudFormation is never left waiting.
 */
export const RESPONSE_RESERVE_MS = 40_000;
/** The API time budget when there is no Lambda context (local runs). */
export const DEFAULT_BUDGET_MS = 120_000;

/** The API refuses to delete a group that still has voice connectors or phone numbers. */
const REFUSALS = new Set(['ConflictException', 'BadRequestException']);
const GONE = Symbol('gone');

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
  };
}

/** Runs a call during Delete, where NotFound means the work is already done. */
async function unlessGone<T>(call: Promise<T>): Promise<T | typeof GONE> {
  try {
    return await call;
  } catch (err) {
    if (apiErrorName(err) === 'NotFoundException') return GONE;
    throw err;
  }
}

/** Deletes the group; resolves to the API's refusal when the group still has associations. */
async function tryDelete(api: GroupWire, id: string): Promise<unknown> {
  try {
    await unlessGone(api.delete(id));
    return undefined;
  } catch (err) {
    if (REFUSALS.has(apiErrorName(err))) return err;
    throw err;
  }
}

function answer(group: WireGroup, knownId: string | undefined, label: string): HandlerResponse {
  const id = group.VoiceConnectorGroupId ?? knownId;
  if (!id) throw new GroupError(`The API answered for ${label} without a VoiceConnectorGroupId`);
  const data: Record<string, string> = { VoiceConnectorGroupId: id };
  if (group.Name) data.VoiceConnectorGroupName = group.Name;
  if (group.VoiceConnectorGroupArn) data.VoiceConnectorGroupArn = group.VoiceConnectorGroupArn;
  return { PhysicalResourceId: id, Data: data };
}

const uniqueById = (items: ItemSpec[]) => [...new Map(items.map((i) => [i.voiceConnectorId, i])).values()];

/**
 * Detaches the group's connectors (the API refuses to delete a group that has any), then deletes it.
 * Connectors added outside CloudFormation are found and detached too. If the group still cannot be
 * deleted, only phone numbers can be holding it: its connectors are put back and the Delete fails.
 */
async function deleteGroup(api: GroupWire, id: string, spec: GroupSpec, label: string): Promise<void> {
  const detached: ItemSpec[] = [...spec.voiceConnectorItems];
  let name = spec.voiceConnectorGroupName;
  if (detached.length > 0 && (await unlessGone(api.update(id, toWireInput(spec, [])))) === GONE) return;
  let refusal = await tryDelete(api, id);
  if (!refusal) return;

  const current = await unlessGone(api.get(id));
  if (current === GONE) return;
  name = current.Name ?? name;
  const extra = fromWireItems(current);
  if (extra.length > 0) {
    await api.update(id, toWireInput({ ...spec, voiceConnectorGroupName: name }, []));
    detached.push(...extra);
    refusal = await tryDelete(api, id);
    if (!refusal) return;
  }
  if (detached.length > 0) {
    await api.update(id, toWireInput({ ...spec, voiceConnectorGroupName: name }, uniqueById(detached)));
  }
  const apiMessage = (refusal as { message?: string }).message ?? String(refusal);
  throw new GroupError(
    `Cannot delete voice connector group ${id} of ${label}: the API refused (${apiErrorName(refusal)}: ${apiMessage}). ` +
      'A group that still has phone numbers cannot be deleted. Disassociate them with ' +
      'DisassociatePhoneNumbersFromVoiceConnectorGroup and retry, or keep the group with removalPolicy: RemovalPolicy.RETAIN. ' +
      'The group was left as it was, with its voice connectors attached.',
  );
}

interface Step {
  readonly event: CloudFormationCustomResourceEvent;
  readonly namespace: ApiNamespace;
  readonly label: string;
  readonly open: (spec: GroupSpec) => GroupWire;
}

function readSpec(step: Step, raw: unknown): GroupSpec {
  const spec = parseGroupSpec(raw, step.label);
  if (spec.apiNamespace !== step.namespace) {
    throw new GroupError(
      `${step.label} has apiNamespace '${spec.apiNamespace}' but was sent to the ${step.namespace} handler; ` +
        'each namespace has its own provider, so redeploy the stack to point the resource at the right one',
    );
  }
  return spec;
}

async function onCreate(step: Step): Promise<HandlerResponse> {
  const spec = readSpec(step, step.event.ResourceProperties);
  const group = await step.open(spec).create(toWireInput(spec, spec.voiceConnectorItems));
  return answer(group, undefined, step.label);
}

async function onUpdate(step: Step, event: CloudFormationCustomResourceUpdateEvent): Promise<HandlerResponse> {
  const spec = readSpec(step, event.ResourceProperties);
  const id = event.PhysicalResourceId;
  const old = event.OldResourceProperties ?? {};
  // A group cannot move between namespaces or Regions: create its replacement and return the new
  // ID; CloudFormation then sends a Delete for the old one once the whole update has succeeded.
  const moved = old.apiNamespace !== event.ResourceProperties.apiNamespace || old.apiRegion !== event.ResourceProperties.apiRegion;
  if (moved || !GROUP_ID_PATTERN.test(id)) return onCreate(step);
  const api = step.open(spec);
  try {
    return answer(await api.update(id, toWireInput(spec, spec.voiceConnectorItems)), id, step.label);
  } catch (err) {
    // NotFound can name a voice connector as well as the group: recreate only a group that is gone.
    if (apiErrorName(err) !== 'NotFoundException' || (await unlessGone(api.get(id))) !== GONE) throw err;
  }
  // Deleted outside CloudFormation: make it again rather than leave the stack unable to update
  // or roll back. The new ID makes CloudFormation's cleanup Delete of the old one a no-op.
  return onCreate(step);
}

async function onDelete(step: Step, event: CloudFormationCustomResourceDeleteEvent): Promise<HandlerResponse> {
  const id = event.PhysicalResourceId ?? '';
  // Not a group ID (a Create that failed before the API made one): there is nothing to delete.
  if (!GROUP_ID_PATTERN.test(id)) return { PhysicalResourceId: id };
  const spec = readSpec(step, step.event.ResourceProperties);
  await deleteGroup(step.open(spec), id, spec, step.label);
  return { PhysicalResourceId: id };
}

function regionOf(spec: GroupSpec, label: string): string {
  const region = spec.apiNamespace === ApiNamespace.CHIME ? LEGACY_REGION : spec.apiRegion ?? process.env.AWS_REGION;
  if (!region) throw new GroupError(`${label} has no apiRegion and the function has no AWS_REGION; set apiRegion`);
  return region;
}

/**
 * Builds the custom-resource handler for one API namespace. Every event is answered: the result
 * becomes SUCCESS, and any error a FAILED whose reason says what was wrong and how to fix it.
 */
export function makeHandler(namespace: ApiNamespace, connect: Connect) {
  return async function handler(event: CloudFormationCustomResourceEvent, context?: Partial<DeadlineContext>): Promise<HandlerResponse> {
    const started = Date.now();
    const label = `${event?.LogicalResourceId ?? 'the custom resource'} (${namespace})`;
    const line = { requestType: event?.RequestType, logicalResourceId: event?.LogicalResourceId, namespace };
    try {
      if (typeof event !== 'object' || event === null) throw new GroupError('The event is not a CloudFormation custom resource event');
      const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
      const signal = AbortSignal.timeout(Math.max(remaining === undefined ? DEFAULT_BUDGET_MS : remaining - RESPONSE_RESERVE_MS, 1_000));
      const step: Step = { event, namespace, label, open: (spec) => described(connect(regionOf(spec, label), signal), label) };
      let result: HandlerResponse;
      switch (event.RequestType) {
        case 'Create':
          result = await onCreate(step);
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
      console.log(JSON.stringify({ ...line, physicalResourceId: (event as { PhysicalResourceId?: string } | undefined)?.PhysicalResourceId, outcome: 'FAILED', reason: error.fullMessage, ms: Date.now() - started }));
      throw error;
    }
  };
}
