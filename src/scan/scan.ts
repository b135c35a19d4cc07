/**
 * One scan end to end, for the CLI and for library users: Image →
 * inventory → findings (when a database is given) → policy → ScanResult.
 * Nothing here knows about argv or terminals.
 */
import type { VulnStore } from '../core/advisory.js';
import type { Image } from '../core/image.js';
import type { Inventory, Package } from '../core/package.js';
import { type Artifact, type LayerInfo, NO_DATABASE_WARNING, type ScanResult } from '../core/result.js';
import { type MatchOptions, matchInventory } from '../match/matcher.js';
import { applyPolicy, type Policy } from '../policy/filter.js';
import { type InventoryOptions, inventoryOfImage } from './inventory.js';

export interface ScanOptions extends InventoryOptions {
  /** The vulnerability database; without one, the result lists packages and says nothing was matched. */
  store?: VulnStore;
  match?: MatchOptions;
  policy?: Policy;
}

export function artifactOf(image: Image): Artifact {
  return {
    name: image.name,
    type: image.source === 'rootfs' ? 'rootfs' : 'container_image',
    source: image.source,
    ...(image.digest ? { digest: image.digest } : {}),
    ...(image.configDigest ? { configDigest: image.configDigest } : {}),
    ...(image.platform ? { platform: image.platform } : {}),
    ...(image.repoTags?.length ? { repoTags: [...image.repoTags] } : {}),
  };
}

export function layersOf(image: Image): LayerInfo[] {
  return image.layers.map((l) => ({
    digest: l.digest,
    diffId: l.diffId,
    size: l.size,
    mediaType: l.mediaType,
    ...(l.createdBy !== undefined ? { createdBy: l.createdBy } : {}),
  }));
}

/** Packages as reports show them: the owned-file lists stay internal. */
function publicPackage(p: Package): Package {
  const { files: _files, ...rest } = p;
  return rest;
}

export async function scanImage(image: Image, options: ScanOptions = {}): Promise<ScanResult> {
  const t0 = Date.now();
  const inventory = await inventoryOfImage(image, options);
  const t1 = Date.now();
  const result = await scanInventory(artifactOf(image), layersOf(image), inventory, options);
  result.timings = { inventory: t1 - t0, ...result.timings };
  return result;
}

/** Matching and policy over an inventory from anywhere (an image, an SBOM). */
export async function scanInventory(artifact: Artifact, layers: LayerInfo[], inventory: Inventory, options: ScanOptions = {}): Promise<ScanResult> {
  const t0 = Date.now();
  const warnings: string[] = [];
  let findings: ScanResult['findings'] = [];
  let suppressed: ScanResult['suppressed'] = [];
  if (options.store) {
    const outcome = await matchInventory(inventory, options.store, { ...options.match, layers });
    warnings.push(...outcome.warnings);
    // The policy is told which image this is, so VEX statements pinned to another build's digest stay out.
    const target = { ...(artifact.digest ? { digest: artifact.digest } : {}), ...(artifact.configDigest ? { configDigest: artifact.configDigest } : {}) };
    const filtered = applyPolicy(outcome.findings, { ...options.policy, target });
    findings = filtered.findings;
    suppressed = filtered.suppressed;
  } else {
    warnings.push(NO_DATABASE_WARNING);
  }
  if (!inventory.distro && inventory.packages.some((p) => p.kind === 'os')) {
    warnings.push('OS packages were found but the distribution could not be identified: they were not matched');
  }
  return {
    artifact,
    layers,
    ...(inventory.distro ? { os: inventory.distro } : {}),
    packages: inventory.packages.map(publicPackage),
    findings,
    suppressed,
    ...(options.store ? { database: options.store.metadata() } : {}),
    skipped: inventory.skipped,
    warnings,
    timings: { match: Date.now() - t0 },
  };
}
