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
import { openDatabase } from '../vulndb/lifecycle.js';
import { writeStdout } from './output.js';
import { policyFromFlags } from './policy-flags.js';
import { writeReports } from './reports.js';
import { databaseOptionsFrom, exitOnFindings, imageOpenOptions, layerCacheFrom, matchOptionsFrom } from './run-options.js';
import type { ExplainFlags, SbomFlags, TargetFlags } from './scan-options.js';

async function openTarget(ref: string, flags: TargetFlags, logger: Logger) {
  if (flags.rootfs) return openRootfs(path.resolve(ref));
  return openImage(ref, imageOpenOptions(flags, logger));
}

export async function runSbomCommand(ref: string, flags: SbomFlags, logger: Logger): Promise<void> {
  const image = await openTarget(ref, flags, logger);
  let result: ScanResult;
  try {
    const inventory = await inventoryOfImage(image, {
      logger,
      cache: layerCacheFrom(flags),
      ...(flags.keepOsOwned ? { keepOsOwned: true } : {}),
    });
    result = await scanInventory(artifactOf(image), layersOf(image), inventory, {});
    // An SBOM makes no claim about vulnerabilities, so the "nothing matched" warning does not belong in it.
    result.warnings = [];
  } finally {
    await image.close();
  }
  await writeReports([result], { format: flags.format, ...(flags.output ? { output: flags.output } : {}) }, { sbomOnly: true });
}

export async function runExplainCommand(id: string, ref: string, flags: ExplainFlags, logger: Logger): Promise<void> {
  const db = await openDatabase(databaseOptionsFrom(flags), logger);
  if (!db.store) throw new StrataError('database', `explain needs a vulnerability database (none at ${db.path}): run 'strata db build'`);
  const image = await openTarget(ref, flags, logger);
  let result: ScanResult;
  try {
    result = await scanImage(image, {
      logger,
      store: db.store,
      cache: layerCacheFrom(flags),
      policy: await policyFromFlags(flags),
      match: matchOptionsFrom(flags),
    });
  } finally {
    await image.close();
    db.store.close();
  }
  const explained = explainVulnerability(id, result);
  await writeStdout(renderExplanation(explained, flags.format === 'json' ? 'json' : 'text'));
  exitOnFindings(flags, explained.findings.length);
}
