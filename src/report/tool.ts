/**
 * Who wrote a report: the name, version and home page every format records
 * (JSON `generator`, SARIF `tool.driver`, CycloneDX `metadata.tools`, SPDX
 * `creators`, the GitHub snapshot `detector`).
 */
import { readFileSync } from 'node:fs';

export interface ToolInfo {
  name: string;
  version: string;
  /** Project home page, when package.json names one. */
  url?: string;
}

interface PackageJson {
  name?: string;
  version?: string;
  homepage?: string;
  repository?: string | { url?: string };
}

/**
 * package.json sits two levels up from both src/report/ and dist/report/, so
 * one relative URL works for the sources (tests, tsx) and the build.
 */
function readPackageJson(): PackageJson {
  try {
    return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as PackageJson;
  } catch {
    return {};
  }
}

function repositoryUrl(repo: PackageJson['repository']): string | undefined {
  const raw = typeof repo === 'string' ? repo : repo?.url;
  if (!raw) return undefined;
  return raw.replace(/^git\+/, '').replace(/\.git$/, '');
}

const pkg = readPackageJson();

export const STRATA_TOOL: ToolInfo = Object.freeze({
  name: 'strata',
  version: pkg.version ?? '0.0.0',
  ...(pkg.homepage || pkg.repository ? { url: pkg.homepage ?? repositoryUrl(pkg.repository) } : {}),
});
