/**
 * `--from` values → feeds to read. A value is a file, a folder, a URL, or
 * `ID=PATH|URL` to name the feed explicitly (`debian-oval=./bookworm.xml.bz2`).
 * Files are recognised by name and first bytes (sources/*.ts `recognise`);
 * a folder yields every feed in it, recursively. A folder named
 * `tracker-excerpts-vuls` (vuls-data-update's per-entry JSON, a test format,
 * not something Debian publishes) is left out with a note, and so are files
 * no source recognises (README, SOURCES.md, JSON schemas).
 * URLs are downloaded into `tempDir` with the previous build's validators:
 * a 304 marks the feed unchanged.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { StrataError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { readHead, sniffCompression } from './io/decompress.js';
import { download, type Validators } from './io/fetch.js';
import { localResource, type Resource } from './io/resource.js';
import { firstZipEntry } from './io/zip.js';
import type { Candidate, Source } from './source.js';
import { SOURCES, sourceById } from './sources/index.js';
import { appendAll } from '../util/arrays.js';
import { checkRegularFileSync } from '../util/regular-file.js';

export interface ResolvedFeed {
  source: Source;
  /** Id recorded for the feed (`osv-go`, `debian-dsa`, …). */
  feedId: string;
  /** The path or URL as given (the key for incremental builds). */
  input: string;
  resources: Resource[];
  /** The server answered 304 Not Modified: copy the previous rows. */
  notModified?: boolean;
}

export interface PreviousFeed {
  source: string;
  /** `<source id>@<version>` of the code that read it. */
  reader?: string;
  input: string;
  hash?: string;
  etag?: string;
  lastModified?: string;
}

export interface ResolveOptions {
  tempDir: string;
  logger: Logger;
  signal?: AbortSignal;
  /** Previous build's feeds by input, for conditional downloads. */
  previous?: ReadonlyMap<string, PreviousFeed>;
  /** Inputs whose absence (HTTP 404) is normal, e.g. a branch without a community repository. */
  optional?: ReadonlySet<string>;
}

const SKIPPED_FOLDERS = new Set(['tracker-excerpts-vuls']);
const IGNORED_FILE = /(?:^\.|\.(?:md|txt|sh|sha256|asc|sig|html)$|_schema\.json$)/i;

export function isUrl(s: string): boolean {
  return /^https?:\/\//i.test(s);
}

/** Splits `id=location`; a value whose prefix is not a known source id is a plain location. */
export function parseFromSpec(spec: string): { id?: string; location: string } {
  const eq = spec.indexOf('=');
  if (eq > 0 && !isUrl(spec.slice(0, eq))) {
    const id = spec.slice(0, eq);
    if (/^[a-z][a-z0-9.-]*$/.test(id)) {
      if (!sourceById(id)) {
        throw new StrataError('usage', `unknown feed id ${JSON.stringify(id)} in --from ${spec} (known: ${SOURCES.map((s) => s.id).join(', ')}, osv-<ecosystem>)`);
      }
      return { id, location: spec.slice(eq + 1) };
    }
  }
  return { location: spec };
}

async function candidateOf(file: string, location: string, name: string): Promise<Candidate> {
  const isZip = (await sniffCompression(file)) === 'none' && (await readHead(file, 4)).startsWith('PK');
  const c: Candidate = { name, location, head: isZip ? '' : await readHead(file), isZip };
  if (isZip) {
    const first = await firstZipEntry(file, (n) => n.endsWith('.json'));
    if (first !== undefined) c.firstZipEntry = first;
  }
  return c;
}

function recognise(c: Candidate): Source | undefined {
  return SOURCES.find((s) => s.recognise(c));
}

async function walk(dir: string, logger: Logger): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (SKIPPED_FOLDERS.has(e.name)) {
        logger.info(`note: skipping ${p}: vuls-data-update JSON excerpts are not a feed publishers distribute`);
        continue;
      }
      appendAll(out, await walk(p, logger));
    } else if (e.isFile() && !IGNORED_FILE.test(e.name)) out.push(p);
  }
  return out;
}

