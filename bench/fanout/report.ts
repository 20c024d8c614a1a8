/** The printed table: scenario, Chorus, bare ws, Chorus/bare, target, verdict. */

export interface Row {
  scenario: string;
  unit: string;
  chorus: number | null;
  bare: number | null;
  /** Chorus ÷ bare when both were measured. */
  ratio: number | null;
  target: string;
  verdict: 'PASS' | 'MISS' | 'info';
}

export function row(scenario: string, unit: string, chorus: number | null, bare: number | null, target: string, pass: boolean | null): Row {
  const ratio = chorus !== null && bare !== null && bare !== 0 ? Math.round((chorus / bare) * 1000) / 1000 : null;
  return { scenario, unit, chorus, bare, ratio, target, verdict: pass === null ? 'info' : pass ? 'PASS' : 'MISS' };
}

const fmt = (n: number | null, unit: string) => {
  if (n === null || Number.isNaN(n)) return '—';
  const digits = unit === 'ms' || unit === 'KiB' ? 1 : 0;
  return `${n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}${unit ? ` ${unit}` : ''}`;
};

export function renderTable(rows: Row[]): string {
  const header = ['scenario', 'Chorus', 'bare ws', 'Chorus/bare', 'target', 'result'];
  const cells = rows.map((r) => [r.scenario, fmt(r.chorus, r.unit), fmt(r.bare, r.unit), r.ratio === null ? '—' : r.ratio.toFixed(2), r.target, r.verdict]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) => `| ${c.map((v, i) => (i === 0 || i === 4 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 || i === 4 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}
