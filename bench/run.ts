/**
 * `npm run bench`: runs every bench/*.bench.ts (or the ones named on the
 * command line), prints a table of figures with their baselines and ratios,
 * and writes them to bench/results.json.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchFigure, BenchModule } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const modules = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const results: BenchFigure[] = [];
for (const file of modules) {
  process.stderr.write(`\n== ${file}\n`);
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { default: BenchModule };
  const figures = await mod.default({ log: (m) => process.stderr.write(`   ${m}\n`) });
  for (const f of figures) {
    results.push(f);
    process.stderr.write(`   ${f.name}: ${fmt(f.value)} ${f.unit}${f.baseline !== null ? ` (baseline ${fmt(f.baseline)}, ratio ${fmt(f.ratio ?? 0)})` : ''}\n`);
  }
}

function fmt(n: number): string {
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(3);
}

const rows = results.map((r) => [
  r.name,
  `${fmt(r.value)} ${r.unit}`,
  r.baseline === null ? '—' : `${fmt(r.baseline)} ${r.unit}`,
  r.ratio === null ? '—' : fmt(r.ratio),
  r.goal,
  r.met === undefined ? '' : r.met ? 'yes' : 'NO',
]);
const header = ['figure', 'value', 'baseline', 'ratio', 'goal', 'met'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ');
process.stdout.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n`);
for (const r of rows) process.stdout.write(`${line(r)}\n`);
writeFileSync(path.join(here, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stderr.write(`\nwrote ${path.join(here, 'results.json')}\n`);
