/**
 * The GitHub dependency submission snapshot ("Create a snapshot of
 * dependencies for a repository", REST API): what an image contains, as
 * manifests GitHub's dependency graph and Dependabot alerts understand. One
 * manifest per target (the OS packages; each language manifest or binary),
 * every package resolved by its purl.
 */
import { randomUUID } from 'node:crypto';
import { StrataError } from '../core/errors.js';
import type { Package } from '../core/package.js';
import type { ScanResult } from '../core/result.js';
import { compareStrings, sortedPackages, targetsOf } from './common.js';
import { STRATA_TOOL, type ToolInfo } from './tool.js';

export interface GithubSnapshotOptions {
  /** Commit the snapshot belongs to (GITHUB_SHA): 40 hex digits. */
  sha?: string;
  /** Git ref (GITHUB_REF): `refs/heads/main`; a bare branch name is taken as `refs/heads/<name>`. */
  ref?: string;
  /** Groups snapshots over time; GitHub keeps the latest per correlator and detector (e.g. `${GITHUB_WORKFLOW}_${GITHUB_JOB}`). */
  correlator?: string;
  /** External id of the job (GITHUB_RUN_ID); random when absent. */
  jobId?: string;
  jobUrl?: string;
  now?: Date;
  tool?: ToolInfo;
}

export type Scalar = string | number | boolean | null;

export interface ResolvedDependency {
  package_url: string;
  relationship?: 'direct' | 'indirect';
  scope?: 'runtime' | 'development';
  dependencies: string[];
  metadata?: Record<string, Scalar>;
}

export interface SnapshotManifest {
  name: string;
  file?: { source_location: string };
  metadata?: Record<string, Scalar>;
  resolved: Record<string, ResolvedDependency>;
}

export interface DependencySnapshot {
  version: 0;
  job: { correlator: string; id: string; html_url?: string };
  sha: string;
  ref: string;
  detector: { name: string; version: string; url: string };
  metadata?: Record<string, Scalar>;
  manifests: Record<string, SnapshotManifest>;
  scanned: string;
}

/** GitHub allows at most eight metadata keys, scalar values only. */
const MAX_METADATA_KEYS = 8;

export const DEFAULT_CORRELATOR = 'strata-image-scan';

function checkSha(sha: string | undefined): string {
  if (!sha) throw new StrataError('usage', 'the github format needs the commit SHA the snapshot belongs to (GITHUB_SHA)');
  if (!/^[0-9a-f]{40}$/i.test(sha)) throw new StrataError('usage', `the github format needs a full 40-character commit SHA, got "${sha}"`);
  return sha.toLowerCase();
}

function checkRef(ref: string | undefined): string {
  if (!ref) throw new StrataError('usage', 'the github format needs the Git ref the snapshot belongs to (GITHUB_REF, e.g. refs/heads/main)');
  if (/\s/.test(ref)) throw new StrataError('usage', `not a Git ref: "${ref}"`);
  return ref.startsWith('refs/') ? ref : `refs/heads/${ref}`;
}

function relationship(p: Package): ResolvedDependency['relationship'] {
  const m = p.metadata ?? {};
  if (m.indirect === true || m.direct === false) return 'indirect';
  if (m.direct === true || m.indirect === false) return 'direct';
  // Unknown (most image contents): GitHub accepts the field absent rather than a guess.
  return undefined;
}

function resolved(p: Package): ResolvedDependency {
  const rel = relationship(p);
  return {
    package_url: p.purl,
    ...(rel ? { relationship: rel } : {}),
    scope: p.metadata?.dev === true ? 'development' : 'runtime',
    dependencies: [],
  };
}

function limitMetadata(m: Record<string, Scalar | undefined>): Record<string, Scalar> {
  return Object.fromEntries(Object.entries(m).filter((e): e is [string, Scalar] => e[1] !== undefined).slice(0, MAX_METADATA_KEYS));
}

export function buildGithubSnapshot(results: readonly ScanResult[], options: GithubSnapshotOptions = {}): DependencySnapshot {
  const sha = checkSha(options.sha);
  const ref = checkRef(options.ref);
  const tool = options.tool ?? STRATA_TOOL;
  const manifests: Record<string, SnapshotManifest> = {};

  for (const result of results) {
    const imageMeta = {
      'strata:artifact': result.artifact.name,
      'strata:digest': result.artifact.digest,
      'strata:os': result.os ? `${result.os.family} ${result.os.version}` : undefined,
    };
    for (const target of targetsOf(result)) {
      // Language packages whose files belong to an OS package are the OS package's business:
      // submitting them again would raise alerts the distribution already handles.
      const packages = sortedPackages(target.packages).filter((p) => !p.ownedBy);
      if (packages.length === 0) continue;
      const name = target.kind === 'os' || results.length === 1 ? target.name : `${target.name} (${result.artifact.name})`;
      const entries: Array<[string, ResolvedDependency]> = [];
      const seen = new Set<string>();
      for (const p of packages) {
        if (seen.has(p.purl)) continue;
        seen.add(p.purl);
        entries.push([p.purl, resolved(p)]);
      }
      manifests[name] = {
        name,
        ...(target.path ? { file: { source_location: target.path } } : {}),
        metadata: limitMetadata({ ...imageMeta, 'strata:type': target.type }),
        resolved: Object.fromEntries(entries.sort(([a], [b]) => compareStrings(a, b))),
      };
    }
  }

  return {
    version: 0,
    job: {
      correlator: options.correlator ?? DEFAULT_CORRELATOR,
      id: options.jobId ?? randomUUID(),
      ...(options.jobUrl ? { html_url: options.jobUrl } : {}),
    },
    sha,
    ref,
    // `url` is required; while package.json names no home page, the tool's own package URL identifies it.
    detector: { name: tool.name, version: tool.version, url: tool.url ?? `pkg:npm/${tool.name}@${tool.version}` },
    manifests,
    scanned: (options.now ?? new Date()).toISOString(),
  };
}

export function renderGithubSnapshot(results: readonly ScanResult[], options: GithubSnapshotOptions = {}): string {
  return JSON.stringify(buildGithubSnapshot(results, options), null, 2) + '\n';
}
