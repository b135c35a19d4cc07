/**
 * Package URLs (https://github.com/package-url/purl-spec) for every package
 * Strata reports, built with packageurl-js so encoding follows the spec.
 */
import type * as Purl from 'packageurl-js';
import { osPurlTypeOf } from '../core/distros.js';
import type { OsPackageType } from '../core/ecosystem.js';
import type { Distro } from '../core/package.js';
import { lazyRequire } from '../util/lazy-require.js';

/**
 * Loaded with the first purl built: packageurl-js makes an Intl.Collator when
 * it loads (ICU data: 20–180 ms here), which a scan whose inventory comes
 * from the cache never needs.
 */
const packageUrl = lazyRequire<typeof Purl>('packageurl-js');

export interface PurlParts {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  qualifiers?: Record<string, string | undefined>;
  subpath?: string;
}

export function purl(parts: PurlParts): string {
  const qualifiers: Record<string, string> = {};
  for (const [k, v] of Object.entries(parts.qualifiers ?? {})) {
    if (v !== undefined && v !== '') qualifiers[k] = v;
  }
  return new (packageUrl().PackageURL)(
    parts.type,
    parts.namespace || undefined,
    parts.name,
    parts.version || undefined,
    Object.keys(qualifiers).length ? qualifiers : undefined,
    parts.subpath || undefined,
  ).toString();
}

export interface OsPurlInput {
  /** The package manager's purl type when no distro is known: `deb`, `apk`, `rpm`. */
  type: OsPackageType;
  name: string;
  version: string;
  arch?: string;
  epoch?: number;
  /** Source package (`upstream=` qualifier, when it differs from the name). */
  upstream?: string;
}

/** A purl for an OS package, with `arch`, `distro` (`debian-12`) and `epoch` qualifiers. */
export function osPurl(distro: Distro | undefined, input: OsPurlInput): string {
  // purl type and namespace per distro family, as Trivy and Syft write them (the family's descriptor).
  const known = distro ? osPurlTypeOf(distro.family) : undefined;
  const type = known?.type === input.type ? known.type : input.type;
  const namespace = known?.type === input.type ? known.namespace : distro?.family;
  // rpm purls carry the epoch as a qualifier and the version without it.
  let version = input.version;
  let epoch: string | undefined;
  if (type === 'rpm' && input.epoch !== undefined && input.epoch > 0) epoch = String(input.epoch);
  if (type === 'rpm') version = version.replace(/^\d+:/, '');
  return purl({
    type,
    namespace,
    name: input.name,
    version,
    qualifiers: {
      arch: input.arch,
      distro: distro ? `${distro.family}-${distro.version}` : undefined,
      epoch,
      upstream: input.upstream && input.upstream !== input.name ? input.upstream : undefined,
    },
  });
}
