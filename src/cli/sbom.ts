/**
 * `strata sbom REF` (the inventory as CycloneDX 1.6 or SPDX 2.3, without
 * vulnerabilities) and `strata explain ID REF` (why one vulnerability is, or
 * is not, reported): their flags. What they do is in sbom-run.ts.
 */
import type { Command } from '@commander-js/extra-typings';
import { StrataError } from '../core/errors.js';
import { SBOM_FORMATS } from '../report/formats.js';
import { createLogger } from './output.js';
import { addScanOptions, addTargetOptions, type ExplainFlags } from './scan-options.js';

export function registerSbomCommands(program: Command): void {
  const sbom = program
    .command('sbom')
    .description('write the inventory of an image as a CycloneDX 1.6 or SPDX 2.3 JSON document')
    .argument('<ref>', 'image reference, archive, OCI layout, or (with --rootfs) a directory')
    .option('-f, --format <format>', `${SBOM_FORMATS.join(' or ')}`, 'cyclonedx')
    .option('-o, --output <file>', 'write to FILE instead of stdout');
  addTargetOptions(sbom, { rootfs: true })
    .option('--cache-dir <dir>', 'layer analysis cache directory')
    .option('--no-cache', 'neither read nor write the layer cache')
    .option('--keep-os-owned', 'also list language packages whose files belong to an OS package')
    .option('--timeout <duration>', 'give up on an image that has not finished in this time (e.g. 90s, 15m)', '5m')
    .option('--stall-timeout <duration>', 'retry a registry transfer after this long without a byte (e.g. 10s)', '30s')
    .option('-q, --quiet', 'no informational messages')
    .option('--debug', 'log what Strata does')
    .action(async (ref, flags) => {
      if (!(SBOM_FORMATS as readonly string[]).includes(flags.format)) {
        throw new StrataError('usage', `--format must be ${SBOM_FORMATS.join(' or ')}, got "${flags.format}"`);
      }
      const { runSbomCommand } = await import('./sbom-run.js');
      await runSbomCommand(ref, flags, createLogger(flags)); // the target options addTargetOptions declared are optional in SbomFlags
    });

  const explain = program
    .command('explain')
    .description('explain why a vulnerability is (or is not) reported for an image: package, advisory records, versions compared, layer')
    .argument('<id>', 'vulnerability id (CVE-…, GHSA-…, DSA-…)')
    .argument('<ref>', 'image reference, archive or OCI layout (or a directory with --rootfs)');
  addScanOptions(addTargetOptions(explain, { rootfs: true })).action(async (id, ref, opts) => {
    const flags = opts as unknown as ExplainFlags; // addScanOptions adds options the inferred type does not see
    const { runExplainCommand } = await import('./sbom-run.js');
    await runExplainCommand(id, ref, flags, createLogger(flags));
  });
}
