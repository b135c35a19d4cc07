/**
 * The versioned JSON report (docs/report-json.md, docs/report.schema.json).
 *
 * Every documented key is always present: a fact Strata does not know is
 * `null` (scalars) or `[]` (lists), never a missing key, so consumers can
 * read fields without guarding. Lists are sorted (packages by ecosystem,
 * name, version; findings by severity, id, package) so two reports of the
 * same image diff line by line.
 *
 * Versioning: adding a key keeps REPORT_SCHEMA_VERSION; removing or
 * renaming a key, or changing a key's meaning or type, bumps it.
 */
import type { DbMetadata, EpssScore, KevEntry, SeverityLevel, VulnStatus } from '../core/advisory.js';
import type { CvssScore, Explanation, Finding, Suppressed } from '../core/finding.js';
import type { Package, Skipped } from '../core/package.js';
import type { ScanResult } from '../core/result.js';
import {
  compareFindings,
  compareStrings,
  countBySeverity,
  countByStatus,
  sortedFindings,
  sortedPackages,
  type SeverityCounts,
  type StatusCounts,
} from './common.js';
import { STRATA_TOOL, type ToolInfo } from './tool.js';
import { NO_DATABASE_WARNING } from '../core/result.js';

export const REPORT_SCHEMA_VERSION = 1;

export { NO_DATABASE_WARNING };

export interface JsonReportOptions {
  /** Report time; defaults to now. Tests pass a fixed date. */
  now?: Date;
  tool?: ToolInfo;
  /**
   * Always write the combined document (`results[]`), even for one result: a
   * run that asked for several targets keeps that shape when some failed.
   */
  combined?: boolean;
}

export interface JsonArtifact {
  name: string;
  type: 'container_image' | 'rootfs' | 'sbom';
  source: string;
  digest: string | null;
  configDigest: string | null;
  platform: { os: string; architecture: string; variant: string | null } | null;
  repoTags: string[];
}

export interface JsonLayer {
  index: number;
  digest: string;
  diffId: string;
  size: number;
  mediaType: string;
  createdBy: string | null;
}

export interface JsonOs {
  family: string;
  version: string;
  ecosystem: string;
  name: string | null;
  codename: string | null;
  variant: string | null;
  evidence: string | null;
}

export interface JsonSourcePackage {
  name: string;
  version: string;
}

export interface JsonPackage {
  name: string;
  version: string;
  ecosystem: string;
  kind: 'os' | 'lang';
  purl: string;
  cpe: string | null;
  source: JsonSourcePackage | null;
  arch: string | null;
  layer: string | null;
  paths: string[];
  foundBy: string;
  licenses: string[];
  ownedBy: { name: string; ecosystem: string } | null;
  metadata: Record<string, string | number | boolean>;
}

export interface JsonFinding {
  id: string;
  aliases: string[];
  package: {
    name: string;
    version: string;
    ecosystem: string;
    purl: string;
    source: JsonSourcePackage | null;
    paths: string[];
  };
  installedVersion: string;
  fixedVersion: string | null;
  status: VulnStatus;
  severity: SeverityLevel;
  severitySource: string;
  cvss: Array<{ source: string; version: CvssScore['version']; vector: string; score: number | null }>;
  kev: (Omit<KevEntry, 'dueDate' | 'knownRansomwareCampaignUse' | 'vendorProject' | 'product' | 'name'> & {
    dueDate: string | null;
    knownRansomwareCampaignUse: string | null;
    vendorProject: string | null;
    product: string | null;
    name: string | null;
  }) | null;
  epss: { score: number; percentile: number; date: string | null } | null;
  layer: { diffId: string; digest: string | null; createdBy: string | null } | null;
  title: string | null;
  description: string | null;
  references: string[];
  published: string | null;
  explanation: {
    matchedBy: Explanation['matchedBy'];
    lookupName: string;
    comparedVersion: string;
    scheme: string;
    advisories: Array<{ id: string; source: string; ecosystem: string }>;
    rule: string;
    introduced: string | null;
    fixed: string | null;
    lastAffected: string | null;
    trackerState: string | null;
  };
}

export interface JsonSuppressed {
  finding: JsonFinding;
  by: Suppressed['by'];
  reason: string;
  statement: string | null;
  vex: { status: 'not_affected' | 'fixed'; justification: string | null } | null;
}

