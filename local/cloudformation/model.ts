import type { ChimeEndpoint } from '../endpoint';
import type { Json, Template } from './template';

/**
 * The local CloudFormation's state and the records tests read: what was sent, each delivery and
 * its answer, each deploy's result, and the live stacks with their resources.
 */

export type Phase = 'deploy' | 'cleanup' | 'rollback' | 'rollback-cleanup' | 'destroy';
export type RequestType = 'Create' | 'Update' | 'Delete';

/** One event CloudFormation sent (one RequestId), whichever deliveries carried it. */
export interface SentEvent {
  readonly stack: string;
  readonly logicalId: string;
  readonly requestType: RequestType;
  readonly phase: Phase;
  readonly requestId: string;
  /** When CloudFormation issued the request: its ResponseURL's `X-Amz-Date`, to the second. */
  readonly issued: Date;
  /** The event exactly as the function received it. */
  readonly event: Record<string, unknown>;
}

/** One delivery of an event to the function: Lambda may deliver the same event more than once. */
export interface EventRecord {
  readonly stack: string;
  readonly logicalId: string;
  readonly requestType: RequestType;
  readonly phase: Phase;
  readonly requestId: string;
  /** 1 for the first delivery of this RequestId, then 2, 3, … in the order they started. */
  readonly delivery: number;
  /** Why Lambda delivered it: the event itself, a retry after a function error, or an extra at-least-once copy. */
  readonly cause: 'event' | 'retry' | 'duplicate';
  /** What this delivery answered; UNANSWERED when it ended without an answer CloudFormation accepted. */
  readonly status: 'SUCCESS' | 'FAILED' | 'UNANSWERED';
  /** Whether CloudFormation took this answer: only the first answer for a RequestId counts. */
  readonly taken: boolean;
  readonly physicalId?: string;
  /** The reason CloudFormation recorded (for a taken answer) or the answer gave. */
  readonly reason?: string;
  readonly data?: Record<string, string>;
  readonly responseBytes?: number;
  /** How the invocation failed, when it did: the entrypoint's error, a crash or the function timeout. */
  readonly error?: string;
  readonly ms: number;
}

/** A resource that failed a deploy or destroy, with the reason CloudFormation gives. */
export interface ResourceFailure {
  readonly stack: string;
  readonly logicalId: string;
  readonly requestType: RequestType;
  readonly phase: Phase;
  readonly reason: string;
}

export type StackStatus =
  | 'CREATE_COMPLETE'
  | 'ROLLBACK_COMPLETE'
  | 'ROLLBACK_FAILED'
  | 'UPDATE_COMPLETE'
  | 'UPDATE_ROLLBACK_COMPLETE'
  | 'UPDATE_ROLLBACK_FAILED'
  | 'DELETE_COMPLETE'
  | 'DELETE_FAILED';
/** The statuses a stack passes through on its way to one of the final ones above. */
export type StackProgress =
  | 'CREATE_IN_PROGRESS'
  | 'ROLLBACK_IN_PROGRESS'
  | 'UPDATE_IN_PROGRESS'
  | 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'
  | 'UPDATE_ROLLBACK_IN_PROGRESS'
  | 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'
  | 'DELETE_IN_PROGRESS';
/** Source: CloudFormation API reference, Stack (StackStatus). */
export type CurrentStackStatus = StackStatus | StackProgress;

/** Source: CloudFormation API reference, StackResourceDetail (ResourceStatus); the statuses this engine uses. */
export type ResourceStatus =
  | 'CREATE_IN_PROGRESS'
  | 'CREATE_COMPLETE'
  | 'CREATE_FAILED'
  | 'UPDATE_IN_PROGRESS'
  | 'UPDATE_COMPLETE'
  | 'UPDATE_FAILED'
  | 'DELETE_IN_PROGRESS'
  | 'DELETE_COMPLETE'
  | 'DELETE_FAILED'
  | 'DELETE_SKIPPED';

/** A resource as DescribeStackResource describes it. */
export interface ResourceRecord {
  readonly logicalId: string;
  readonly type: string;
  /** None while its first Create runs (or when a failed Create answered none). */
  readonly physicalId?: string;
  readonly status: ResourceStatus;
  /** LastUpdatedTimestamp: when it moved to this status, in ms. */
  readonly updated: Date;
  /** ResourceStatusReason, for a failure. */
  readonly reason?: string;
}

