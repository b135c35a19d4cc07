/**
 * `strata sbom REF`: the inventory of an image (or a root filesystem) as a
 * CycloneDX 1.6 or SPDX 2.3 document, without vulnerabilities.
 * `strata explain ID REF`: why one vulnerability is (or is not) reported.
 */
import type { Command } from '@commander-js/extra-typings';
import path from 'node:path';
import { StrataError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import type { ScanResult } from '../core/result.js';
import { LayerCache, defaultCacheDir } from '../cache/layer-cache.js';
import { openImage } from '../image/open.js';
import { openRootfs } from '../image/rootfs.js';
import { SBOM_FORMATS } from '../report/index.js';
import { artifactOf, layersOf, scanImage, scanInventory } from '../scan/scan.js';
import { inventoryOfImage } from '../scan/inventory.js';
import { openDatabaseForScan } from './database.js';
import { ExitCode } from './exit.js';
import { credentialsFrom } from './image.js';
import { createLogger, writeStdout } from './output.js';
import { writeReports } from './reports.js';
import { addScanOptions, policyFromFlags, type ScanFlags } from './scan-options.js';

interface TargetFlags {
  rootfs?: boolean;
  platform?: string;
  insecure?: boolean;
  username?: string;
  password?: string;
}

async function openTarget(ref: string, flags: TargetFlags, logger: ReturnType<typeof createLogger>) {
  if (flags.rootfs) return openRootfs(path.resolve(ref));
  const credentials = credentialsFrom(flags);
  return openImage(ref, {
    logger,
    ...(flags.platform ? { platform: flags.platform } : {}),
    ...(flags.insecure ? { insecure: true } : {}),
    ...(credentials ? { credentials } : {}),
  });
}

export function registerSbomCommands(program: Command): void {
  program
    .command('sbom')
    .description('write the inventory of an image as a CycloneDX 1.6 or SPDX 2.3 JSON document')
    .argument('<ref>', 'image reference, archive, OCI layout, or (with --rootfs) a directory')
    .option('-f, --format <format>', `${SBOM_FORMATS.join(' or ')}`, 'cyclonedx')
    .option('-o, --output <file>', 'write to FILE instead of stdout')
    .option('--rootfs', 'REF is a root filesystem directory')
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image')
    .option('--username <user>', 'registry user (env STRATA_USERNAME)')
    .option('--password <password>', 'registry password or token (env STRATA_PASSWORD)')
    .option('--insecure', 'allow plain HTTP and unverified TLS for registries')
    .option('--cache-dir <dir>', 'layer analysis cache directory')
    .option('--no-cache', 'neither read nor write the layer cache')
    .option('--keep-os-owned', 'also list language packages whose files belong to an OS package')
    .option('-q, --quiet', 'no informational messages')
    .option('--debug', 'log what Strata does')
    .action(async (ref, flags) => {
      if (!(SBOM_FORMATS as readonly string[]).includes(flags.format)) {
        throw new StrataError('usage', `--format must be ${SBOM_FORMATS.join(' or ')}, got "${flags.format}"`);
      }
      const logger = createLogger(flags);
      const image = await openTarget(ref, flags, logger);
      let result: ScanResult;
      try {
        const inventory = await inventoryOfImage(image, {
          logger,
          cache: flags.cache === false ? null : new LayerCache(flags.cacheDir ?? defaultCacheDir()),
          ...(flags.keepOsOwned ? { keepOsOwned: true } : {}),
        });
        result = scanInventory(artifactOf(image), layersOf(image), inventory, {});
        // An SBOM makes no claim about vulnerabilities, so the "nothing matched" warning does not belong in it.
        result.warnings = [];
      } finally {
        await image.close();
      }
      await writeReports([result], { format: flags.format, ...(flags.output ? { output: flags.output } : {}) }, { sbomOnly: true });
    });

  const explain = program
    .command('explain')
    .description('explain why a vulnerability is (or is not) reported for an image: package, advisory records, versions compared, layer')
    .argument('<id>', 'vulnerability id (CVE-…, GHSA-…, DSA-…)')
    .argument('<ref>', 'image reference, archive or OCI layout (or a directory with --rootfs)')
    .option('--rootfs', 'REF is a root filesystem directory')
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image')
    .option('--username <user>', 'registry user (env STRATA_USERNAME)')
    .option('--password <password>', 'registry password or token (env STRATA_PASSWORD)')
    .option('--insecure', 'allow plain HTTP and unverified TLS for registries');
  addScanOptions(explain).action(async (id, ref, opts) => {
    const flags = opts as unknown as ScanFlags & TargetFlags; // addScanOptions adds options the inferred type does not see
    const logger = createLogger(flags);
    const db = await openDatabaseForScan(flags, logger);
    for (const w of db.warnings) logger.warn(w);
    if (!db.store) throw new StrataError('database', `explain needs a vulnerability database (none at ${db.path}): run 'strata db build'`);
    const image = await openTarget(ref, flags, logger);
    let result: ScanResult;
    try {
      result = await scanImage(image, {
        logger,
        store: db.store,
        cache: flags.cache === false ? null : new LayerCache(flags.cacheDir ?? defaultCacheDir()),
        policy: await policyFromFlags(flags),
        match: { ...(flags.cpeMatch ? { cpeMatch: true } : {}), ...(flags.includeInformational ? { includeInformational: true } : {}) },
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
      await writeStdout(explainText(id, result, findings, suppressed));
    }
    if (flags.exitCode !== undefined && flags.exitCode !== 0 && findings.length > 0) throw new ExitCode(flags.exitCode);
  });
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
