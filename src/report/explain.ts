/**
 * `strata explain ID REF`: why one vulnerability is, or is not, reported for
 * a scanned image — the package, the source package, the name and version
 * looked up, the rule that decided, the records and the layer; as text or
 * JSON. Findings the policy suppressed are shown with the reason.
 */
import { escapeForTerminal } from '../util/terminal-text.js';
import type { Finding, Suppressed } from '../core/finding.js';
import type { ScanResult } from '../core/result.js';

/** The findings and suppressed findings of one scan that are about one vulnerability id (or one of its aliases). */
export interface ExplainedVulnerability {
  id: string;
  result: ScanResult;
  findings: Finding[];
  suppressed: Suppressed[];
}

/** Picks out what `result` says about `id`, matched case-insensitively against ids and aliases. */
export function explainVulnerability(id: string, result: ScanResult): ExplainedVulnerability {
  const wanted = id.toUpperCase();
  const hits = (f: Finding) => f.id.toUpperCase() === wanted || f.aliases.some((a) => a.toUpperCase() === wanted);
  return { id, result, findings: result.findings.filter(hits), suppressed: result.suppressed.filter((s) => hits(s.finding)) };
}

export function renderExplanation(explained: ExplainedVulnerability, format: 'text' | 'json'): string {
  if (format === 'json') {
    const { id, result, findings, suppressed } = explained;
    return `${JSON.stringify({ id, image: result.artifact.name, findings, suppressed }, null, 2)}\n`;
  }
  // Everything in it came from the image or the feeds: escaped, so no control sequence reaches a terminal.
  return escapeForTerminal(explainText(explained), { keepNewlines: true });
}

function explainText({ id, result, findings, suppressed }: ExplainedVulnerability): string {
  const lines: string[] = [];
  const name = result.artifact.name;
  if (findings.length === 0 && suppressed.length === 0) {
    lines.push(`${id} is not reported for ${name}: no installed package matched an advisory for it at its installed version.`);
    if (result.os) lines.push(`(distribution ${result.os.ecosystem}, ${result.packages.length} packages checked)`);
    return `${lines.join('\n')}\n`;
  }
  const one = (f: Finding, note?: string) => {
    const e = f.explanation;
    lines.push(`${f.id}${f.aliases.length ? ` (also ${f.aliases.join(', ')})` : ''} in ${f.package.name} ${f.package.version} [${f.package.ecosystem}]${note ? ` — ${note}` : ''}`);
    // Also for a binNMU (same name, `+bN` version): the version compared is the source's.
    if (f.package.source && (f.package.source.name !== f.package.name || f.package.source.version !== f.package.version)) {
      lines.push(`  source package: ${f.package.source.name} ${f.package.source.version}`);
    }
    lines.push(`  looked up as:   ${e.lookupName} (${e.matchedBy}), comparing ${e.comparedVersion} with ${e.scheme} rules`);
    lines.push(`  decided by:     ${e.rule}`);
    if (e.trackerState) lines.push(`  tracker state:  ${e.trackerState}`);
    lines.push(`  status:         ${f.status}${f.fixedVersion ? `, fixed in ${f.fixedVersion}` : ', no fixed version'}`);
    lines.push(`  severity:       ${f.severity} (from ${f.severitySource})${f.cvss.length ? `; CVSS ${f.cvss.map((c) => `${c.version} ${c.score ?? '?'} ${c.vector} (${c.source})`).join('; ')}` : ''}`);
    if (f.kev) lines.push(`  CISA KEV:       added ${f.kev.dateAdded}${f.kev.dueDate ? `, due ${f.kev.dueDate}` : ''}`);
    if (f.epss) lines.push(`  EPSS:           ${f.epss.score} (percentile ${f.epss.percentile})`);
    lines.push(`  records:        ${e.advisories.map((a) => `${a.id} (${a.source}, ${a.ecosystem})`).join(', ')}`);
    if (f.package.paths.length) lines.push(`  found at:       ${f.package.paths.join(', ')}`);
    if (f.layer) lines.push(`  layer:          ${f.layer.digest ?? f.layer.diffId}${f.layer.createdBy ? `\n                  created by: ${f.layer.createdBy}` : ''}`);
    lines.push('');
  };
  for (const f of findings) one(f);
  for (const s of suppressed) one(s.finding, `suppressed (${s.by}): ${s.reason}${s.statement ? ` [${s.statement}]` : ''}`);
  return `${lines.join('\n')}`;
}
