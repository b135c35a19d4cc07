/**
 * The plug-in interface of the database stage: one Source per feed format.
 * A Source recognises its feed (by name and first bytes), then reads it as a
 * stream of normalised records. It never throws for one bad record: it calls
 * `ctx.skip(reason, where)` and goes on; it throws (a StrataError) only when
 * the feed as a whole cannot be read, which fails the build.
 */
import type { Advisory, CpeMatchRule, VulnInfo } from '../core/advisory.js';
import type { Logger } from '../core/log.js';
import type { Resource } from './io/resource.js';

/** What a Source yields. Everything is keyed by the feed that produced it. */
export type FeedRecord =
  /** One advisory for one (ecosystem, package). */
  | { kind: 'advisory'; advisory: Advisory }
  /** Facts about a vulnerability id; parts from several feeds are merged on read. */
  | { kind: 'vuln'; info: VulnInfo }
  /**
   * `alias`: the ids name the same vulnerability (OSV `aliases`), merged into one
   * group. `fixes`: an advisory (DSA, DLA, USN) fixes the CVE; not merged, one-to-many.
   */
  | { kind: 'alias'; id: string; alias: string; relation: 'alias' | 'fixes' }
  | { kind: 'cpe'; vendor: string; product: string; rule: CpeMatchRule }
  /** The feed covers this ecosystem even if it holds no advisory for it. */
  | { kind: 'ecosystem'; ecosystem: string };

/** Where a skipped record was: file (or URL), line, record id. */
export interface SkipWhere {
  file?: string;
  line?: number;
  record?: string;
}

export interface ReadContext {
  logger: Logger;
  signal?: AbortSignal;
  /** Counts a record that was not taken, with why and where. */
  skip(this: void, reason: string, where?: SkipWhere): void;
}

/** A recognised feed: which source reads it, and from where. */
export interface FeedInput {
  source: Source;
  /** As the user gave it (path or URL) or as the live list names it. */
  input: string;
  /** The file(s) to read, local after download. */
  resources: Resource[];
}

/** What recognition gets to look at: a name and the first bytes, decompressed. */
export interface Candidate {
  /** File name or last URL path segment. */
  name: string;
  /** Full path or URL. */
  location: string;
  /** Up to 64 KiB from the start of the (decompressed) content, as text. */
  head: string;
  /** The raw file starts like a zip archive. */
  isZip: boolean;
  /** For zips: the first JSON entry's text, when there is one. */
  firstZipEntry?: string;
}

export interface Source {
  /** `osv`, `debian-dsa`, `debian-cve-list`, `debian-oval`, `alpine-secdb`, `nvd`, `kev`, `epss`, … */
  readonly id: string;
  /** One line for `db status` and errors. */
  readonly description: string;
  /**
   * Bump when what read() produces for the same input changes, so an
   * incremental build re-reads instead of copying rows made by older code.
   */
  readonly version: number;
  recognise(candidate: Candidate): boolean;
  /**
   * The id recorded for one input, when it depends on the content:
   * OSV zips are `osv-go`, `osv-pypi`, … Defaults to `id`.
   */
  feedId?(candidate: Candidate): string;
  read(resources: Resource[], ctx: ReadContext): AsyncIterable<FeedRecord>;
}
