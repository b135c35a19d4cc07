/**
 * What `strata sbom` and `strata explain` do once their flags are parsed;
 * loaded only when one of them runs.
 */
import path from 'node:path';
import { StrataError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { ScanResult } from '../core/result.js';
import { openImage } from '../image/open.js';
import { openRootfs } from '../image/rootfs.js';
import { explainVulnerability, renderExplanation } from '../report/explain.js';
import { artifactOf, layersOf, scanImage, scanInventory } from '../scan/scan.js';
import { inventoryOfImage } from '../scan/inventory.js';
import { withDeadline } from '../scan/deadline.js';
import { openDatabase } from '../vulndb/lifecycle.js';
import { writeStdout } from './output.js';
import { policyFromFlags } from './policy-flags.js';
import { writeReports } from './reports.js';
import { databaseOptionsFrom, exitOnFindings, imageOpenOptions, imageTimeoutMs, layerCacheFrom, matchOptionsFrom } from './run-options.js';
import type { ExplainFlags, SbomFlags, TargetFlags } from './scan-options.js';

async function openTarget(ref: string, flags: TargetFlags, logger: Logger, signal: AbortSignal) {
  if (flags.rootfs) return openRootfs(path.resolve(ref));
  return openImage(ref, { ...imageOpenOptions(flags, logger), signal });
}

/** The image's scan under its deadline (`--timeout`, as `strata image`). */
function underDeadline<T>(ref: string, flags: { timeout?: string }, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return withDeadline(ref, imageTimeoutMs(flags), work);
}

export async function runSbomCommand(ref: string, flags: SbomFlags, logger: Logger): Promise<void> {
  const result = await underDeadline(ref, flags, async (signal) => {
    const image = await openTarget(ref, flags, logger, signal);
    try {
      const inventory = await inventoryOfImage(image, {
        logger,
        signal,
        cache: layerCacheFrom(flags),
        ...(flags.keepOsOwned ? { keepOsOwned: true } : {}),
      });
      const scanned = await scanInventory(artifactOf(image), layersOf(image), inventory, {});
      // An SBOM makes no claim about vulnerabilities, so the "nothing matched" warning does not belong in it.
      scanned.warnings = [];
      return scanned;
    } finally {
      await image.close();
    }
  });
  await writeReports([result], { format: flags.format, ...(flags.output ? { output: flags.output } : {}) }, { sbomOnly: true });
}

export async function runExplainCommand(id: string, ref: string, flags: ExplainFlags, logger: Logger): Promise<void> {
  const db = await openDatabase(databaseOptionsFrom(flags), logger);
  if (!db.store) throw new StrataError('database', `explain needs a vulnerability database (none at ${db.path}): run 'strata db build'`);
  const store = db.store;
  const policy = await policyFromFlags(flags);
  let result: ScanResult;
  try {
    result = await underDeadline(ref, flags, async (signal) => {
      const image = await openTarget(ref, flags, logger, signal);
      try {
        return await scanImage(image, { logger, signal, store, cache: layerCacheFrom(flags), policy, match: matchOptionsFrom(flags) });
      } finally {
        await image.close();
      }
    });
  } finally {
    store.close();
  }
  const explained = explainVulnerability(id, result);
  await writeStdout(renderExplanation(explained, flags.format === 'json' ? 'json' : 'text'));
  exitOnFindings(flags, explained.findings.length);
}
