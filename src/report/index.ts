/**
 * The report stage's one entry point: ScanResults in, the bytes of one
 * format out. The CLI picks formats and destinations; each writer lives in
 * its own module.
 */
import { StrataError } from '../core/errors.js';
import type { ScanResult } from '../core/result.js';
import type { GithubSnapshotOptions } from './github-snapshot.js';
import type { TableOptions } from './table.js';
import type { ReportFormat } from './formats.js';
import type { ToolInfo } from './tool.js';

export { REPORT_FORMATS, SBOM_FORMATS, REPORT_FILE_NAMES, isReportFormat, parseReportFormats, type ReportFormat } from './formats.js';

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

/**
 * Renders scan results in one format. Each writer is loaded when its format
 * is first asked for (the CycloneDX library alone costs ~60 ms to load, and a
 * JSON-only CI run needs none of the others). Rejects with
 * StrataError('usage') when a format lacks what it needs (github: sha, ref).
 */
export async function renderReport(format: ReportFormat, results: readonly ScanResult[], options: RenderOptions = {}): Promise<string> {
  switch (format) {
    case 'table':
      return (await import('./table.js')).renderTable((await import('./terminal-safe.js')).terminalSafe([...results]), options);
    case 'json':
      return (await import('./json.js')).renderJson(results, options);
    case 'sarif':
      return (await import('./sarif.js')).renderSarif(results, options);
    case 'cyclonedx':
      return (await import('./cyclonedx.js')).renderCycloneDx(results, options);
    case 'spdx-json':
      return (await import('./spdx.js')).renderSpdx(results, options);
    case 'github':
      return (await import('./github-snapshot.js')).renderGithubSnapshot(results, options);
    default: {
      const never: never = format;
      throw new StrataError('usage', `unknown report format "${String(never)}"`);
    }
  }
}

// Types only below: importing this module must not load the writers.
export type { JsonReport, JsonCombinedReport } from './json.js';
export type { SpdxDocument } from './spdx.js';
export type { DependencySnapshot } from './github-snapshot.js';
export type { Target } from './common.js';
export type { ToolInfo } from './tool.js';