function urlName(url: string): string {
  const u = new URL(url);
  const parts = u.pathname.split('/').filter(Boolean);
  return decodeURIComponent(parts[parts.length - 1] ?? u.hostname);
}

let downloads = 0;

/** An explicit `osv-go=` keeps its id; plain `osv=` and recognised feeds take the source's id for the content. */
function feedIdOf(id: string | undefined, source: Source, c: Candidate): string {
  if (id && id !== 'osv') return id;
  return source.feedId?.(c) ?? source.id;
}

export async function resolveFeeds(specs: readonly string[], opts: ResolveOptions): Promise<ResolvedFeed[]> {
  const out: ResolvedFeed[] = [];
  for (const spec of specs) {
    opts.signal?.throwIfAborted();
    const { id, location } = parseFromSpec(spec);
    const explicit = id ? sourceById(id) : undefined;
    if (isUrl(location)) {
      let prev = opts.previous?.get(location);
      // Conditional GET only when the rows can be reused: same reader code as last time.
      const prevSource = prev ? (explicit ?? sourceById(prev.source)) : undefined;
      if (prev && (!prevSource || prev.reader !== `${prevSource.id}@${prevSource.version}`)) prev = undefined;
      const validators: Validators = {};
      if (prev?.etag) validators.etag = prev.etag;
      if (prev?.lastModified) validators.lastModified = prev.lastModified;
      const file = path.join(opts.tempDir, `${++downloads}-${urlName(location).replace(/[^A-Za-z0-9._-]/g, '_')}`);
      opts.logger.info(`downloading ${location}`);
      const r = await download(location, file, { previous: validators, logger: opts.logger, allowNotFound: opts.optional?.has(spec) ?? false, ...(opts.signal ? { signal: opts.signal } : {}) });
      if (r.status === 'not-found') {
        opts.logger.info(`note: ${location} not found (optional feed), skipped`);
        continue;
      }
      if (r.status === 'not-modified') {
        const source = explicit ?? (prev ? sourceById(prev.source) : undefined);
        if (!source || !prev) throw new StrataError('internal', `${location}: 304 without a previous feed`);
        out.push({ source, feedId: prev.source, input: location, resources: [], notModified: true });
        continue;
      }
      const resource: Resource = { name: urlName(location), path: r.path, location, sha256: r.sha256, ...(r.etag ? { etag: r.etag } : {}), ...(r.lastModified ? { lastModified: r.lastModified } : {}) };
      const c = await candidateOf(r.path, location, resource.name);
      const source = explicit ?? recognise(c);
      if (!source) throw new StrataError('unsupported', `${location}: not a feed Strata recognises; name it with --from ID=${location} (ids: ${SOURCES.map((s) => s.id).join(', ')})`);
      out.push({ source, feedId: feedIdOf(id, source, c), input: location, resources: [resource] });
      continue;
    }
    const abs = path.resolve(location);
    let st;
    try {
      st = await stat(abs);
    } catch {
      throw new StrataError('not-found', `--from ${spec}: no such file, folder or URL`, { path: abs });
    }
    // A FIFO or a device would block or never end: only folders and regular files are read.
    if (!st.isDirectory()) checkRegularFileSync(abs, { what: `--from ${spec}:`, hint: 'give a feed file, a folder of feeds or a URL' });
    const files = st.isDirectory() ? await walk(abs, opts.logger) : [abs];
    let found = 0;
    for (const file of files) {
      const c = await candidateOf(file, file, path.basename(file));
      const source = explicit ?? recognise(c);
      if (!source) {
        if (st.isDirectory()) {
          opts.logger.debug(`not a feed, skipped: ${file}`);
          continue;
        }
        throw new StrataError('unsupported', `not a feed Strata recognises; name it with --from ID=${file} (ids: ${SOURCES.map((s) => s.id).join(', ')})`, { path: file });
      }
      out.push({ source, feedId: feedIdOf(id, source, c), input: file, resources: [await localResource(file)] });
      found++;
    }
    if (found === 0) throw new StrataError('not-found', `--from ${spec}: no feed found in this folder`, { path: abs });
  }
  return out;
}
