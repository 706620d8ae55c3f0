import type { GroupSpec } from '../lib/rules';
import type { WireGroup } from '../lambda/api';
import { connectorId } from './declared';

/** One line of the comparison: a field of the group, what the template declares and what the group holds. */
export interface Field {
  readonly field: string;
  readonly declared: string;
  readonly live: string;
  readonly drift: boolean;
}

/** A group as it is now: undefined when it no longer exists. `numbers` only when numbers are declared. */
export interface LiveGroup {
  readonly group: WireGroup;
  readonly numbers: readonly string[];
}

const NONE = '(none)';

/**
 * Compares what a group declares with the group: its name, each voice connector and its priority
 * (declared ones, and any the group holds that are not declared), the call distribution (drift only
 * when declared: an omitted one leaves the group's), and each declared number (numbers on the group
 * that are not declared are the group's own business, as the handler leaves them). A group that no
 * longer exists is one field, `group`, declared `exists` and live `missing`.
 */
export function compare(spec: GroupSpec, live: LiveGroup | undefined): Field[] {
  if (!live) return [{ field: 'group', declared: 'exists', live: 'missing', drift: true }];
  const field = (name: string, declared: string, now: string, drift = declared !== now): Field => ({ field: name, declared, live: now, drift });
  const name = live.group.Name ?? NONE;
  // An adopted group may leave its name and connectors to the group: those are then not drift.
  const fields = [spec.voiceConnectorGroupName === undefined ? field('name', 'not declared', name, false) : field('name', spec.voiceConnectorGroupName, name)];
  const liveItems = new Map((live.group.VoiceConnectorItems ?? []).map((i) => [i.VoiceConnectorId ?? '', i.Priority]));
  const declaredIds = (spec.voiceConnectorItems ?? []).map((i) => connectorId(i.voiceConnectorId));
  (spec.voiceConnectorItems ?? []).forEach((item, i) => {
    const priority = liveItems.get(declaredIds[i]);
    fields.push(field(`connector ${declaredIds[i]}`, `priority ${item.priority}`, priority === undefined ? 'not in the group' : `priority ${priority}`));
  });
  for (const [id, priority] of liveItems) {
    if (!declaredIds.includes(id)) fields.push(field(`connector ${id}`, 'not declared', `priority ${priority}`, spec.voiceConnectorItems !== undefined));
  }
  const distribution = live.group.CallDistributionType ?? NONE;
  fields.push(spec.callDistribution ? field('call distribution', spec.callDistribution, distribution) : field('call distribution', 'not declared', distribution, false));
  for (const number of spec.phoneNumbers ?? []) {
    fields.push(field(`number ${number}`, 'on the group', live.numbers.includes(number) ? 'on the group' : 'not on the group'));
  }
  return fields;
}
