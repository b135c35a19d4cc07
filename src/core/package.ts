/**
 * What the inventory stage hands to matching and reports: the distribution
 * and the packages, each with where it was found and which layer brought it.
 */

/** The distribution ("namespace" in Clair's words), named with OSV ecosystem names. */
export interface Distro {
  /** os-release ID, lower case: `debian`, `ubuntu`, `alpine`, `wolfi`, `rhel`, `rocky`, `almalinux`, `amzn`, … */
  family: string;
  /** VERSION_ID, or the release file's version: `12`, `3.20.3`, `9.3`, `2023`. */
  version: string;
  /** OSV ecosystem: `Debian:12`, `Alpine:v3.20`, `Rocky Linux:9`, `Ubuntu:24.04`, … */
  ecosystem: string;
  /** PRETTY_NAME or the release file's line. */
  name?: string;
  /** VERSION_CODENAME: `bookworm`, `noble`. */
  codename?: string;
  /** A derivative that keeps its base's packages and feed: `distroless` (Google's Debian-based images). */
  variant?: string;
  /** The file the answer came from. */
  evidence?: string;
}

export type PackageKind = 'os' | 'lang';

export interface Package {
  name: string;
  /** Version as the ecosystem writes it; OS packages keep their epoch (`1:2.3-4`). */
  version: string;
  /** OSV ecosystem name: `Debian:12`, `Alpine:v3.20`, `npm`, `PyPI`, `Go`, `Maven`, `crates.io`, `RubyGems`, `Packagist`, `NuGet`. */
  ecosystem: string;
  kind: PackageKind;
  /** Package URL (https://github.com/package-url/purl-spec), with `distro=` for OS packages. */
  purl: string;
  /** CPE 2.3 name, only where it can be derived from the ecosystem's own metadata. */
  cpe?: string;
  /** The package advisories are written against: Debian source package, apk origin, source RPM. */
  source?: { name: string; version: string };
  arch?: string;
  /** diffID of the layer that introduced the package (OS packages: the first layer whose DB lists it at this version). */
  layer?: string;
  /** Where the package was found in the image (its database, manifest, binary or archive). */
  paths: string[];
  /** Id of the scanner that found it (`dpkg`, `npm`, `go-binary`, …). */
  foundBy: string;
  licenses?: string[];
  /** Set when the files of this language package belong to an OS package. */
  ownedBy?: { name: string; ecosystem: string };
  /** Files an OS package installs (used to attribute language packages; not in reports). */
  files?: string[];
  /** Ecosystem-specific facts worth keeping: rpm epoch/release/modularity label, npm dev, Go main module, … */
  metadata?: Record<string, string | number | boolean>;
}

export interface Skipped {
  /** What was not read: a file in a layer, a feed record, a whole layer. */
  path?: string;
  layer?: string;
  scanner?: string;
  reason: string;
  /**
   * A whole file (or a scanner's whole output) is missing from the
   * inventory, not only some of its records: the package list is known to be
   * incomplete, and an `--exit-code` gate does not pass on it.
   */
  incomplete?: boolean;
}

export interface Inventory {
  distro?: Distro;
  packages: Package[];
  skipped: Skipped[];
}
