/**
 * Go executables: the toolchain (package `stdlib`), the main module and every
 * module compiled in, read from the build info the linker embeds (see
 * go-buildinfo.ts). Works on ELF, Mach-O and PE, module and GOPATH builds.
 *
 * What comes out, per binary:
 * - `stdlib` at the toolchain version (`go1.20.12` → `1.20.12`), with the
 *   CPE `cpe:2.3:a:golang:go:1.20.12:…` for release toolchains;
 * - the main module (`mod` line) at its version, usually `(devel)`;
 * - each dependency (`dep` line). A replaced dependency (`=>`) is reported as
 *   the module that was compiled in: the replacement's path and version, with
 *   `replaces` naming the original. A replacement by a local directory has no
 *   version: the original path is kept, with version `(devel)`.
 * `(devel)` versions are kept but flagged `unversioned` (nothing can be
 * matched against them) and their purl has no version.
 */
import type { Package } from '../../core/package.js';
import type { ParsedFile, Scanner } from '../../core/scanner.js';
import { purl } from '../purl.js';
import { wantsExecutable } from '../formats/executable.js';
import { type GoBuildInfo, type GoModule, goVersionToSemver, looksExecutable, readGoBuildInfo } from './go-buildinfo.js';
import { collectPerFile } from '../collect-per-file.js';

export const GO_BINARY_SCANNER_ID = 'go-binary';
const DEVEL = '(devel)';

export const goBinaryScanner: Scanner<GoBuildInfo> = {
  id: GO_BINARY_SCANNER_ID,
  version: 1,
  kind: 'lang',
  // Big Go programs (kubelet, cockroach) reach a few hundred MiB.
  maxBytes: 512 * 1024 * 1024,
  wants: wantsExecutable,
  parse(file) {
    // Most executables are not Go: four magic bytes decide before anything else is read.
    if (!looksExecutable(file.content)) return undefined;
    return readGoBuildInfo(file.content);
  },
  collect(view, ctx) {
    return collectPerFile(view, ctx, 'go-binary', goPackages);
  },
};

/** The packages one Go binary contributes. */
export function goPackages(file: ParsedFile<GoBuildInfo>): Package[] {
  const info = file.value;
  const settings = new Map(info.settings);
  const goarch = settings.get('GOARCH');
  // Facts about the binary go on the main module and stdlib only: dependencies
  // found in several binaries are merged into one package, and these differ per binary.
  const binaryFacts: Record<string, string | boolean> = { goVersion: info.goVersion };
  if (info.path) binaryFacts.mainPackage = info.path;
  if (info.main) binaryFacts.mainModule = info.main.path;
  binaryFacts.executableFormat = info.format;
  for (const [k, v] of info.settings) binaryFacts[`build.${k}`] = v;

  const base = (name: string, version: string, metadata: Record<string, string | boolean>, cpe?: string): Package => {
    const unversioned = version === DEVEL || version === '';
    const slash = name.lastIndexOf('/');
    const pkg: Package = {
      name,
      version: version || DEVEL,
      ecosystem: 'Go',
      kind: 'lang',
      purl: purl({
        type: 'golang',
        namespace: slash > 0 ? name.slice(0, slash) : undefined,
        name: slash > 0 ? name.slice(slash + 1) : name,
        version: unversioned ? undefined : version,
      }),
      layer: file.layer.diffId,
      paths: [file.path],
      foundBy: GO_BINARY_SCANNER_ID,
      metadata: unversioned ? { ...metadata, unversioned: true } : metadata,
    };
    if (cpe) pkg.cpe = cpe;
    return pkg;
  };

  const out: Package[] = [];
  const toolchain = goVersionToSemver(info.goVersion);
  const stdlibVersion = toolchain?.version ?? DEVEL;
  // NVD names the Go toolchain golang:go; only release versions are written that way.
  const cpe = toolchain && !toolchain.prerelease ? `cpe:2.3:a:golang:go:${toolchain.version}:*:*:*:*:*:*:*` : undefined;
  const stdlib = base('stdlib', stdlibVersion, { relation: 'stdlib', ...binaryFacts }, cpe);
  if (goarch) stdlib.arch = goarch;
  out.push(stdlib);

  if (info.main) {
    const main = module(info.main, { relation: 'main', ...binaryFacts }, base);
    if (goarch) main.arch = goarch;
    out.push(main);
  }
  for (const dep of info.deps) out.push(module(dep, { relation: 'dependency' }, base));
  return out;
}

function module(
  mod: GoModule,
  metadata: Record<string, string | boolean>,
  base: (name: string, version: string, metadata: Record<string, string | boolean>) => Package,
): Package {
  const meta = { ...metadata };
  const rep = mod.replace;
  if (!rep) {
    if (mod.sum) meta.sum = mod.sum;
    return base(mod.path, mod.version, meta);
  }
  // A local directory replacement is recorded with version `(devel)` (or none in old toolchains).
  if (rep.version && rep.version !== DEVEL) {
    // The replacement is what was compiled in: its path and version are what advisories apply to.
    meta.replaces = mod.version ? `${mod.path}@${mod.version}` : mod.path;
    if (rep.sum) meta.sum = rep.sum;
    return base(rep.path, rep.version, meta);
  }
  // A local directory: the code is whatever that directory held, so no version can be claimed.
  meta.replacedBy = rep.path;
  if (mod.version) meta.requiredVersion = mod.version;
  return base(mod.path, DEVEL, meta);
}
