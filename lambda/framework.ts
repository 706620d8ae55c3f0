import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { onAdopt } from './adopt';
import type { Connect } from './api';
import { Answer, Put, responseBody, sendResponse } from './cfn-response';
import { onCreate } from './create';
import { onDelete } from './delete';
import { describeApiError, GroupError } from './errors';
import { undoSentence } from './group-changes';
import { Ledger } from './ledger';
import { completedWith, DescribeResource, issuedAt, requestEpoch, requestState } from './ownership';
import { maskNumbers } from './phone-numbers';
import { parseGroupSpec, storedNamespace } from './properties';
import { LagClock, READ_LAG_WINDOW_MS } from './retry';
import { Outcome, Step } from './step';
import { onUpdate } from './update';

/** The part of the Lambda context the handler uses. */
export interface DeadlineContext {
  getRemainingTimeInMillis(): number;
}

/**
 * Kept back from the Lambda timeout to deliver the answer (sendResponse retries the PUT for about
 * 30 s) after an API call is aborted: CloudFormation is never left waiting.
 */
export const RESPONSE_RESERVE_MS = 40_000;
/**
 * Kept back from the API work, before the response reserve, for undoing the ledger after a
 * failure. Calls in this phase are retried until it ends, not only as often as the SDK retries.
 */
const SETTLE_RESERVE_MS = 40_000;
/** How long after it last asked CloudFormation a delivery asks again before its next change. */
const ASK_AGAIN_AFTER_MS = 2_000;
/** The API time budget when there is no Lambda context (local runs). */
const DEFAULT_BUDGET_MS = 120_000;

/** What the handler reaches outside itself; index.ts gives the real ones, tests their own. */
export interface Outbound {
  readonly connect: Connect;
  /** CloudFormation's record of a resource; loaded on first use. */
  readonly describeResource?: () => DescribeResource;
  readonly put: Put;
}

/** One line per event in the function's log: never a whole phone number, never the response URL. */
const log = (line: Record<string, unknown>) => console.log(maskNumbers(JSON.stringify(line)));

/** The lifecycle steps, by RequestType. */
const STEPS = {
  Create: (step: Step) => {
    const spec = parseGroupSpec(step.event.ResourceProperties, step.label);
    return spec.adoptVoiceConnectorGroupId !== undefined ? onAdopt(step, spec) : onCreate(step, spec);
  },
  Update: (step: Step) => onUpdate(step, step.event as Extract<CloudFormationCustomResourceEvent, { RequestType: 'Update' }>),
  Delete: (step: Step) => onDelete(step, step.event as Extract<CloudFormationCustomResourceEvent, { RequestType: 'Delete' }>),
} as const;

/**
 * Builds the custom-resource handler: it answers CloudFormation itself, on the event's presigned
 * URL, so every event gets SUCCESS or FAILED with a reason that says what was wrong, what this
 * delivery changed and put back, and fits the response limit.
 */
