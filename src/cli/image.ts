/**
 * `strata image`, `strata rootfs` and `strata sbom-scan`: their flags. What
 * they do is in scan-run.ts, loaded when one of them runs.
 */
import type { Command } from '@commander-js/extra-typings';
import { createLogger } from './output.js';
import { addScanOptions, addTargetOptions, collect, type ImageFlags, type ScanFlags } from './scan-options.js';

export function registerImageCommands(program: Command): void {
  const image = program
    .command('image')
    .description('scan container images: registry references, docker-archive or OCI archives, OCI layouts')
    .argument('[refs...]', 'image references (debian:12, registry.example.com/app@sha256:…); paths are accepted too')
    .option('-i, --input <path>', 'a docker save tarball, an OCI archive, or an OCI layout directory (PATH[:TAG]); repeatable', collect)
    .option('--sbom <file>', 'scan a CycloneDX or SPDX SBOM instead of an image');
  addScanOptions(addTargetOptions(image)).action(async (refs, opts) => {
    const flags = opts as unknown as ImageFlags; // addScanOptions adds options the inferred type does not see
    const { runImageCommand } = await import('./scan-run.js');
    await runImageCommand(refs, flags, createLogger(flags));
  });

  const rootfs = program
    .command('rootfs')
    .description('scan an unpacked root filesystem (a directory, or / for this machine)')
    .argument('<dirs...>', 'root directories');
  addScanOptions(rootfs).action(async (dirs, opts) => {
    const flags = opts as unknown as ScanFlags; // see above
    const { runRootfsCommand } = await import('./scan-run.js');
    await runRootfsCommand(dirs, flags, createLogger(flags));
  });

  const sbomScan = program
    .command('sbom-scan')
    .description('match the packages of a CycloneDX or SPDX SBOM made elsewhere')
    .argument('<file>', 'SBOM file (CycloneDX JSON, SPDX JSON)');
  addScanOptions(sbomScan).action(async (file, opts) => {
    const flags = opts as unknown as ScanFlags; // see above
    const { runSbomScan } = await import('./scan-run.js');
    await runSbomScan(file, flags, createLogger(flags));
  });
}
