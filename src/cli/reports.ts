/**
 * Where reports go: one format to stdout or --output, several formats (or
 * several images) into --output-dir. The default format is the table on a
 * terminal and JSON everywhere else, so pipes get something parseable.
 */
import path from 'node:path';
import { StrataError } from '../core/errors.js';
import type { ScanResult } from '../core/result.js';
import { parseReportFormats, REPORT_FILE_NAMES, renderReport, type RenderOptions, type ReportFormat } from '../report/index.js';
import { writeOutputFile, writeStdout } from './output.js';

export interface ReportFlags {
  format?: string;
  output?: string;
  outputDir?: string;
  color?: boolean;
  githubSha?: string;
  githubRef?: string;
}

export function chooseFormats(flags: ReportFlags, stdoutIsTty = process.stdout.isTTY === true): ReportFormat[] {
  if (flags.format) return parseReportFormats(flags.format);
  return [stdoutIsTty && !flags.output && !flags.outputDir ? 'table' : 'json'];
}

/** `docker.io/library/debian:12` → `docker.io_library_debian_12`: a file name per image. */
export function slug(name: string): string {
  return name.replace(/^\/+/, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 120) || 'image';
}

function renderOptions(flags: ReportFlags, toTerminal: boolean): RenderOptions {
  const env = process.env;
  const sha = flags.githubSha ?? env.GITHUB_SHA;
  const ref = flags.githubRef ?? env.GITHUB_REF;
  return {
    color: toTerminal && flags.color !== false && !env.NO_COLOR,
    ...(toTerminal && process.stdout.columns ? { width: process.stdout.columns } : {}),
    ...(sha ? { sha } : {}),
    ...(ref ? { ref } : {}),
    ...(env.GITHUB_WORKFLOW && env.GITHUB_JOB ? { correlator: `${env.GITHUB_WORKFLOW}_${env.GITHUB_JOB}` } : {}),
    ...(env.GITHUB_RUN_ID ? { jobId: env.GITHUB_RUN_ID } : {}),
  };
}

export async function writeReports(results: ScanResult[], flags: ReportFlags, extra: RenderOptions = {}): Promise<void> {
  const formats = chooseFormats(flags);
  if (flags.outputDir) {
    if (flags.output) throw new StrataError('usage', 'give either --output or --output-dir, not both');
    // One file per format; when several targets were named, one file per image and format, each a single report.
    const perImage = extra.combined === true || results.length > 1;
    const options = { ...renderOptions(flags, false), ...extra, combined: false };
    for (const format of formats) {
      if (!perImage) {
        await writeOutputFile(path.join(flags.outputDir, REPORT_FILE_NAMES[format]), await renderReport(format, results, options));
        continue;
      }
      for (const r of results) {
        await writeOutputFile(path.join(flags.outputDir, `${slug(r.artifact.name)}.${REPORT_FILE_NAMES[format]}`), await renderReport(format, [r], options));
      }
    }
    return;
  }
  if (formats.length > 1) throw new StrataError('usage', `several formats (${formats.join(', ')}) need --output-dir DIR`);
  const format = formats[0] as ReportFormat;
  if (flags.output) {
    await writeOutputFile(flags.output, await renderReport(format, results, { ...renderOptions(flags, false), ...extra }));
    return;
  }
  await writeStdout(await renderReport(format, results, { ...renderOptions(flags, process.stdout.isTTY === true), ...extra }));
}