export function makeHandler(outbound: Outbound, options: { readonly readLagWindowMs?: number } = {}) {
  return async function handler(event: CloudFormationCustomResourceEvent, context?: Partial<DeadlineContext>): Promise<void> {
    const started = Date.now();
    const namespace = storedNamespace((event as { ResourceProperties?: unknown } | undefined)?.ResourceProperties);
    const label = `${event?.LogicalResourceId ?? 'the custom resource'}${namespace ? ` (${namespace})` : ''}`;
    const line = { requestType: event?.RequestType, logicalResourceId: event?.LogicalResourceId, requestId: event?.RequestId, namespace };
    if (typeof event !== 'object' || event === null || !answerable(event.ResponseURL)) {
      log({ ...line, outcome: 'UNANSWERED', reason: 'the event is not a CloudFormation custom resource event: it has no https ResponseURL' });
      // Thrown before anything is changed: nothing could tell CloudFormation what was done.
      throw new Error('The event is not a CloudFormation custom resource event: it has no https ResponseURL to answer');
    }
    const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
    const budget = remaining === undefined ? DEFAULT_BUDGET_MS + SETTLE_RESERVE_MS : remaining - RESPONSE_RESERVE_MS;
    const signals = { work: AbortSignal.timeout(Math.max(budget - SETTLE_RESERVE_MS, 1_000)), settle: AbortSignal.timeout(Math.max(budget, 2_000)) };
    const issued = issuedAt(event.ResponseURL);
    const lagClocks = new Map<string, LagClock>();
    let lastAsked = Date.now();
    /** Whether CloudFormation's record could be read when the delivery started. */
    let readable = false;
    /** The group this delivery works on: its undo is skipped once CloudFormation records the request as done with it. */
    let working: string | undefined;
    const describeResource = outbound.describeResource?.();
    const step: Step = {
      event,
      label,
      functionRegion: process.env.AWS_REGION,
      issued,
      epoch: requestEpoch(issued, started),
      signals,
      // A delivery slowed down (throttling, the read lag) asks again before it changes anything more,
      // so a duplicate that started while the request was waited for does not act after its answer.
      ledger: new Ledger(async () => {
        if (Date.now() - lastAsked >= ASK_AGAIN_AFTER_MS) await step.stillWanted();
      }),
      describeResource,
      readLagWindowMs: options.readLagWindowMs ?? READ_LAG_WINDOW_MS,
      readable: () => readable,
      lagClock: (id) => {
        let clock = lagClocks.get(id);
        if (!clock) lagClocks.set(id, (clock = new LagClock()));
        return clock;
      },
      stillWanted: async () => {
        lastAsked = Date.now();
        const state = await requestState(describeResource, event, issued, signals.work, issued ?? started);
        if (state.kind === 'answered') throw new GroupError(`CloudFormation took an answer to this ${event.RequestType} request for ${label} while this delivery was waiting (${state.why}).`);
        // It could read the record when it started: losing the right to means the stack's role went, with the stack.
        if (state.kind === 'unknown' && state.refused && readable) throw new GroupError(`The function may no longer read its stack's record for ${label}: the stack is being deleted, so this delivery stopped waiting.`);
      },
      log: (l) => log({ ...line, ...l }),
      open: (location, phase) => described(outbound.connect(location.namespace, location.region, signals[phase]), label),
      workingOn: (id) => {
        working = id;
      },
      undo: async () => {
        if (!step.ledger.empty && working !== undefined && describeResource && (await completedWith(describeResource, event, issued, working, signals.settle))) {
          return { undone: [], kept: step.ledger.forget(), recorded: working };
        }
        return step.ledger.undo(signals.settle);
      },
    };

    let answer: Answer;
    let outcome: Outcome | undefined;
    try {
      const run = STEPS[event.RequestType as keyof typeof STEPS];
      if (!run) throw new GroupError(`Unknown RequestType ${JSON.stringify(event.RequestType)} for ${label}; expected Create, Update or Delete`);
      const missing = (['StackId', 'RequestId', 'LogicalResourceId'] as const).filter((k) => typeof event[k] !== 'string' || event[k] === '');
      if (missing.length > 0) throw new GroupError(`The event for ${label} has no ${missing.join(', ')}; CloudFormation always sends them, so nothing was done`);
      const state = await requestState(describeResource, event, issued, signals.work, issued ?? started);
      readable = state.kind !== 'unknown' || state.read === true;
      if (state.kind === 'answered') {
        throw new GroupError(`This delivery of the ${event.RequestType} request for ${label} came after CloudFormation had taken an answer (${state.why}); it changed nothing.`);
      }
      outcome = await run(step);
      answer = { status: 'SUCCESS', physicalResourceId: outcome.physicalResourceId, data: outcome.data };
    } catch (err) {
      const error = err instanceof GroupError ? err : describeApiError(String(event.RequestType), label, err);
      // Whatever the step did not undo itself, undone here: exactly this delivery's changes.
      const report = await step.undo();
      answer = { status: 'FAILED', reason: `${error.message} ${undoSentence(report, label)}`.trim(), physicalResourceId: error.physicalResourceId };
    }
    log({ ...line, physicalResourceId: answer.physicalResourceId ?? ('PhysicalResourceId' in event ? event.PhysicalResourceId : undefined), outcome: answer.status, reason: answer.reason, ms: Date.now() - started });
    await sendResponse(outbound.put, event.ResponseURL, responseBody(event, answer));
    if (outcome?.afterAnswer) {
      await outcome.afterAnswer().catch((err: unknown) => log({ ...line, warning: 'the check of what CloudFormation recorded failed', reason: describeApiError('DescribeStackResource', label, err).message }));
    }
  };
}

/** Whether the answer can be sent at all: CloudFormation's response URL is a presigned https URL. */
function answerable(url: unknown): url is string {
  if (typeof url !== 'string') return false;
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/** Wraps each operation so failures read as sentences that name the group and the operation (the drift command's revert uses it too). */
export function described(wire: ReturnType<Connect>, label: string): ReturnType<Connect> {
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
