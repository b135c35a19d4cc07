/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: one rule per
 * vulnerability, one result per finding, located at the file in the image
 * that lists the package (`var/lib/dpkg/status`, a dist-info METADATA, a Go
 * binary, a lockfile). Follows GitHub's documented subset: rules carry
 * `security-severity` so alerts get GitHub's severity, results carry
 * `partialFingerprints` so an alert stays one alert across scans.
 */
import { createHash } from 'node:crypto';
import type { Location, Log, ReportingDescriptor, Result, Run } from 'sarif';
import type { SeverityLevel } from '../core/advisory.js';
import type { Finding } from '../core/finding.js';
import type { ScanResult } from '../core/result.js';
import {
  compareStrings,
  firstLine,
  isOsEcosystem,
  primaryUrl,
  severityFromScore,
  severityRank,
  sortedFindings,
  truncate,
} from './common.js';
import { STRATA_TOOL, type ToolInfo } from './tool.js';

export interface SarifOptions {
  tool?: ToolInfo;
}

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

/** GitHub shows at most 1024 characters of a rule's descriptions. */
const GITHUB_DESCRIPTION_LIMIT = 1024;

/** Scores GitHub maps back to the same level when no CVSS score agrees with the chosen severity. */
const BAND_SCORE: Record<SeverityLevel, string> = { CRITICAL: '9.5', HIGH: '8.0', MEDIUM: '5.5', LOW: '2.0', UNKNOWN: '0.0' };

export function sarifLevel(s: SeverityLevel): 'error' | 'warning' | 'note' {
  if (s === 'CRITICAL' || s === 'HIGH') return 'error';
  if (s === 'MEDIUM') return 'warning';
  return 'note';
}

/**
 * GitHub derives the alert's severity from this score, so it must agree
 * with the severity Strata chose (a distro may rate LOW what NVD scores 9.8):
 * the highest CVSS score inside the chosen band, else the band's midpoint.
 */
export function securitySeverity(severity: SeverityLevel, cvss: Finding['cvss']): string {
  if (severity === 'UNKNOWN') return BAND_SCORE.UNKNOWN;
  const inBand = cvss.map((c) => c.score).filter((s): s is number => s !== undefined && severityFromScore(s) === severity);
  return inBand.length ? Math.max(...inBand).toFixed(1) : BAND_SCORE[severity];
}

