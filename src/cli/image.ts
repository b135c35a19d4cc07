/**
 * `strata image`, `strata rootfs` and `strata sbom-scan`: open the
 * targets, scan them concurrently (sharing the layer cache and one bound on
 * concurrent layer reads), write the reports, notify, and pick the exit code.
 */
import type { Command } from '@commander-js/extra-typings';
import path from 'node:path';
import { StrataError } from '../core/errors.js';
import type { Image } from '../core/image.js';
import type { Logger } from '../core/log.js';
import type { ScanResult } from '../core/result.js';
import { LayerCache, defaultCacheDir } from '../cache/layer-cache.js';
import { openImage } from '../image/open.js';
import { openRootfs } from '../image/rootfs.js';
import { postWebhook, summarize } from '../notify/webhook.js';
import { scanImage, scanInventory, type ScanOptions } from '../scan/scan.js';
import { readSbomFile } from '../sbom/index.js';
import { Limiter } from '../util/limiter.js';
import { openDatabaseForScan } from './database.js';
import { ExitCode } from './exit.js';
import { createLogger } from './output.js';
import { TtyProgress } from './progress.js';
import { writeReports } from './reports.js';
import { addScanOptions, checkWebhookFlag, defaultParallel, policyFromFlags, type ScanFlags } from './scan-options.js';

interface ImageFlags extends ScanFlags {
  input?: string[];
  platform?: string;
  username?: string;
  password?: string;
  insecure?: boolean;
  sbom?: string;
}

