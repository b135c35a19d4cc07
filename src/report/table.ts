/**
 * The human report (default on a TTY): per scanned artifact, a summary of its
 * targets, then one table per target with findings, grouped the way Trivy
 * users know (the OS packages as one target, each language manifest or binary
 * as its own), and a total line. Colour only when the caller enables it (the
 * CLI decides from the TTY and NO_COLOR).
 */
import { createColors } from 'picocolors';
import type { SeverityLevel } from '../core/advisory.js';
import type { Finding } from '../core/finding.js';
import { NO_DATABASE_WARNING, type ScanResult } from '../core/result.js';
import {
  compareStrings,
  countBySeverity,
  firstLine,
  osTargetName,
  primaryUrl,
  severityRank,
  type SeverityCounts,
  targetsOf,
  type Target,
} from './common.js';
import { renderBoxTable, type BoxRow } from './box-table.js';

export interface TableOptions {
  /** Colour severities and headings (ANSI). Off unless asked. */
  color?: boolean;
  /** Terminal width in columns; tables are fitted to it. Unlimited when absent. */
  width?: number;
}

type Colors = ReturnType<typeof createColors>;

/** Low to high, as Trivy prints its totals. */
const TOTAL_ORDER: SeverityLevel[] = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

function paintSeverity(c: Colors, s: SeverityLevel): string {
  switch (s) {
    case 'CRITICAL':
      return c.bold(c.red(s));
    case 'HIGH':
      return c.red(s);
    case 'MEDIUM':
      return c.yellow(s);
    case 'LOW':
      return c.blue(s);
    default:
      return c.cyan(s);
  }
}

