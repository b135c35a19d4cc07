/**
 * The whole outcome of one scan: what report writers receive. The JSON
 * report (src/report/json.ts) is this, versioned by REPORT_SCHEMA_VERSION.
 */
import type { DbMetadata } from './advisory.js';
import type { Finding, Suppressed } from './finding.js';
import type { Platform } from './image.js';
import type { Distro, Package, Skipped } from './package.js';

export interface Artifact {
  /** Reference or path as the user gave it (normalised). */
  name: string;
  type: 'container_image' | 'rootfs' | 'sbom';
  source: string;
  /** Manifest digest. */
  digest?: string;
  configDigest?: string;
  platform?: Platform;
  repoTags?: string[];
}

export interface LayerInfo {
  digest: string;
  diffId: string;
  size: number;
  mediaType: string;
  createdBy?: string;
}

export interface ScanResult {
  artifact: Artifact;
  layers: LayerInfo[];
  os?: Distro;
  packages: Package[];
  findings: Finding[];
  suppressed: Suppressed[];
  /** Absent when no database was used (scan without a database). */
  database?: DbMetadata;
  skipped: Skipped[];
  warnings: string[];
  /** Milliseconds per stage. */
  timings: Record<string, number>;
}

/** Every scan without a database says so (the JSON report and the table show it). */
export const NO_DATABASE_WARNING =
  'no vulnerability database was used: packages were listed but not matched against any advisories (run `strata db build` or `strata db update`)';
