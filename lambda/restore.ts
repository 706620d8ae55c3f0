import type { CallDistribution, GroupSpec } from '../lib/rules';
import { declaredOver, GroupWire, WireGroup } from './api';
import { describeApiError, GroupError } from './errors';
import { numbersFailed, undoSentence, updateGroup } from './group-changes';
import { Ledger } from './ledger';
import { associateAll, numberList, without } from './phone-numbers';

/**
 * Puts back what a group declares, when it was changed by hand: the drift command's `--revert`.
 * CloudFormation sends no Update for an unchanged template, so a deploy cannot do it. It runs the
 * handler's own update steps and ledger, under the handler's ownership rule: the caller passes only
 * the group CloudFormation records for the resource (its physical ID), which may be changed.
 * - Only what the properties declare is written back: the name and the voice connectors always (an
 *   omitted list declares none), the call distribution only when declared, else the live one stays.
 * - Declared numbers that are not on the group are associated again (taken from wherever they are
 *   only with `forceAssociate: true`, as the handler does); numbers on the group that are not
 *   declared are left, as an Update leaves them.
 * - If a step fails, the ledger undoes exactly what this run changed, and the error says so.
 * Returns what it changed, one sentence each; nothing when the group already matches.
 */
export async function restoreDeclared(
  api: GroupWire,
  settle: GroupWire,
  id: string,
  spec: GroupSpec,
  live: { readonly group: WireGroup; readonly numbers: readonly string[] },
  label: string,
  signals: { readonly work: AbortSignal; readonly settle: AbortSignal },
): Promise<string[]> {
  const ledger = new Ledger();
  const changed: string[] = [];
  // What the group does not declare (a call distribution, or an adopted group's name or connectors) stays as it is.
  const callDistribution = spec.callDistribution ?? (live.group.CallDistributionType as CallDistribution | undefined);
  const input = declaredOver({ ...spec, callDistribution }, live.group);
  const missing = without(spec.phoneNumbers ?? [], live.numbers);
  try {
    if (await updateGroup(ledger, api, settle, id, live.group, input, signals.work)) {
      changed.push(`wrote the declared ${spec.callDistribution ? 'name, voice connectors and call distribution' : 'name and voice connectors'} to group ${id}`);
    }
    if (missing.length > 0) {
      const forced = spec.forceAssociate === true;
      const outcome = await associateAll(api, id, missing, () => forced, { ledger, settle });
      if (outcome.failed.length > 0 || outcome.error !== undefined) throw numbersFailed('associate', id, label, outcome, forced);
      changed.push(`associated ${numberList(missing)} with group ${id} again`);
    }
  } catch (err) {
    const error = err instanceof GroupError ? err : describeApiError(`Reverting group ${id}`, label, err);
    const report = await ledger.undo(signals.settle);
    throw new GroupError(`${error.message} ${undoSentence(report, label)}`.trim(), { cause: error.cause });
  }
  return changed;
}
