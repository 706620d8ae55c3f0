import type { Variant } from './stacks';

interface Point {
  readonly variant: Variant;
  readonly n: number;
}

const COLOURS: Record<Variant, string> = { VoiceConnectorGroup: '#1b7f3b', AwsCustomResource: '#c0392b', Provider: '#2c5fa8' };
const WIDTH = 420;
const HEIGHT = 300;
const PAD = { left: 64, right: 28, top: 36, bottom: 44 };

interface Series {
  readonly name: string;
  readonly colour: string;
  readonly values: number[];
  readonly dashed?: boolean;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** One panel: log-scale N across, log-scale value up, a line per variant (and an optional floor). */
function panel(x0: number, title: string, unit: string, sizes: number[], series: Series[]): string {
  const all = series.flatMap((s) => s.values);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...all)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...all)));
  const w = WIDTH - PAD.left - PAD.right;
  const h = HEIGHT - PAD.top - PAD.bottom;
  const sx = (n: number) => x0 + PAD.left + (w * Math.log10(n / sizes[0])) / Math.log10(sizes[sizes.length - 1] / sizes[0]);
  const sy = (v: number) => PAD.top + h - (h * Math.log10(v / lo)) / Math.log10(hi / lo);
  const parts = [`<text x="${x0 + WIDTH / 2}" y="20" text-anchor="middle" font-weight="bold">${escape(title)}</text>`];
  for (let v = lo; v <= hi; v *= 10) {
    parts.push(`<line x1="${x0 + PAD.left}" x2="${x0 + WIDTH - PAD.right}" y1="${sy(v)}" y2="${sy(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${x0 + PAD.left - 6}" y="${sy(v) + 4}" text-anchor="end">${v >= 1 ? v.toLocaleString('en-US') : v}</text>`);
  }
  for (const n of sizes) parts.push(`<text x="${sx(n)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${n}</text>`);
  parts.push(`<text x="${x0 + PAD.left + w / 2}" y="${HEIGHT - 8}" text-anchor="middle">groups per stack (N)</text>`);
  parts.push(`<text transform="translate(${x0 + 14},${PAD.top + h / 2}) rotate(-90)" text-anchor="middle">${escape(unit)}</text>`);
  for (const s of series) {
    const points = s.values.map((v, i) => `${sx(sizes[i]).toFixed(1)},${sy(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="${s.colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,4"' : ''}/>`);
    for (const p of points.split(' ')) parts.push(`<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="3" fill="${s.colour}"/>`);
  }
  return parts.join('\n');
}

/** Template bytes per group and synth time against N, for this library and the baselines. */
export function svgChart<T extends Point & { bytesPerGroup: number }, S extends Point & { medianMs: number }>(
  template: T[],
  synth: S[],
  floor: number,
  sizes: number[],
  variants: Variant[],
): string {
  const of = <P extends Point>(rows: P[], variant: Variant, pick: (r: P) => number) => sizes.map((n) => pick(rows.find((r) => r.variant === variant && r.n === n)!));
  const bytes: Series[] = variants.map((v) => ({ name: v, colour: COLOURS[v], values: of(template, v, (r) => r.bytesPerGroup) }));
  bytes.push({ name: 'physical floor (one native declaration)', colour: '#777', values: sizes.map(() => floor), dashed: true });
  const times: Series[] = variants.map((v) => ({ name: v, colour: COLOURS[v], values: of(synth, v, (r) => r.medianMs) }));
  const legend = bytes
    .map((l, i) => {
      const x = 40 + i * 170;
      return `<line x1="${x}" x2="${x + 24}" y1="${HEIGHT + 16}" y2="${HEIGHT + 16}" stroke="${l.colour}" stroke-width="2"${l.dashed ? ' stroke-dasharray="5,4"' : ''}/><text x="${x + 30}" y="${HEIGHT + 20}">${escape(l.name)}</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH * 2}" height="${HEIGHT + 34}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
${panel(0, 'Template bytes per group', 'bytes (log scale)', sizes, bytes)}
${panel(WIDTH, 'Synth time, median', 'ms (log scale)', sizes, times)}
${legend}
</svg>
`;
}