/** A path inside the image as a relative URI reference: each segment percent-encoded (a `:` would read as a scheme). */
export function imagePathUri(path: string): string {
  return path
    .replace(/^\/+/, '')
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

/** Where a finding points: the file that lists the package; else the SBOM that named it, else the image. */
function locationPath(result: ScanResult, f: Finding): string {
  return f.package.paths[0] ?? (result.artifact.type === 'sbom' ? result.artifact.source : result.artifact.name);
}

function worst(findings: readonly Finding[]): Finding {
  return findings.reduce((a, b) => (severityRank(b.severity) > severityRank(a.severity) ? b : a));
}

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

function packageLabel(f: Finding): string {
  const p = f.package;
  const src = p.source && (p.source.name !== p.name || p.source.version !== p.version) ? ` (source ${p.source.name} ${p.source.version})` : '';
  return `${p.name} ${p.version}${src}`;
}

function markdownEscape(s: string): string {
  return s.replace(/([|\\`*_[\]<>])/g, '\\$1');
}

function rule(id: string, findings: readonly Finding[]): ReportingDescriptor {
  const w = worst(findings);
  const title = firstLine(w.title) || firstLine(w.description) || `${id} in ${w.package.name}`;
  const url = primaryUrl(id, w.references);
  const aliases = [...new Set(findings.flatMap((f) => f.aliases))].sort(compareStrings);
  const cpe = findings.some((f) => f.explanation.matchedBy === 'cpe');
  const packages = [...new Map(findings.map((f) => [`${f.package.ecosystem}\u0000${f.package.name}\u0000${f.package.version}`, f])).values()];

  const textLines = [
    `Vulnerability ${id}${aliases.length ? ` (${aliases.join(', ')})` : ''}`,
    `Severity: ${w.severity} (${w.severitySource})`,
    ...packages.map((f) => `Package: ${packageLabel(f)}, fixed version: ${f.fixedVersion ?? 'none'}, status: ${f.status}`),
    `Link: ${url}`,
  ];
  const markdown = [
    `**Vulnerability ${markdownEscape(id)}**${aliases.length ? ` (${aliases.map(markdownEscape).join(', ')})` : ''}`,
    '',
    w.description ? markdownEscape(w.description.trim()) + '\n' : '',
    '| Severity | Package | Installed Version | Fixed Version | Status |',
    '| --- | --- | --- | --- | --- |',
    ...packages.map(
      (f) =>
        `| ${f.severity} | ${markdownEscape(f.package.name)} | ${markdownEscape(f.installedVersion)} | ${markdownEscape(f.fixedVersion ?? '')} | ${f.status} |`,
    ),
    '',
    `[${markdownEscape(id)}](${url})`,
  ].filter((l, i, all) => !(l === '' && all[i - 1] === ''));

  return {
    id,
    name: isOsEcosystem(w.package.ecosystem) ? 'OsPackageVulnerability' : 'LanguagePackageVulnerability',
    shortDescription: { text: truncate(sentence(`${id}: ${title}`), GITHUB_DESCRIPTION_LIMIT) },
    fullDescription: { text: truncate(sentence(firstLine(w.description) || title), GITHUB_DESCRIPTION_LIMIT) },
    defaultConfiguration: { level: sarifLevel(w.severity) },
    helpUri: url,
    help: { text: textLines.join('\n'), markdown: markdown.join('\n') },
    properties: {
      tags: ['vulnerability', 'security', w.severity, ...(cpe ? ['cpe-match'] : [])],
      // CPE matches are the classic false positives; ecosystem-feed matches are exact.
      precision: cpe ? 'low' : 'very-high',
      'security-severity': securitySeverity(w.severity, w.cvss),
    },
  };
}

function fingerprint(f: Finding, uri: string): string {
  // Identity of an alert across scans: the vulnerability, the package (not its
  // version: an upgrade that leaves it vulnerable is the same alert) and where it is.
  return createHash('sha256').update([f.id, f.package.ecosystem, f.package.name, uri].join('\u0000')).digest('hex');
}

function resultMessage(result: ScanResult, f: Finding, path: string): string {
  const fix = f.fixedVersion ? `Fixed in ${f.fixedVersion}.` : f.status === 'will_not_fix' ? 'The distribution will not fix it.' : f.status === 'fix_deferred' ? 'The fix is deferred.' : 'No fixed version yet.';
  const lines = [
    `${packageLabel(f)} is affected by ${f.id} (${f.severity}). ${fix}`,
    `Image: ${result.artifact.name}${result.artifact.digest ? `@${result.artifact.digest}` : ''}`,
    `Path: ${path}`,
  ];
  if (f.layer) lines.push(`Layer: ${f.layer.diffId}${f.layer.createdBy ? ` (${f.layer.createdBy.trim()})` : ''}`);
  lines.push(`Why: ${f.explanation.rule}${f.explanation.matchedBy === 'cpe' ? ' (matched by CPE)' : ''}`);
  return sentence(lines.join('\n'));
}

function run(result: ScanResult, tool: ToolInfo, category: string | undefined): Run {
  const findings = sortedFindings(result.findings);
  const byId = new Map<string, Finding[]>();
  for (const f of findings) byId.set(f.id, [...(byId.get(f.id) ?? []), f]);
  const ids = [...byId.keys()].sort(compareStrings);
  const ruleIndex = new Map(ids.map((id, i) => [id, i]));

  const results: Result[] = findings.map((f) => {
    const path = locationPath(result, f);
    const uri = imagePathUri(path);
    const fp = fingerprint(f, uri);
    const location: Location = {
      physicalLocation: {
        artifactLocation: { uri },
        // Package databases have no meaningful line; GitHub requires a region, so the first character.
        region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
      },
      message: { text: `${f.package.name} ${f.package.version} is listed here.` },
    };
    return {
      ruleId: f.id,
      ruleIndex: ruleIndex.get(f.id)!,
      level: sarifLevel(f.severity),
      message: { text: resultMessage(result, f, path) },
      locations: [location],
      partialFingerprints: { primaryLocationLineHash: `${fp.slice(0, 16)}:1`, 'strata/v1': fp },
      properties: {
        purl: f.package.purl,
        installedVersion: f.installedVersion,
        ...(f.fixedVersion ? { fixedVersion: f.fixedVersion } : {}),
        status: f.status,
        severity: f.severity,
        severitySource: f.severitySource,
        ...(f.kev ? { kev: true } : {}),
        ...(f.layer ? { layer: f.layer.diffId } : {}),
      },
    };
  });

  const out: Run = {
    tool: {
      driver: {
        name: 'Strata',
        fullName: 'Strata container image vulnerability scanner',
        version: tool.version,
        semanticVersion: tool.version,
        ...(tool.url ? { informationUri: tool.url } : {}),
        rules: ids.map((id) => rule(id, byId.get(id)!)),
      },
    },
    results,
    columnKind: 'utf16CodeUnits',
    properties: {
      artifactName: result.artifact.name,
      artifactType: result.artifact.type,
      ...(result.artifact.digest ? { artifactDigest: result.artifact.digest } : {}),
      ...(result.os ? { os: `${result.os.family} ${result.os.version}` } : {}),
      ...(result.database ? { databaseBuiltAt: result.database.builtAt } : { warning: 'no vulnerability database was used: nothing was matched' }),
    },
  };
  if (category) out.automationDetails = { id: category };
  return out;
}

/** The SARIF log: one run per scanned artifact (several images get distinct categories). */
export function buildSarif(results: readonly ScanResult[], options: SarifOptions = {}): Log {
  const tool = options.tool ?? STRATA_TOOL;
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: results.map((r) => run(r, tool, results.length > 1 ? `strata/${r.artifact.name}/` : undefined)),
  };
}

export function renderSarif(results: readonly ScanResult[], options: SarifOptions = {}): string {
  return JSON.stringify(buildSarif(results, options), null, 2) + '\n';
}