/**
 * One status change, as DescribeStackEvents lists them: a stack's own changes name the stack as
 * their logical ID and `AWS::CloudFormation::Stack` as their type.
 */
export interface StackEvent {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId?: string;
  readonly status: ResourceStatus | CurrentStackStatus;
  readonly at: Date;
  readonly reason?: string;
}

export interface DeployResult {
  readonly status: StackStatus;
  /** The deliveries that ended during this deploy, in the order they ended. */
  readonly events: EventRecord[];
  readonly failures: ResourceFailure[];
  readonly outputs: Record<string, string>;
}
export interface AppResult {
  /** Each stack's result, in the order the stacks were deployed or destroyed. */
  readonly stacks: Record<string, DeployResult>;
  /** True when every stack reached CREATE_COMPLETE / UPDATE_COMPLETE (or DELETE_COMPLETE). */
  readonly ok: boolean;
  readonly events: EventRecord[];
}

/** How Lambda's at-least-once delivery sends an event a second time without any error. */
export interface DuplicateDeliveries {
  /** 'always', or the chance (0 to 1) that an event gets a second delivery. */
  readonly probability: number | 'always';
  /** Seed for the chance, so a run is repeatable. @default 1 */
  readonly seed?: number;
  /** The second delivery starts this long after the first; 0 runs both at the same time. @default 0 */
  readonly afterMs?: number;
}

export interface DriverOptions {
  readonly endpoint: ChimeEndpoint;
  /**
   * Caps each resource's ServiceTimeout (the longest wait for an answer), so tests fail fast.
   * @default 120000
   */
  readonly responseTimeoutMs?: number;
  /**
   * The delays before Lambda's retries of an invocation that errored; one retry per entry.
   * @default [60000, 120000], as Lambda retries asynchronous invocations
   */
  readonly retryDelaysMs?: number[];
  /**
   * Stops each invocation after this long instead of the function's `Timeout` from the template.
   * @default the function's Timeout
   */
  readonly functionTimeoutMs?: number;
  /** Extra deliveries of the same event. @default none */
  readonly duplicates?: DuplicateDeliveries;
  /**
   * The most execution environments one function runs at once; further invocations wait for one,
   * as Lambda queues throttled asynchronous events.
   * @default 10
   */
  readonly concurrency?: number;
}

/** A resource of a deployed stack, as the stack engine holds it. */
export interface Live {
  readonly type: string;
  physicalId: string;
  properties: Record<string, Json>;
  attributes: Record<string, string>;
  deletionPolicy?: string;
  /** The template's `Metadata` for it, resolved as its properties are: what DescribeStackResource answers. */
  metadata?: Record<string, Json>;
}

/** A function of a deployed stack: its asset directory, Handler and timeout. */
export interface LambdaFunction {
  readonly arn: string;
  readonly dir: string;
  /** The template's `Handler`: `<module path>.<export>` in the asset directory. */
  readonly handler: string;
  readonly region: string;
  readonly timeoutMs: number;
  /** The logical ID of its execution role in the template, when the template has it. */
  readonly role?: string;
  /** The role's credentials, which Lambda puts in the function's environment. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken: string };
}

export interface LiveStack {
  readonly name: string;
  readonly region: string;
  readonly stackId: string;
  template: Template;
  parameters: Record<string, string>;
  resources: Map<string, Live>;
  /** Function ARN to asset directory and timeout. */
  functions: Map<string, LambdaFunction>;
  outputs: Record<string, string>;
  exports: Record<string, string>;
  status: CurrentStackStatus;
  readonly created: Date;
  /** When the stack last moved to a status. */
  updated: Date;
  /** Each resource's record, as DescribeStackResource(s) answers; a resource that left the stack has none. */
  records: Map<string, ResourceRecord>;
}

/** CloudFormation's verdict on one event. */
export interface Outcome {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly physicalId?: string;
  readonly data?: Record<string, string>;
  readonly reason?: string;
}
