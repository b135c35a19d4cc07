/**
 * The report formats by name, and the `--format` parser: kept apart from the
 * writers so the CLI can declare its flags without loading them.
 */
import { StrataError } from '../core/errors.js';

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

