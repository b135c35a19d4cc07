/**
 * The report stage's one entry point: ScanResults in, the bytes of one
 * format out. The CLI picks formats and destinations; each writer lives in
 * its own module.
 */
import { StrataError } from '../core/errors.js';
import type { ScanResult } from '../core/result.js';
import { renderCycloneDx } from './cyclonedx.js';
import { renderGithubSnapshot, type GithubSnapshotOptions } from './github-snapshot.js';
import { renderJson } from './json.js';
import { renderSarif } from './sarif.js';
import { renderSpdx } from './spdx.js';
import { renderTable, type TableOptions } from './table.js';
import type { ToolInfo } from './tool.js';

export const REPORT_FORMATS = ['table', 'json', 'sarif', 'cyclonedx', 'spdx-json', 'github'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The formats `strata sbom` writes (inventory only, no vulnerabilities). */
export const SBOM_FORMATS: readonly ReportFormat[] = ['cyclonedx', 'spdx-json'];

/** A default file name per format, for writing several formats into one directory. */
export const REPORT_FILE_NAMES: Readonly<Record<ReportFormat, string>> = {
  table: 'strata-report.txt',
  json: 'strata-report.json',
  sarif: 'strata-report.sarif',
  cyclonedx: 'strata-sbom.cdx.json',
  'spdx-json': 'strata-sbom.spdx.json',
  github: 'strata-dependency-snapshot.json',
};

export interface RenderOptions extends TableOptions, GithubSnapshotOptions {
  /** Report time (all formats); now by default. */
  now?: Date;
  /** JSON: the combined `results[]` document even for one result (the run named several targets). */
  combined?: boolean;
  /** CycloneDX without its vulnerabilities section (the `strata sbom` command). */
  sbomOnly?: boolean;
  /** CycloneDX serial number (`urn:uuid:…`); random by default. */
  serialNumber?: string;
  /** SPDX document namespace UUID; random by default. */
  uuid?: string;
  tool?: ToolInfo;
}

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

/** Parses `json,sarif` (the `--format` flag) into known formats, rejecting unknown ones by name. */
export function parseReportFormats(value: string): ReportFormat[] {
  const formats = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = formats.filter((f) => !isReportFormat(f));
  if (unknown.length || formats.length === 0) {
    throw new StrataError('usage', `unknown report format ${unknown.map((u) => `"${u}"`).join(', ') || '""'}; choose from ${REPORT_FORMATS.join(', ')}`);
  }
  return [...new Set(formats)] as ReportFormat[];
}

/** Renders scan results in one format. Throws StrataError('usage') when a format lacks what it needs (github: sha, ref). */
export function renderReport(format: ReportFormat, results: readonly ScanResult[], options: RenderOptions = {}): string {
  switch (format) {
    case 'table':
      return renderTable(results, options);
    case 'json':
      return renderJson(results, options);
    case 'sarif':
      return renderSarif(results, options);
    case 'cyclonedx':
      return renderCycloneDx(results, options);
    case 'spdx-json':
      return renderSpdx(results, options);
    case 'github':
      return renderGithubSnapshot(results, options);
    default: {
      const never: never = format;
      throw new StrataError('usage', `unknown report format "${String(never)}"`);
    }
  }
}

export { buildJsonReport, buildCombinedJsonReport, REPORT_SCHEMA_VERSION, NO_DATABASE_WARNING } from './json.js';
export type { JsonReport, JsonCombinedReport } from './json.js';
export { buildSarif } from './sarif.js';
export { buildCycloneDx } from './cyclonedx.js';
export { buildSpdx } from './spdx.js';
export type { SpdxDocument } from './spdx.js';
export { buildGithubSnapshot } from './github-snapshot.js';
export type { DependencySnapshot } from './github-snapshot.js';
export { renderTable } from './table.js';
export { targetsOf } from './common.js';
export type { Target } from './common.js';
export { STRATA_TOOL } from './tool.js';
export type { ToolInfo } from './tool.js';
