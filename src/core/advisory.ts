/**
 * What the database stage (src/vulndb/) stores and hands to matching: one
 * normalised advisory shape (OSV vocabulary) per (record, ecosystem, package),
 * and per-vulnerability facts that are not tied to a package (NVD, KEV, EPSS).
 */

/**
 * Status of a package with respect to a vulnerability. The words are Trivy's
 * (they are what `--ignore-status` takes): `affected` = no fix yet,
 * `will_not_fix` = the distro decided not to fix (Debian `<no-dsa>`, `<ignored>`),
 * `fix_deferred` = postponed, `end_of_life` = the release or package is no longer supported.
 */
export type VulnStatus =
  | 'fixed'
  | 'affected'
  | 'will_not_fix'
  | 'fix_deferred'
  | 'end_of_life'
  | 'not_affected'
  | 'under_investigation';

export const VULN_STATUSES: readonly VulnStatus[] = [
  'fixed',
  'affected',
  'will_not_fix',
  'fix_deferred',
  'end_of_life',
  'not_affected',
  'under_investigation',
];

export type SeverityLevel = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN';

export const SEVERITY_LEVELS: readonly SeverityLevel[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

/** OSV range event: exactly one key is set. */
export interface RangeEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

export interface AffectedRange {
  type: 'ECOSYSTEM' | 'SEMVER' | 'GIT';
  repo?: string;
  events: RangeEvent[];
}

export interface Severity {
  /** Who rated it: `nvd`, `ghsa`, `debian`, `alpine`, `ubuntu`, `osv`, … */
  source: string;
  type: 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' | 'rating';
  vector?: string;
  score?: number;
  /** A distro's own rating (`type: 'rating'`), or the level derived from the score. */
  rating?: SeverityLevel;
  /** The distro's word as published (`unimportant`, `medium**`, `Negligible`). */
  label?: string;
}

export interface Advisory {
  /** The record's id in its source: `DSA-5380-1`, `CVE-2023-1234`, `GHSA-…`, `GO-2023-1234`, `PYSEC-…`. */
  id: string;
  /** Source id that produced it: `osv-go`, `debian-tracker`, `debian-oval`, `alpine-secdb`, … */
  source: string;
  aliases: string[];
  /** OSV ecosystem the ranges apply to: `Debian:12`, `Alpine:v3.20`, `PyPI`, `Go`. */
  ecosystem: string;
  /** Package name in that ecosystem (distros: the source package / origin). Normalised for PyPI. */
  package: string;
  ranges: AffectedRange[];
  /** Explicit affected versions (OSV `versions`). */
  versions?: string[];
  /** For distro records without ranges: the tracker state. `fixed` with a range otherwise. */
  status: VulnStatus;
  /** The source's own words for the state: `<no-dsa> (Minor issue)`, `<unfixed>`, `postponed`. */
  statusNote?: string;
  severity: Severity[];
  summary?: string;
  details?: string;
  references?: string[];
  published?: string;
  modified?: string;
  withdrawn?: string;
  cwes?: string[];
  /**
   * Set on records that are not vulnerabilities as such: crates.io
   * `database_specific.informational` (`unmaintained`, `unsound`, `notice`).
   * Matching leaves them out unless asked.
   */
  informational?: string;
  /**
   * Which kind of name `package` is. Unset means the ecosystem's usual one
   * (distros: the source package / apk origin). Ubuntu's USN OVAL names BINARY
   * packages, so its advisories carry `binary` and are looked up by binary name.
   */
  packageKind?: 'source' | 'binary';
  /**
   * Set when the record is not the release's own statement but inherited
   * from another suite (`unstable`: the Debian tracker's state in sid for a
   * release that has no line of its own). Matching ranks such records below
   * anything the release states itself.
   */
  inheritedFrom?: string;
}

export interface KevEntry {
  dateAdded: string;
  dueDate?: string;
  knownRansomwareCampaignUse?: string;
  vendorProject?: string;
  product?: string;
  name?: string;
}

export interface EpssScore {
  score: number;
  percentile: number;
  date?: string;
}

/** Facts about one vulnerability id (usually a CVE), independent of packages. */
export interface VulnInfo {
  id: string;
  aliases: string[];
  summary?: string;
  description?: string;
  severity: Severity[];
  cwes?: string[];
  published?: string;
  modified?: string;
  references?: string[];
  kev?: KevEntry;
  epss?: EpssScore;
  /** NVD `vulnStatus` is `Rejected` (or the tracker marks the CVE REJECTED). */
  rejected?: boolean;
}

/**
 * One NVD `configurations` CPE match (only `vulnerable: true` ones are stored),
 * for the optional CPE matching (`--cpe-match`).
 */
export interface CpeMatchRule {
  /** The CVE the configuration belongs to. */
  vulnerability: string;
  /** `cpe:2.3:a:vendor:product:version:…` as NVD writes it. */
  criteria: string;
  versionStartIncluding?: string;
  versionStartExcluding?: string;
  versionEndIncluding?: string;
  versionEndExcluding?: string;
  /**
   * The configuration ANDs this match with other conditions (typically
   * "running on" a platform CPE): true means the match alone is not proof.
   */
  conditional?: boolean;
}

export interface SourceMeta {
  id: string;
  /** Where it was read from: URL or path. */
  input: string;
  /** ETag, Last-Modified, catalog version or content hash of the input. */
  version?: string;
  hash?: string;
  records: number;
  skipped: number;
  fetchedAt?: string;
  /** The first few reasons records were skipped, each naming where (file, line or record id). */
  skipReasons?: string[];
}

export interface DbMetadata {
  schemaVersion: number;
  builtAt: string;
  path?: string;
  sources: SourceMeta[];
}

/**
 * An advisory as the store hands it to matching: with the vulnerability ids
 * it speaks for resolved when the database was built — its own CVE ids; for
 * a record that names none (a GHSA-only record, a DSA without CVEs), the CVEs
 * of its alias group or the CVEs it fixes; else its own id.
 */
export interface StoredAdvisory extends Advisory {
  vulnIds: readonly string[];
}

/** One package to look up: an ecosystem and a package name in it (the store normalises both). */
export interface PackageKey {
  ecosystem: string;
  name: string;
}

/** A vendor and product, lower case, as NVD CPE match rules are looked up. */
export interface CpeProduct {
  vendor: string;
  product: string;
}

export interface LookupRequest {
  packages: readonly PackageKey[];
  /** CPE products to fetch NVD match rules for (`--cpe-match`). */
  cpeProducts?: readonly CpeProduct[];
}

/**
 * What the store answered for one LookupRequest: everything matching needs
 * about those packages, so the matcher is a pure, synchronous function over
 * it. Asking for a key that was not in the request is a programming error.
 */
export interface AdvisorySnapshot {
  advisoriesFor(key: PackageKey): readonly StoredAdvisory[];
  cpeMatches(product: CpeProduct): readonly CpeMatchRule[];
  /** Whether any feed covers the ecosystem ("no advisories" vs "not checked"). */
  covers(ecosystem: string): boolean;
}

/**
 * The read side of the vulnerability database: SQLite (embedded), an
 * in-memory store (tests), PostgreSQL (servers that share state). Batched
 * and asynchronous, so a store across a network costs one round trip per
 * scan, not one per package.
 */
export interface VulnStore {
  /** The advisories of every package of an inventory at once (and CPE rules, when asked). */
  lookup(request: LookupRequest): Promise<AdvisorySnapshot>;
  /** NVD/KEV/EPSS facts (merged across feeds) for vulnerability ids; unknown ids are absent from the map. */
  vulnerabilities(ids: readonly string[]): Promise<ReadonlyMap<string, VulnInfo>>;
  metadata(): DbMetadata;
  close(): void;
}
