/**
 * What `strata image`, `strata rootfs` and `strata sbom-scan` do once their
 * flags are parsed: open the targets, scan them concurrently (sharing the
 * layer cache and one bound on concurrent layer reads), write the reports,
 * notify, and pick the exit code. Loaded only when one of them runs, so
 * `strata --help` or `strata version compare` do not load the whole scanner.
 */
import path from 'node:path';
import { StrataError } from '../core/errors.js';
import type { Image } from '../core/image.js';
import type { Logger } from '../core/log.js';
import type { ScanResult } from '../core/result.js';
import { openImage } from '../image/open.js';
import { openRootfs } from '../image/rootfs.js';
import { postWebhook, summarize } from '../notify/webhook.js';
import { incompleteWarnings } from '../scan/completeness.js';
import { withDeadline } from '../scan/deadline.js';
import { scanImage, scanInventory, type ScanOptions } from '../scan/scan.js';
import { Limiter } from '../util/limiter.js';
import { parseDuration } from '../vulndb/paths.js';
import { openDatabaseForScan } from './database.js';
import { TtyProgress } from './progress.js';
import { writeReports } from './reports.js';
import { policyFromFlags } from './policy-flags.js';
import { exitOnFindings, imageOpenOptions, layerCacheFrom, matchOptionsFrom } from './run-options.js';
import { checkWebhookFlag, defaultParallel, type ImageFlags, type ScanFlags } from './scan-options.js';

/** One thing to scan: how to open it, and its name for messages. */
interface Target {
  name: string;
  open(signal?: AbortSignal): Promise<Image>;
}

/** Runs scans of every target and does everything that follows: reports, webhook, exit code. */
export async function runScans(targets: Target[], flags: ScanFlags, logger: Logger, extra: Partial<ScanOptions> = {}): Promise<void> {
  checkWebhookFlag(flags);
  const policy = await policyFromFlags(flags);
  const db = await openDatabaseForScan(flags, logger);
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

  const outcomes = await Promise.allSettled(
    targets.map((t) =>
      withDeadline(t.name, parseDuration(flags.timeout ?? '5m'), async (signal) => {
        const image = await t.open(signal);
        try {
          logger.debug(`scanning ${image.name} (${image.source}, ${image.layers.length} layers)`);
          return await scanImage(image, { ...options, signal });
        } finally {
          await image.close();
        }
      }),
    ),
  );
  progress?.stop();
  db.store?.close();

  const results: ScanResult[] = [];
  const errors: unknown[] = [];
  for (const o of outcomes) {
    if (o.status === 'fulfilled') results.push(o.value);
    else errors.push(o.reason);
  }
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
    const summaries = results.map((r) => summarize(r));
    const warning = await postWebhook(summaries.length === 1 ? (summaries[0] as ReturnType<typeof summarize>) : summaries, {
      url: flags.webhook,
      ...(secret ? { secret } : {}),
    });
    if (warning) logger.warn(warning);
  }
}

export async function runSbomScan(file: string, flags: ScanFlags, logger: Logger): Promise<void> {
  checkWebhookFlag(flags);
  const policy = await policyFromFlags(flags);
  const db = await openDatabaseForScan(flags, logger);
  try {
    const { readSbomFile } = await import('../sbom/index.js');
    const sbom = await readSbomFile(file);
    const result = scanInventory(sbom.artifact, [], sbom.inventory, {
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
  const targets: Target[] = [
    ...refs.map((ref) => ({ name: ref, open: (signal?: AbortSignal) => openImage(ref, { ...common, ...(signal ? { signal } : {}) }) })),
    ...inputs.map((input) => ({ name: input, open: (signal?: AbortSignal) => openImage(input, { ...common, from: 'local' as const, ...(signal ? { signal } : {}) }) })),
  ];
  await runScans(targets, flags, logger);
}

/** `strata rootfs DIR…`. */
export async function runRootfsCommand(dirs: string[], flags: ScanFlags, logger: Logger): Promise<void> {
  const targets: Target[] = dirs.map((dir) => ({ name: dir, open: () => openRootfs(path.resolve(dir)) }));
  await runScans(targets, flags, logger);
}
