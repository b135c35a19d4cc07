/**
 * Platforms (`os/arch[/variant]`) with Go's names, as indexes record them,
 * and the choice of one manifest from a multi-platform index. Matching follows
 * containerd: names are normalised first (x86_64 → amd64, aarch64 → arm64,
 * arm64/v8 ≡ arm64, armhf → arm/v7), an ARM host also runs older ARM variants,
 * and attestation manifests (`unknown/unknown`) are never chosen.
 */
import os from 'node:os';
import { StrataError, type ErrorWhere } from '../core/errors.js';
import type { Platform } from '../core/image.js';
import { isIndexMediaType, isManifestMediaType, type Descriptor, type ImageIndex } from './manifest.js';

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** Parses `linux/amd64`, `linux/arm/v7`, `linux/arm64/v8` (normalised). */
export function parsePlatform(s: string): Platform {
  const parts = s.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9._-]+$/.test(p))) {
    throw new StrataError('usage', `invalid platform "${s}": expected os/arch or os/arch/variant, e.g. linux/amd64 or linux/arm/v7`);
  }
  const [osName, architecture, variant] = parts as [string, string, string | undefined];
  return normalizePlatform({ os: osName, architecture, ...(variant ? { variant } : {}) });
}

/** containerd's normalisation: one spelling per architecture and variant. */
export function normalizePlatform(p: Platform): Platform {
  const osName = p.os.toLowerCase();
  let arch = p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase() || undefined;
  switch (arch) {
    case 'i386':
      arch = '386';
      variant = undefined;
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      arch = 'amd64';
      if (variant === 'v1') variant = undefined;
      break;
    case 'aarch64':
    case 'arm64':
      arch = 'arm64';
      if (variant === '8' || variant === 'v8' || variant === 'v8.0') variant = undefined;
      break;
    case 'armhf':
      arch = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      arch = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      if (!variant) variant = 'v7';
      else if (/^[5-8]$/.test(variant)) variant = `v${variant}`;
      break;
  }
  return { os: osName, architecture: arch, ...(variant ? { variant } : {}) };
}

export interface HostInfo {
  platform: NodeJS.Platform;
  arch: string;
  /** ARM architecture version Node was built for (`process.config.variables.arm_version`). */
  armVersion?: string;
  endianness?: 'BE' | 'LE';
}

function currentHost(): HostInfo {
  const vars = process.config.variables as Record<string, unknown>;
  const armVersion = typeof vars.arm_version === 'string' ? vars.arm_version : undefined;
  return { platform: process.platform, arch: process.arch, ...(armVersion ? { armVersion } : {}), endianness: os.endianness() };
}

const GO_ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
  mips64el: 'mips64le',
  ppc: 'ppc',
};

/**
 * The platform of images this host runs by default, in Go's names. The OS is
 * `linux` on macOS and Windows too: Docker Desktop runs Linux containers in a
 * VM there, and Windows containers are asked for explicitly.
 */
export function hostPlatform(host: HostInfo = currentHost()): Platform {
  const osName = host.platform === 'freebsd' ? 'freebsd' : 'linux';
  let architecture = GO_ARCH[host.arch] ?? host.arch;
  if (host.arch === 'ppc64') architecture = host.endianness === 'BE' ? 'ppc64' : 'ppc64le';
  let variant: string | undefined;
  if (architecture === 'arm') variant = `v${host.armVersion ?? '7'}`;
  return normalizePlatform({ os: osName, architecture, ...(variant ? { variant } : {}) });
}

/** Docker's buildx attaches provenance/SBOM attestations as `unknown/unknown` index entries. */
export function isAttestation(d: Descriptor): boolean {
  return d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown');
}

/** How well `candidate` serves `wanted`: 0 = not at all, higher is better. */
export function platformScore(wanted: Platform, candidate: Platform): number {
  const w = normalizePlatform(wanted);
  const c = normalizePlatform(candidate);
  if (w.os !== c.os || w.architecture !== c.architecture) return 0;
  if (w.variant === c.variant) return 100;
  if (w.architecture === 'arm' && w.variant && c.variant) {
    // An ARMv7 host runs v6 and v5 code: prefer the newest variant that runs.
    const wv = Number(w.variant.slice(1));
    const cv = Number(c.variant.slice(1));
    return cv < wv ? 50 + cv : 0;
  }
  if (w.variant && !c.variant) return 50; // the baseline build runs on any variant
  if (!w.variant && c.variant) return 10; // a variant the host may or may not support: last resort
  return 0;
}

function isImageEntry(d: Descriptor): boolean {
  return (d.mediaType === '' || isManifestMediaType(d.mediaType) || isIndexMediaType(d.mediaType)) && !isAttestation(d);
}

/** The platforms an index offers, formatted for messages. */
export function indexPlatforms(index: ImageIndex): string[] {
  return index.manifests.filter(isImageEntry).map((d) => (d.platform ? formatPlatform(d.platform) : `(no platform) ${d.digest}`));
}

/**
 * Chooses the index entry for `wanted`. Entries without a platform are only
 * chosen when the index has a single image entry.
 */
export function selectPlatform(index: ImageIndex, wanted: Platform, where: ErrorWhere = {}): Descriptor {
  const entries = index.manifests.filter(isImageEntry);
  if (entries.length === 0) throw new StrataError('not-found', 'the image index lists no image manifests', where);
  let best: Descriptor | undefined;
  let bestScore = 0;
  for (const d of entries) {
    if (!d.platform) continue;
    const score = platformScore(wanted, d.platform);
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  if (best) return best;
  if (entries.length === 1 && !entries[0]?.platform) return entries[0] as Descriptor;
  throw new StrataError(
    'not-found',
    `no manifest for platform ${formatPlatform(normalizePlatform(wanted))} in the image index; it has: ${indexPlatforms(index).join(', ')} (choose one with --platform)`,
    where,
  );
}

/**
 * `selectPlatform` with the default-platform fallback: when the user named no
 * platform and the index has nothing for this host, an image built only for
 * linux/amd64 is still scanned (with a warning), as most scanners do.
 */
export function choosePlatform(
  index: ImageIndex,
  explicit: Platform | undefined,
  where: ErrorWhere,
  warn: (message: string) => void,
  host: Platform = hostPlatform(),
): Descriptor {
  const wanted = explicit ?? host;
  try {
    return selectPlatform(index, wanted, where);
  } catch (e) {
    if (explicit || !(e instanceof StrataError) || e.code !== 'not-found') throw e;
    const chosen = selectPlatform(index, { os: 'linux', architecture: 'amd64' }, where);
    warn(`${where.image ?? 'the image'} has no ${formatPlatform(wanted)} image; using linux/amd64 (choose with --platform)`);
    return chosen;
  }
}

/** A single-platform image asked for with another explicit platform is an error, as in Docker. */
export function assertPlatform(actual: Platform | undefined, wanted: Platform, where: ErrorWhere): void {
  if (actual && platformScore(wanted, actual) === 0) {
    throw new StrataError('not-found', `the image is ${formatPlatform(actual)}, not the requested ${formatPlatform(wanted)}`, where);
  }
}

export function explicitPlatform(p: Platform | string | undefined): Platform | undefined {
  if (p === undefined) return undefined;
  return typeof p === 'string' ? parsePlatform(p) : normalizePlatform(p);
}
