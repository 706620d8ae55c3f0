import type { Report } from './main';

const HEADER = ['stack', 'construct path', 'group ID', 'field', 'declared', 'live', 'drift'];

/** A Markdown-style table with padded columns, as `npm run local` prints its own. */
export function table(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The report as people read it: one row per field of each group, then what was reverted and a summary. */
export function render(report: Report): string {
  const rows: string[][] = [];
  const lines: string[] = [];
  for (const s of report.stacks) {
    if (s.groups.length === 0) rows.push([s.stack, '(no voice connector groups)', '', '', '', '', '']);
    for (const g of s.groups) {
      for (const f of g.fields) rows.push([s.stack, g.path, g.groupId, f.field, f.declared, f.live, f.drift ? 'DRIFT' : '']);
      if (g.state === 'missing') {
        lines.push(
          `${g.path} (${g.groupId}) is missing, deleted outside CloudFormation: --revert cannot make it again with that ID. ` +
            'Deploy a change to its properties, and the handler makes a new group (an adopted one fails instead: point adoptVoiceConnectorGroupId at a group that exists), or remove it from the stack.',
        );
      }
      if (g.reverted) {
        const still = (g.after ?? []).filter((f) => f.drift).map((f) => f.field);
        lines.push(
          `Reverted ${g.path} (${g.groupId}): ${g.reverted.length > 0 ? g.reverted.join('; ') : 'nothing to change'}.` +
            (still.length > 0 ? ` Still drifted: ${still.join(', ')}.` : ' It now matches what it declares.'),
        );
      }
    }
  }
  const groups = report.stacks.flatMap((s) => s.groups);
  const drifted = groups.filter((g) => g.state !== 'in sync');
  const summary = report.drift
    ? `Drift: ${plural(drifted.length, 'group')} of ${groups.length} in ${plural(report.stacks.length, 'stack')} ${drifted.length === 1 ? 'differs' : 'differ'} from what ${drifted.length === 1 ? 'it declares' : 'they declare'}${lines.length > 0 ? ' after reverting' : ''}.`
    : `No drift: ${plural(groups.length, 'group')} in ${plural(report.stacks.length, 'stack')} ${groups.length === 1 ? 'matches' : 'match'} what ${groups.length === 1 ? 'it declares' : 'they declare'}${lines.length > 0 ? ' after reverting' : ''}.`;
  return `${[table(HEADER, rows), ...(lines.length > 0 ? ['', ...lines] : []), '', summary].join('\n')}\n`;
}