export interface JsonSummary {
  packages: number;
  findings: number;
  /** Findings that have a fixed version to upgrade to. */
  fixable: number;
  suppressed: number;
  bySeverity: SeverityCounts;
  byStatus: StatusCounts;
}

export interface JsonDatabase {
  schemaVersion: number;
  builtAt: string;
  path: string | null;
  sources: Array<{
    id: string;
    input: string;
    version: string | null;
    hash: string | null;
    records: number;
    skipped: number;
    skipReasons: string[];
    fetchedAt: string | null;
  }>;
}

export interface JsonSkipped {
  path: string | null;
  layer: string | null;
  scanner: string | null;
  reason: string;
  /** Present (true) when a whole file is missing from the inventory: the package list is incomplete. */
  incomplete?: true;
}

export interface JsonGenerator {
  name: string;
  version: string;
}

export interface JsonReport {
  schemaVersion: number;
  generator: JsonGenerator;
  createdAt: string;
  artifact: JsonArtifact;
  layers: JsonLayer[];
  os: JsonOs | null;
  packages: JsonPackage[];
  findings: JsonFinding[];
  suppressed: JsonSuppressed[];
  summary: JsonSummary;
  database: JsonDatabase | null;
  skipped: JsonSkipped[];
  warnings: string[];
}

/** Several images scanned in one run. */
export interface JsonCombinedReport {
  schemaVersion: number;
  generator: JsonGenerator;
  createdAt: string;
  results: JsonReport[];
}

const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

function source(s: { name: string; version: string } | undefined): JsonSourcePackage | null {
  return s ? { name: s.name, version: s.version } : null;
}

function jsonPackage(p: Package): JsonPackage {
  // `files` is internal (attribution of language packages) and deliberately not emitted.
  return {
    name: p.name,
    version: p.version,
    ecosystem: p.ecosystem,
    kind: p.kind,
    purl: p.purl,
    cpe: orNull(p.cpe),
    source: source(p.source),
    arch: orNull(p.arch),
    layer: orNull(p.layer),
    paths: [...p.paths],
    foundBy: p.foundBy,
    licenses: [...(p.licenses ?? [])],
    ownedBy: p.ownedBy ? { name: p.ownedBy.name, ecosystem: p.ownedBy.ecosystem } : null,
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).sort(([a], [b]) => compareStrings(a, b))),
  };
}

function jsonKev(k: KevEntry | undefined): JsonFinding['kev'] {
  if (!k) return null;
  return {
    dateAdded: k.dateAdded,
    dueDate: orNull(k.dueDate),
    knownRansomwareCampaignUse: orNull(k.knownRansomwareCampaignUse),
    vendorProject: orNull(k.vendorProject),
    product: orNull(k.product),
    name: orNull(k.name),
  };
}

function jsonEpss(e: EpssScore | undefined): JsonFinding['epss'] {
  return e ? { score: e.score, percentile: e.percentile, date: orNull(e.date) } : null;
}

export function jsonFinding(f: Finding): JsonFinding {
  const x = f.explanation;
  return {
    id: f.id,
    aliases: [...f.aliases].sort(compareStrings),
    package: {
      name: f.package.name,
      version: f.package.version,
      ecosystem: f.package.ecosystem,
      purl: f.package.purl,
      source: source(f.package.source),
      paths: [...f.package.paths],
    },
    installedVersion: f.installedVersion,
    fixedVersion: orNull(f.fixedVersion),
    status: f.status,
    severity: f.severity,
    severitySource: f.severitySource,
    cvss: f.cvss.map((c) => ({ source: c.source, version: c.version, vector: c.vector, score: orNull(c.score) })),
    kev: jsonKev(f.kev),
    epss: jsonEpss(f.epss),
    layer: f.layer ? { diffId: f.layer.diffId, digest: orNull(f.layer.digest), createdBy: orNull(f.layer.createdBy) } : null,
    title: orNull(f.title),
    description: orNull(f.description),
    references: [...(f.references ?? [])],
    published: orNull(f.published),
    explanation: {
      matchedBy: x.matchedBy,
      lookupName: x.lookupName,
      comparedVersion: x.comparedVersion,
      scheme: x.scheme,
      advisories: x.advisories.map((a) => ({ id: a.id, source: a.source, ecosystem: a.ecosystem })),
      rule: x.rule,
      introduced: orNull(x.introduced),
      fixed: orNull(x.fixed),
      lastAffected: orNull(x.lastAffected),
      trackerState: orNull(x.trackerState),
    },
  };
}

