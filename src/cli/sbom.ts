/**
 * `strata sbom REF` (the inventory as CycloneDX 1.6 or SPDX 2.3, without
 * vulnerabilities) and `strata explain ID REF` (why one vulnerability is, or
 * is not, reported): their flags. What they do is in sbom-run.ts.
 */
import type { Command } from '@commander-js/extra-typings';
import { StrataError } from '../core/errors.js';
import { SBOM_FORMATS } from '../report/formats.js';
import { createLogger } from './output.js';
import { addScanOptions, type ScanFlags } from './scan-options.js';

/** How `sbom` and `explain` name what to read. */
export interface TargetFlags {
  rootfs?: boolean;
  platform?: string;
  insecure?: boolean;
  username?: string;
  password?: string;
}

export interface SbomFlags extends TargetFlags {
  format: string;
  output?: string;
  cacheDir?: string;
  cache?: boolean;
  keepOsOwned?: boolean;
  quiet?: boolean;
  debug?: boolean;
}

export type ExplainFlags = ScanFlags & TargetFlags;

export function registerSbomCommands(program: Command): void {
  program
    .command('sbom')
    .description('write the inventory of an image as a CycloneDX 1.6 or SPDX 2.3 JSON document')
    .argument('<ref>', 'image reference, archive, OCI layout, or (with --rootfs) a directory')
    .option('-f, --format <format>', `${SBOM_FORMATS.join(' or ')}`, 'cyclonedx')
    .option('-o, --output <file>', 'write to FILE instead of stdout')
    .option('--rootfs', 'REF is a root filesystem directory')
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image')
    .option('--username <user>', 'registry user (env STRATA_USERNAME)')
    .option('--password <password>', 'registry password or token (env STRATA_PASSWORD)')
    .option('--insecure', 'allow plain HTTP and unverified TLS for registries')
    .option('--cache-dir <dir>', 'layer analysis cache directory')
    .option('--no-cache', 'neither read nor write the layer cache')
    .option('--keep-os-owned', 'also list language packages whose files belong to an OS package')
    .option('-q, --quiet', 'no informational messages')
    .option('--debug', 'log what Strata does')
    .action(async (ref, flags) => {
      if (!(SBOM_FORMATS as readonly string[]).includes(flags.format)) {
        throw new StrataError('usage', `--format must be ${SBOM_FORMATS.join(' or ')}, got "${flags.format}"`);
      }
      const { runSbomCommand } = await import('./sbom-run.js');
      await runSbomCommand(ref, flags, createLogger(flags));
    });

  const explain = program
    .command('explain')
    .description('explain why a vulnerability is (or is not) reported for an image: package, advisory records, versions compared, layer')
    .argument('<id>', 'vulnerability id (CVE-…, GHSA-…, DSA-…)')
    .argument('<ref>', 'image reference, archive or OCI layout (or a directory with --rootfs)')
    .option('--rootfs', 'REF is a root filesystem directory')
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image')
    .option('--username <user>', 'registry user (env STRATA_USERNAME)')
    .option('--password <password>', 'registry password or token (env STRATA_PASSWORD)')
    .option('--insecure', 'allow plain HTTP and unverified TLS for registries');
  addScanOptions(explain).action(async (id, ref, opts) => {
    const flags = opts as unknown as ExplainFlags; // addScanOptions adds options the inferred type does not see
    const { runExplainCommand } = await import('./sbom-run.js');
    await runExplainCommand(id, ref, flags, createLogger(flags));
  });
}