export function formatCounts(counts: SeverityCounts, c: Colors = createColors(false)): string {
  const total = TOTAL_ORDER.reduce((n, s) => n + counts[s], 0);
  return `Total: ${total} (${TOTAL_ORDER.map((s) => `${counts[s] > 0 ? paintSeverity(c, s) : s}: ${counts[s]}`).join(', ')})`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Longest title shown: descriptions stand in for missing titles and can be paragraphs. */
const TITLE_MAX = 100;

/** Content widths that fit `width` columns (borders and one-space padding included), shrinking one flexible column. */
function fitColumns(natural: number[], width: number | undefined, flexible: number, minFlexible: number): Array<number | undefined> | undefined {
  if (!width) return undefined;
  const total = natural.reduce((a, b) => a + b + 2, 0) + natural.length + 1;
  if (total <= width) return undefined;
  const widths: Array<number | undefined> = natural.map(() => undefined);
  widths[flexible] = Math.max(minFlexible, natural[flexible]! - (total - width));
  return widths;
}

function longestLine(text: string): number {
  return Math.max(0, ...text.split('\n').map((l) => l.length));
}

function vulnerabilityCell(f: Finding): string {
  return f.kev ? `${f.id} (KEV)` : f.id;
}

/**
 * What is installed is the package's own version; a distribution compares its
 * source version (a binNMU `6.0-3+b2` is source `6.0-3`), shown under it when
 * they differ so the fixed version reads against the right number.
 */
function installedCell(f: Finding): string {
  return f.installedVersion === f.package.version ? f.package.version : `${f.package.version}\n(source ${f.installedVersion})`;
}

function titleText(f: Finding): string {
  let title = firstLine(f.title) || firstLine(f.description) || f.id;
  if (title.length > TITLE_MAX) {
    const cut = title.lastIndexOf(' ', TITLE_MAX - 1);
    title = `${title.slice(0, cut > TITLE_MAX / 2 ? cut : TITLE_MAX - 1).trimEnd()}…`;
  }
  return f.explanation.matchedBy === 'cpe' ? `[matched by CPE] ${title}` : title;
}

/** Rows by library, then worst severity first; consecutive rows of one package share its Library cell. */
function findingsTable(target: Target, c: Colors, width: number | undefined): string {
  const rows = [...target.findings].sort(
    (a, b) =>
      compareStrings(a.package.name, b.package.name) ||
      compareStrings(a.package.version, b.package.version) ||
      severityRank(b.severity) - severityRank(a.severity) ||
      compareStrings(a.id, b.id),
  );
  const head = ['Library', 'Vulnerability', 'Severity', 'Status', 'Installed Version', 'Fixed Version', 'Title'];
  const titles = rows.map(titleText);
  const urls = rows.map((f) => primaryUrl(f.id, f.references));
  const natural = head.map((h, i) => {
    let w = h.length;
    rows.forEach((f, k) => {
      const cell = [f.package.name, vulnerabilityCell(f), f.severity, f.status, installedCell(f), f.fixedVersion ?? '', titles[k]!][i]!;
      w = Math.max(w, longestLine(cell));
    });
    return w;
  });
  // The link goes on its own line under the title, as long as it fits: a cut URL is useless.
  natural[6] = Math.max(natural[6]!, ...urls.map((u) => u.length));
  const widths = fitColumns(natural, width, 6, 22);
  const titleRoom = widths?.[6] ?? Infinity;

  const body: BoxRow[] = rows.map((r, k) => ({
    mergeKey: `${r.package.name}\u0000${r.package.version}`,
    cells: [
      r.package.name,
      vulnerabilityCell(r),
      paintSeverity(c, r.severity),
      r.status,
      installedCell(r),
      r.fixedVersion ?? '',
      urls[k]!.length <= titleRoom ? `${titles[k]}\n${c.dim(urls[k])}` : titles[k]!,
    ],
  }));
  return renderBoxTable(body, { head: head.map((h) => c.bold(h)), ...(widths ? { widths } : {}) });
}

function summaryTable(targets: Target[], c: Colors, width: number | undefined): string {
  const head = ['Target', 'Type', 'Packages', 'Vulnerabilities'];
  const plain = targets.map((t) => [t.name, t.type, String(t.packages.length), String(t.findings.length)]);
  const natural = head.map((h, i) => Math.max(h.length, ...plain.map((r) => r[i]!.length)));
  const widths = fitColumns(natural, width, 0, 20);
  return renderBoxTable(
    plain.map((cells) => ({ cells })),
    { head: head.map((h) => c.bold(h)), ...(widths ? { widths } : {}) },
  );
}

function heading(text: string, c: Colors): string {
  return `${c.bold(text)}\n${'='.repeat(text.length)}`;
}

function renderOne(result: ScanResult, c: Colors, width: number | undefined): string {
  const targets = targetsOf(result);
  const name = result.os ? osTargetName(result) : result.artifact.name;
  const out: string[] = [];

  if (!result.database) {
    out.push(
      `${c.bold(name)}: ${plural(result.packages.length, 'package')} found, ${c.yellow('no vulnerability database was used: nothing was matched')}.`,
    );
  } else if (result.findings.length === 0) {
    const suppressedNote = result.suppressed.length > 0 ? ` (${plural(result.suppressed.length, 'finding')} suppressed)` : '';
    out.push(`${c.bold(name)}: ${c.green('no vulnerabilities found')} in ${plural(result.packages.length, 'package')}${suppressedNote}.`);
  } else {
    out.push(c.bold('Report Summary'), '', summaryTable(targets, c, width));
    for (const t of targets) {
      if (t.findings.length === 0) continue;
      out.push('', heading(t.name, c), formatCounts(countBySeverity(t.findings), c), '', findingsTable(t, c, width));
    }
    out.push('', `${result.artifact.name}: ${formatCounts(countBySeverity(result.findings), c)} in ${plural(targets.length, 'target')}`);
    if (result.suppressed.length > 0) {
      const by = new Map<string, number>();
      for (const s of result.suppressed) by.set(s.by, (by.get(s.by) ?? 0) + 1);
      const detail = [...by].sort(([a], [b]) => compareStrings(a, b)).map(([k, n]) => `${k}: ${n}`).join(', ');
      out.push(`${plural(result.suppressed.length, 'finding')} suppressed (${detail}); see the JSON report for which rule or statement.`);
    }
  }

  if (result.database) out.push(c.dim(`Vulnerability database built ${result.database.builtAt}.`));
  if (result.skipped.length > 0) {
    out.push(c.yellow(`Skipped ${plural(result.skipped.length, 'item')} that could not be read:`));
    for (const s of result.skipped.slice(0, 5)) out.push(`  ${[s.path, s.scanner].filter(Boolean).join(' ')}: ${s.reason}`);
    if (result.skipped.length > 5) out.push(`  … and ${result.skipped.length - 5} more (see the JSON report).`);
  }
  // The first line already says when no database was used.
  for (const w of result.warnings) if (w !== NO_DATABASE_WARNING) out.push(c.yellow(`Warning: ${w}`));
  return out.join('\n');
}

/** The table report for one or more scans. Ends with a newline. */
export function renderTable(results: readonly ScanResult[], options: TableOptions = {}): string {
  const c = createColors(options.color ?? false);
  const parts = results.map((r) => renderOne(r, c, options.width));
  if (results.length > 1) {
    const all = results.flatMap((r) => r.findings);
    parts.push(`All ${results.length} artifacts: ${formatCounts(countBySeverity(all), c)}`);
  }
  return parts.join('\n\n') + '\n';
}