function jsonDatabase(db: DbMetadata | undefined): JsonDatabase | null {
  if (!db) return null;
  return {
    schemaVersion: db.schemaVersion,
    builtAt: db.builtAt,
    path: orNull(db.path),
    sources: [...db.sources]
      .sort((a, b) => compareStrings(a.id, b.id))
      .map((s) => ({
        id: s.id,
        input: s.input,
        version: orNull(s.version),
        hash: orNull(s.hash),
        records: s.records,
        skipped: s.skipped,
        skipReasons: [...(s.skipReasons ?? [])],
        fetchedAt: orNull(s.fetchedAt),
      })),
  };
}

function jsonSkipped(s: Skipped): JsonSkipped {
  return { path: orNull(s.path), layer: orNull(s.layer), scanner: orNull(s.scanner), reason: s.reason, ...(s.incomplete ? { incomplete: true } : {}) };
}

function generator(tool: ToolInfo): JsonGenerator {
  return { name: tool.name, version: tool.version };
}

/** One scan as the versioned JSON report object. */
export function buildJsonReport(result: ScanResult, options: JsonReportOptions = {}): JsonReport {
  const tool = options.tool ?? STRATA_TOOL;
  const a = result.artifact;
  const warnings = [...result.warnings];
  if (!result.database && !warnings.includes(NO_DATABASE_WARNING)) warnings.push(NO_DATABASE_WARNING);
  const findings = sortedFindings(result.findings);
  const suppressed = [...result.suppressed].sort(
    (x, y) => compareFindings(x.finding, y.finding) || compareStrings(x.by, y.by) || compareStrings(x.reason, y.reason),
  );
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generator: generator(tool),
    createdAt: (options.now ?? new Date()).toISOString(),
    artifact: {
      name: a.name,
      type: a.type,
      source: a.source,
      digest: orNull(a.digest),
      configDigest: orNull(a.configDigest),
      platform: a.platform
        ? { os: a.platform.os, architecture: a.platform.architecture, variant: orNull(a.platform.variant) }
        : null,
      repoTags: [...(a.repoTags ?? [])],
    },
    layers: result.layers.map((l, index) => ({
      index,
      digest: l.digest,
      diffId: l.diffId,
      size: l.size,
      mediaType: l.mediaType,
      createdBy: orNull(l.createdBy),
    })),
    os: result.os
      ? {
          family: result.os.family,
          version: result.os.version,
          ecosystem: result.os.ecosystem,
          name: orNull(result.os.name),
          codename: orNull(result.os.codename),
          variant: orNull(result.os.variant),
          evidence: orNull(result.os.evidence),
        }
      : null,
    packages: sortedPackages(result.packages).map(jsonPackage),
    findings: findings.map(jsonFinding),
    suppressed: suppressed.map((s) => ({
      finding: jsonFinding(s.finding),
      by: s.by,
      reason: s.reason,
      statement: orNull(s.statement),
      vex: s.vex ? { status: s.vex.status, justification: orNull(s.vex.justification) } : null,
    })),
    summary: {
      packages: result.packages.length,
      findings: findings.length,
      fixable: findings.filter((f) => f.fixedVersion !== undefined && f.fixedVersion !== '').length,
      suppressed: suppressed.length,
      bySeverity: countBySeverity(findings),
      byStatus: countByStatus(findings),
    },
    database: jsonDatabase(result.database),
    skipped: result.skipped.map(jsonSkipped),
    warnings,
  };
}

/** Several scans in one document; each element of `results` is a complete report. */
export function buildCombinedJsonReport(results: readonly ScanResult[], options: JsonReportOptions = {}): JsonCombinedReport {
  const now = options.now ?? new Date();
  const tool = options.tool ?? STRATA_TOOL;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generator: generator(tool),
    createdAt: now.toISOString(),
    results: results.map((r) => buildJsonReport(r, { ...options, now, tool })),
  };
}

/**
 * The JSON output of a run: a single report for one scan, the combined
 * document for several (and for none, so the output is always valid JSON).
 */
export function renderJson(results: readonly ScanResult[], options: JsonReportOptions = {}): string {
  const doc = results.length === 1 && !options.combined ? buildJsonReport(results[0]!, options) : buildCombinedJsonReport(results, options);
  return JSON.stringify(doc, null, 2) + '\n';
}
