/**
 * What `strata image`, `strata rootfs` and `strata sbom-scan` do once their
 * flags are parsed: turn the flags into library options, scan the targets
 * (concurrently, in scan/batch.ts), write the reports, notify, and pick the
 * exit code. Loaded only when one of them runs, so
 * `strata --help` or `strata version compare` do not load the whole scanner.
 */
import path from 'node:path';
import { StrataError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { ScanResult } from '../core/result.js';
import { openImage } from '../image/open.js';
import { openRootfs } from '../image/rootfs.js';
import { defaultParallel, notifyResults, scanTargets, type ScanTarget } from '../scan/batch.js';
import { incompleteWarnings } from '../scan/completeness.js';
import { scanInventory, type ScanOptions } from '../scan/scan.js';
import { Limiter } from '../util/limiter.js';
import { openDatabase } from '../vulndb/lifecycle.js';
import { TtyProgress } from './progress.js';
import { writeReports } from './reports.js';
import { policyFromFlags } from './policy-flags.js';
import { databaseOptionsFrom, exitOnFindings, imageOpenOptions, imageTimeoutMs, layerCacheFrom, matchOptionsFrom } from './run-options.js';
import { checkWebhookFlag, type ImageFlags, type ScanFlags } from './scan-options.js';

/** Runs scans of every target and does everything that follows: reports, webhook, exit code. */
export async function runScans(targets: ScanTarget[], flags: ScanFlags, logger: Logger, extra: Partial<ScanOptions> = {}): Promise<void> {
  checkWebhookFlag(flags);
  const policy = await policyFromFlags(flags);
  const db = await openDatabase(databaseOptionsFrom(flags), logger);
  const progress = TtyProgress.enabled(flags.quiet) ? new TtyProgress() : undefined;
  const limiter = new Limiter(flags.parallel ?? defaultParallel());
  const options: ScanOptions = {
    ...extra,
    cache: layerCacheFrom(flags),
    limiter,
    logger,
    ...(progress ? { progress } : {}),
    ...(db.store ? { store: db.store } : {}),
    match: matchOptionsFrom(flags),
    policy,
    ...(flags.keepOsOwned ? { keepOsOwned: true } : {}),
  };

  const { results, errors } = await scanTargets(targets, options, { timeoutMs: imageTimeoutMs(flags) });
  progress?.stop();
  db.store?.close();

  await finish(results, flags, logger, targets.length);
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    for (const e of errors.slice(1)) process.stderr.write(`strata: error: ${e instanceof Error ? e.message : String(e)}\n`);
    throw errors[0];
  }
  exitOnFindings(flags, results.reduce((n, r) => n + r.findings.length, 0), results);
}

/** Reports and notifications for finished scans. */
async function finish(results: ScanResult[], flags: ScanFlags, logger: Logger, targets = results.length): Promise<void> {
  if (results.length === 0) return;
  for (const r of results) for (const w of r.warnings) logger.debug(`${r.artifact.name}: ${w}`);
  for (const r of results) for (const w of incompleteWarnings(r)) logger.warn(w);
  // Several targets asked for: the combined document, whichever of them failed.
  await writeReports(results, flags, targets > 1 ? { combined: true } : {});
  if (flags.webhook) {
    const secret = flags.webhookSecret ?? process.env.STRATA_WEBHOOK_SECRET;
    await notifyResults(results, { url: flags.webhook, ...(secret ? { secret } : {}) }, logger);
  }
}

export async function runSbomScan(file: string, flags: ScanFlags, logger: Logger): Promise<void> {
  checkWebhookFlag(flags);
  const policy = await policyFromFlags(flags);
  const db = await openDatabase(databaseOptionsFrom(flags), logger);
  try {
    const { readSbomFile } = await import('../sbom/index.js');
    const sbom = await readSbomFile(file);
    const result = await scanInventory(sbom.artifact, [], sbom.inventory, {
      ...(db.store ? { store: db.store } : {}),
      match: matchOptionsFrom(flags),
      policy,
    });
    // What the SBOM itself got wrong (version conflicts, no distro release) belongs in the report too.
    result.warnings.unshift(...sbom.warnings);
    await finish([result], flags, logger);
    exitOnFindings(flags, result.findings.length);
  } finally {
    db.store?.close();
  }
}

/** `strata image REF… [--input PATH]…` (or `--sbom FILE`). */
export async function runImageCommand(refs: string[], flags: ImageFlags, logger: Logger): Promise<void> {
  if (flags.sbom) {
    if (refs.length || flags.input?.length) throw new StrataError('usage', '--sbom scans an SBOM: give no image references or --input with it');
    await runSbomScan(flags.sbom, flags, logger);
    return;
  }
  const inputs = flags.input ?? [];
  if (refs.length === 0 && inputs.length === 0) throw new StrataError('usage', 'name an image to scan (strata image REF, or --input FILE|DIR)');
  const common = imageOpenOptions(flags, logger);
  const targets: ScanTarget[] = [
    ...refs.map((ref) => ({ name: ref, open: (signal?: AbortSignal) => openImage(ref, { ...common, ...(signal ? { signal } : {}) }) })),
    ...inputs.map((input) => ({ name: input, open: (signal?: AbortSignal) => openImage(input, { ...common, from: 'local' as const, ...(signal ? { signal } : {}) }) })),
  ];
  await runScans(targets, flags, logger);
}

/** `strata rootfs DIR…`. */
export async function runRootfsCommand(dirs: string[], flags: ScanFlags, logger: Logger): Promise<void> {
  const targets: ScanTarget[] = dirs.map((dir) => ({ name: dir, open: () => openRootfs(path.resolve(dir)) }));
  await runScans(targets, flags, logger);
}
