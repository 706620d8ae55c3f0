import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { GroupSpec } from '../lib/rules';
import type { GroupWire, WireGroup } from './api';
import { GroupError } from './errors';
import type { Ledger, UndoReport } from './ledger';
import type { DescribeResource } from './ownership';
import { locate, Location } from './properties';
import type { LagClock } from './retry';

/** What a lifecycle step gets: the event, the API where a group lives, the ledger and the deadlines. */
export interface Step {
  readonly event: CloudFormationCustomResourceEvent;
  /** The resource as reasons name it: its logical ID and namespace. */
  readonly label: string;
  readonly functionRegion?: string;
  /** When CloudFormation issued the request (the response URL's X-Amz-Date), if it says. */
  readonly issued?: number;
  /** The earliest creation time of a group a delivery of this request can have made. */
  readonly epoch: number;
  /** The API where a group lives: `work` calls stop at the work deadline, `settle` calls at the later one. */
  readonly open: (location: Location, phase: 'work' | 'settle') => GroupWire;
  readonly signals: Record<'work' | 'settle', AbortSignal>;
  readonly ledger: Ledger;
  /** CloudFormation's record of a resource, when the function may read it. */
  readonly describeResource?: DescribeResource;
  /** How long NotFound for a group that is this resource's may still be the read lag after a create. */
  readonly readLagWindowMs: number;
  /** This delivery's read-lag window for a group: one per group, shared by every call. */
  readonly lagClock: (groupId: string) => LagClock;
  /** Whether CloudFormation's record could be read when the delivery started. */
  readonly readable: () => boolean;
  /** Throws when CloudFormation turns out to have taken an answer to this request meanwhile; called during long waits. */
  readonly stillWanted: () => Promise<void>;
  /** Writes one line to the function's log (phone numbers masked). */
  readonly log: (line: Record<string, unknown>) => void;
  /** Names the group this delivery works on, the one it would answer with. */
  readonly workingOn: (groupId: string) => void;
  /**
   * Undoes this delivery's ledger, unless CloudFormation records this request as done with the group
   * it works on: another delivery of the request finished, and undoing would strip the recorded group.
   */
  readonly undo: () => Promise<UndoReport>;
}

/** A step's result: the physical ID and attributes, and work to do once CloudFormation has the answer. */
export interface Outcome {
  readonly physicalResourceId: string;
  readonly data?: Record<string, string>;
  readonly afterAnswer?: () => Promise<void>;
}

export function locationOf(step: Step, spec: GroupSpec): Location {
  const location = locate(spec, step.functionRegion);
  if (!location) throw new GroupError(`${step.label} has no apiRegion and the function has no AWS_REGION; set apiRegion`);
  return location;
}

/** The answer for a group: its ID as the physical ID, and the attributes the construct reads. */
export function answer(group: WireGroup, label: string): Outcome {
  const id = group.VoiceConnectorGroupId;
  if (!id) throw new GroupError(`The API answered for ${label} without a VoiceConnectorGroupId`);
  const data: Record<string, string> = { VoiceConnectorGroupId: id };
  if (group.Name) data.VoiceConnectorGroupName = group.Name;
  if (group.VoiceConnectorGroupArn) data.VoiceConnectorGroupArn = group.VoiceConnectorGroupArn;
  return { physicalResourceId: id, data };
}
