/**
 * Box-drawn text tables for the table report, in the style cli-table3 draws.
 *
 * Written here rather than using cli-table3 because its layout is quadratic
 * in rows (every cell is checked against every earlier one for row-span
 * conflicts): measured on this machine, 1,600 rows took 0.7–2.7 s, and images
 * with thousands of findings are common. This renderer is linear, supports the
 * one merge the report needs (a first-column cell spanning a package's
 * consecutive rows) and counts widths without ANSI colour codes.
 */
import { stripVTControlCharacters } from 'node:util';

export interface BoxRow {
  cells: string[];
  /** Rows with the same key in a run share one first-column cell (shown on the run's first row). */
  mergeKey?: string;
}

export interface BoxTableOptions {
  head: string[];
  /** Content width per column (padding excluded). Columns without one take their widest line. */
  widths?: Array<number | undefined>;
}

export function visibleWidth(s: string): number {
  return stripVTControlCharacters(s).length;
}

/** Wraps one line to `width` columns at spaces; words longer than the width are cut. ANSI codes are kept on whole-line cells only. */
function wrapLine(line: string, width: number): string[] {
  if (visibleWidth(line) <= width) return [line];
  const plain = stripVTControlCharacters(line);
  const out: string[] = [];
  let current = '';
  for (const word of plain.split(' ')) {
    let w = word;
    while (w.length > width) {
      if (current) {
        out.push(current);
        current = '';
      }
      out.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!current) current = w;
    else if (current.length + 1 + w.length <= width) current += ` ${w}`;
    else {
      out.push(current);
      current = w;
    }
  }
  if (current) out.push(current);
  return out;
}

function cellLines(text: string, width: number | undefined): string[] {
  const lines = text.split('\n');
  return width === undefined ? lines : lines.flatMap((l) => wrapLine(l, width));
}

const pad = (s: string, width: number) => s + ' '.repeat(Math.max(0, width - visibleWidth(s)));

export function renderBoxTable(rows: readonly BoxRow[], options: BoxTableOptions): string {
  const n = options.head.length;
  const given = options.widths ?? [];
  // Natural width of each column: its widest line.
  const widths = options.head.map((h, i) => {
    const fixed = given[i];
    if (fixed !== undefined) return fixed;
    let w = visibleWidth(h);
    for (const r of rows) for (const l of (r.cells[i] ?? '').split('\n')) w = Math.max(w, visibleWidth(l));
    return w;
  });
  const rule = (left: string, mid: string, right: string) => left + widths.map((w) => '─'.repeat(w + 2)).join(mid) + right;

  const out: string[] = [rule('┌', '┬', '┐')];
  const emit = (cells: string[]) => {
    const lines = cells.map((c, i) => cellLines(c, given[i] !== undefined ? widths[i] : undefined));
    const height = Math.max(1, ...lines.map((l) => l.length));
    for (let k = 0; k < height; k++) {
      out.push(`│${lines.map((l, i) => ` ${pad(l[k] ?? '', widths[i]!)} `).join('│')}│`);
    }
  };
  emit(options.head);
  rows.forEach((row, idx) => {
    const continues = idx > 0 && row.mergeKey !== undefined && row.mergeKey === rows[idx - 1]!.mergeKey;
    // A merged first cell has no line across it: `│   ├───┼…` as cli-table3 draws it.
    out.push(continues ? `│${' '.repeat(widths[0]! + 2)}├${widths.slice(1).map((w) => '─'.repeat(w + 2)).join('┼')}┤` : rule('├', '┼', '┤'));
    const cells = Array.from({ length: n }, (_, i) => row.cells[i] ?? '');
    if (continues) cells[0] = '';
    emit(cells);
  });
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}
