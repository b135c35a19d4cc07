/**
 * What `strata sbom` and `strata explain` do once their flags are parsed;
 * loaded only when one of them runs.
 */
import path from 'node:path';
import { StrataError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import type { Logger } from '../core/log.js';
import type { ScanResult } from '../core/result.js';
import { openImage } from '../image/open.js';
import { openRootfs } from '../image/rootfs.js';
import { artifactOf, layersOf, scanImage, scanInventory } from '../scan/scan.js';
import { inventoryOfImage } from '../scan/inventory.js';
import { openDatabaseForScan } from './database.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { writeStdout } from './output.js';
import { policyFromFlags } from './policy-flags.js';
import { writeReports } from './reports.js';
import { exitOnFindings, imageOpenOptions, layerCacheFrom, matchOptionsFrom } from './run-options.js';
import type { ExplainFlags, SbomFlags, TargetFlags } from './sbom.js';

async function openTarget(ref: string, flags: TargetFlags, logger: Logger) {
  if (flags.rootfs) return openRootfs(path.resolve(ref));
  return openImage(ref, imageOpenOptions(flags, logger));
}

export async function runSbomCommand(ref: string, flags: SbomFlags, logger: Logger): Promise<void> {
  const image = await openTarget(ref, flags, logger);
  let result: ScanResult;
  try {
    const inventory = await inventoryOfImage(image, {
      logger,
      cache: layerCacheFrom(flags),
      ...(flags.keepOsOwned ? { keepOsOwned: true } : {}),
    });
    result = scanInventory(artifactOf(image), layersOf(image), inventory, {});
    // An SBOM makes no claim about vulnerabilities, so the "nothing matched" warning does not belong in it.
    result.warnings = [];
  } finally {
    await image.close();
  }
  await writeReports([result], { format: flags.format, ...(flags.output ? { output: flags.output } : {}) }, { sbomOnly: true });
}

export async function runExplainCommand(id: string, ref: string, flags: ExplainFlags, logger: Logger): Promise<void> {
  const db = await openDatabaseForScan(flags, logger);
  if (!db.store) throw new StrataError('database', `explain needs a vulnerability database (none at ${db.path}): run 'strata db build'`);
  const image = await openTarget(ref, flags, logger);
  let result: ScanResult;
  try {
    result = await scanImage(image, {
      logger,
      store: db.store,
      cache: layerCacheFrom(flags),
      policy: await policyFromFlags(flags),
      match: matchOptionsFrom(flags),
    });
  } finally {
    await image.close();
    db.store.close();
  }
  const wanted = id.toUpperCase();
  const hits = (f: Finding) => f.id.toUpperCase() === wanted || f.aliases.some((a) => a.toUpperCase() === wanted);
  const findings = result.findings.filter(hits);
  const suppressed = result.suppressed.filter((s) => hits(s.finding));
  if (flags.format === 'json') {
    await writeStdout(`${JSON.stringify({ id, image: result.artifact.name, findings, suppressed }, null, 2)}\n`);
  } else {
    await writeStdout(escapeForTerminal(explainText(id, result, findings, suppressed), { keepNewlines: true }));
  }
  exitOnFindings(flags, findings.length);
}

function explainText(id: string, result: ScanResult, findings: Finding[], suppressed: ScanResult['suppressed']): string {
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