/** One thing to scan: how to open it, and its name for messages. */
interface Target {
  name: string;
  open(): Promise<Image>;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Registry credentials from --username/--password, else STRATA_USERNAME/STRATA_PASSWORD (both or neither). */
export function credentialsFrom(flags: { username?: string; password?: string }): { username: string; password: string; source: string } | undefined {
  const username = flags.username ?? process.env.STRATA_USERNAME;
  const password = flags.password ?? process.env.STRATA_PASSWORD;
  if (username === undefined && password === undefined) return undefined;
  if (!username || password === undefined) throw new StrataError('usage', 'give both a username and a password (--username/--password or STRATA_USERNAME/STRATA_PASSWORD)');
  return { username, password, source: flags.username !== undefined ? '--username/--password' : 'STRATA_USERNAME/STRATA_PASSWORD' };
}

/** Runs scans of every target and does everything that follows: reports, webhook, exit code. */
export async function runScans(targets: Target[], flags: ScanFlags, logger: Logger, extra: Partial<ScanOptions> = {}): Promise<void> {
  checkWebhookFlag(flags);
  const policy = await policyFromFlags(flags);
  const db = await openDatabaseForScan(flags, logger);
  for (const w of db.warnings) logger.warn(w);
  const progress = TtyProgress.enabled(flags.quiet) ? new TtyProgress() : undefined;
  const cache = flags.cache === false ? null : new LayerCache(flags.cacheDir ?? defaultCacheDir());
  const limiter = new Limiter(flags.parallel ?? defaultParallel());
  const options: ScanOptions = {
    ...extra,
    cache,
    limiter,
    logger,
    ...(progress ? { progress } : {}),
    ...(db.store ? { store: db.store } : {}),
    match: { ...(flags.cpeMatch ? { cpeMatch: true } : {}), ...(flags.includeInformational ? { includeInformational: true } : {}) },
    policy,
    ...(flags.keepOsOwned ? { keepOsOwned: true } : {}),
  };

  const outcomes = await Promise.allSettled(
    targets.map(async (t) => {
      const image = await t.open();
      try {
        logger.debug(`scanning ${image.name} (${image.source}, ${image.layers.length} layers)`);
        return await scanImage(image, options);
      } finally {
        await image.close();
      }
    }),
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
  if (flags.exitCode !== undefined && flags.exitCode !== 0 && results.some((r) => r.findings.length > 0)) {
    throw new ExitCode(flags.exitCode);
  }
}

/** Reports and notifications for finished scans. */
async function finish(results: ScanResult[], flags: ScanFlags, logger: Logger, targets = results.length): Promise<void> {
  if (results.length === 0) return;
  for (const r of results) for (const w of r.warnings) logger.debug(`${r.artifact.name}: ${w}`);
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

export function registerImageCommands(program: Command): void {
  const image = program
    .command('image')
    .description('scan container images: registry references, docker-archive or OCI archives, OCI layouts')
    .argument('[refs...]', 'image references (debian:12, registry.example.com/app@sha256:…); paths are accepted too')
    .option('-i, --input <path>', 'a docker save tarball, an OCI archive, or an OCI layout directory (PATH[:TAG]); repeatable', collect)
    .option('--sbom <file>', 'scan a CycloneDX or SPDX SBOM instead of an image')
    .option('--platform <os/arch[/variant]>', "platform to pick from a multi-platform image (default: this machine's)")
    .option('--username <user>', 'registry user (env STRATA_USERNAME)')
    .option('--password <password>', 'registry password or token (env STRATA_PASSWORD)')
    .option('--insecure', 'allow plain HTTP and unverified TLS for registries (loopback is always allowed)');
  addScanOptions(image).action(async (refs, opts) => {
    const flags = opts as unknown as ImageFlags; // addScanOptions adds options the inferred type does not see
    const logger = createLogger(flags);
    if (flags.sbom) {
      if (refs.length || flags.input?.length) throw new StrataError('usage', '--sbom scans an SBOM: give no image references or --input with it');
      await runSbomScan(flags.sbom, flags, logger);
      return;
    }
    const inputs = flags.input ?? [];
    if (refs.length === 0 && inputs.length === 0) throw new StrataError('usage', 'name an image to scan (strata image REF, or --input FILE|DIR)');
    const credentials = credentialsFrom(flags);
    const common = {
      logger,
      ...(flags.platform ? { platform: flags.platform } : {}),
      ...(credentials ? { credentials } : {}),
      ...(flags.insecure ? { insecure: true } : {}),
    };
    const targets: Target[] = [
      ...refs.map((ref) => ({ name: ref, open: () => openImage(ref, common) })),
      ...inputs.map((input) => ({ name: input, open: () => openImage(input, { ...common, from: 'local' as const }) })),
    ];
    await runScans(targets, flags, logger);
  });

  const rootfs = program
    .command('rootfs')
    .description('scan an unpacked root filesystem (a directory, or / for this machine)')
    .argument('<dirs...>', 'root directories');
  addScanOptions(rootfs).action(async (dirs, opts) => {
    const flags = opts as unknown as ScanFlags; // see above
    const logger = createLogger(flags);
    const targets: Target[] = dirs.map((dir) => ({ name: dir, open: () => openRootfs(path.resolve(dir)) }));
    await runScans(targets, flags, logger);
  });

  const sbomScan = program
    .command('sbom-scan')
    .description('match the packages of a CycloneDX or SPDX SBOM made elsewhere')
    .argument('<file>', 'SBOM file (CycloneDX JSON, SPDX JSON)');
  addScanOptions(sbomScan).action(async (file, opts) => {
    const flags = opts as unknown as ScanFlags; // see above
    await runSbomScan(file, flags, createLogger(flags));
  });
}

async function runSbomScan(file: string, flags: ScanFlags, logger: Logger): Promise<void> {
  checkWebhookFlag(flags);
  const policy = await policyFromFlags(flags);
  const db = await openDatabaseForScan(flags, logger);
  for (const w of db.warnings) logger.warn(w);
  try {
    const sbom = await readSbomFile(file);
    const result = scanInventory(sbom.artifact, [], sbom.inventory, {
      ...(db.store ? { store: db.store } : {}),
      match: { ...(flags.cpeMatch ? { cpeMatch: true } : {}), ...(flags.includeInformational ? { includeInformational: true } : {}) },
      policy,
    });
    // What the SBOM itself got wrong (version conflicts, no distro release) belongs in the report too.
    result.warnings.unshift(...sbom.warnings);
    await finish([result], flags, logger);
    if (flags.exitCode !== undefined && flags.exitCode !== 0 && result.findings.length > 0) throw new ExitCode(flags.exitCode);
  } finally {
    db.store?.close();
  }
}
