/**
 * The versioning plug-in interface: one scheme per ecosystem
 * (src/versioning/<scheme>.ts, registered in src/versioning/index.ts).
 */

export type Ordering = -1 | 0 | 1;

export interface VersionScheme {
  /** `dpkg`, `rpm`, `apk`, `semver`, `pep440`, `maven`, `golang`, `gem`, `nuget`, `cargo`, `composer`. */
  readonly id: string;
  /** Orders two versions exactly as the ecosystem's own tool does. Throws on an invalid version. */
  compare(a: string, b: string): Ordering;
  isValid(v: string): boolean;
}

/** Why a version is (or is not) inside an advisory's ranges: findings quote it. */
export interface RangeMatch {
  affected: boolean;
  /** The range (index into Advisory.ranges) and the events that decided it. */
  rangeIndex?: number;
  introduced?: string;
  fixed?: string;
  lastAffected?: string;
  limit?: string;
  /** Matched through the explicit `versions` list. */
  listed?: boolean;
  /** Human-readable: `1.2.0 >= introduced 1.0.0 and < fixed 1.2.3`. */
  reason: string;
  /** Ranges that could not be evaluated (GIT ranges, invalid versions), with why. */
  skipped?: string[];
}
