/**
 * Decodes an rpm header blob as the rpmdb stores it (rpm's lib/header.c
 * "on-disk" form, no lead or magic): big-endian index count and data length,
 * 16-byte index entries (tag, type, offset, count), then the data store.
 * Only the tags Strata reports are decoded; every offset and count is
 * checked against the blob, so a garbled header throws RpmHeaderError and
 * never reads outside it or loops without bound.
 */

export class RpmHeaderError extends Error {
  override readonly name = 'RpmHeaderError';
}

/** What Strata keeps of an installed rpm. Plain JSON (it is cached per layer). */
export interface RpmRecord {
  name: string;
  /** Present when the header has an EPOCH tag. */
  epoch?: number;
  version: string;
  release: string;
  arch?: string;
  /** `name-version-release.src.rpm`. */
  sourceRpm?: string;
  license?: string;
  vendor?: string;
  modularityLabel?: string;
  /** Installed size in bytes. */
  size?: number;
  /** Owned paths without the leading `/`, directories left out. */
  files?: string[];
}

const TYPE_INT16 = 3;
const TYPE_INT32 = 4;
const TYPE_INT64 = 5;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;

const TAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  FILEMODES: 1030,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  LONGSIZE: 5009,
  MODULARITYLABEL: 5096,
} as const;

const WANTED = new Set<number>(Object.values(TAG));

/** rpm's own limits (hdrchkTags / hdrchkData in lib/header.c). */
const MAX_INDEX_ENTRIES = 0xffff;
const MAX_DATA_LENGTH = 0x0fffffff;

interface Entry {
  type: number;
  offset: number;
  count: number;
}

class HeaderReader {
  readonly entries = new Map<number, Entry>();
  readonly dataStart: number;
  readonly dataEnd: number;

  constructor(private readonly blob: Buffer) {
    if (blob.length < 8) throw new RpmHeaderError(`header blob too short (${blob.length} bytes)`);
    const il = blob.readUInt32BE(0);
    const dl = blob.readUInt32BE(4);
    if (il === 0 || il > MAX_INDEX_ENTRIES) throw new RpmHeaderError(`bad index entry count ${il}`);
    if (dl > MAX_DATA_LENGTH) throw new RpmHeaderError(`bad data length ${dl}`);
    this.dataStart = 8 + il * 16;
    this.dataEnd = this.dataStart + dl;
    if (this.dataEnd > blob.length) {
      throw new RpmHeaderError(`header claims ${this.dataEnd} bytes but the blob has ${blob.length}`);
    }
    for (let i = 0; i < il; i++) {
      const at = 8 + i * 16;
      const tag = blob.readInt32BE(at);
      if (!WANTED.has(tag)) continue;
      // A later entry for the same tag (rpm's "dribble" entries after the immutable region) wins.
      this.entries.set(tag, { type: blob.readUInt32BE(at + 4), offset: blob.readInt32BE(at + 8), count: blob.readUInt32BE(at + 12) });
    }
  }

  private start(tag: number, e: Entry): number {
    if (e.offset < 0 || this.dataStart + e.offset >= this.dataEnd) throw new RpmHeaderError(`tag ${tag}: offset ${e.offset} outside the data store`);
    return this.dataStart + e.offset;
  }

  private cString(tag: number, at: number): { value: string; next: number } {
    const nul = this.blob.indexOf(0, at);
    if (nul < 0 || nul >= this.dataEnd) throw new RpmHeaderError(`tag ${tag}: unterminated string`);
    return { value: this.blob.toString('utf8', at, nul), next: nul + 1 };
  }

  string(tag: number): string | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    if (e.type === TYPE_STRING || e.type === TYPE_I18NSTRING || (e.type === TYPE_STRING_ARRAY && e.count >= 1)) {
      // I18N strings hold one string per locale; the first is the untranslated one.
      return this.cString(tag, this.start(tag, e)).value;
    }
    throw new RpmHeaderError(`tag ${tag}: expected a string, found type ${e.type}`);
  }

  strings(tag: number): string[] | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    if (e.type !== TYPE_STRING_ARRAY && e.type !== TYPE_I18NSTRING) throw new RpmHeaderError(`tag ${tag}: expected a string array, found type ${e.type}`);
    // Every string takes at least its NUL byte: a count beyond that is a lie.
    let at = this.start(tag, e);
    if (e.count > this.dataEnd - at) throw new RpmHeaderError(`tag ${tag}: ${e.count} strings cannot fit`);
    const out = new Array<string>(e.count);
    for (let i = 0; i < e.count; i++) {
      const s = this.cString(tag, at);
      out[i] = s.value;
      at = s.next;
    }
    return out;
  }

  private fixed(tag: number, e: Entry, width: number): number {
    const at = this.start(tag, e);
    if (e.count === 0 || e.count > (this.dataEnd - at) / width) throw new RpmHeaderError(`tag ${tag}: ${e.count} values of ${width} bytes cannot fit`);
    return at;
  }

  int(tag: number): number | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    switch (e.type) {
      case TYPE_INT32:
        return this.blob.readUInt32BE(this.fixed(tag, e, 4));
      case TYPE_INT16:
        return this.blob.readUInt16BE(this.fixed(tag, e, 2));
      case TYPE_INT64:
        return Number(this.blob.readBigUInt64BE(this.fixed(tag, e, 8)));
      default:
        throw new RpmHeaderError(`tag ${tag}: expected an integer, found type ${e.type}`);
    }
  }

  ints(tag: number): Uint32Array | Uint16Array | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    if (e.type === TYPE_INT32) {
      const at = this.fixed(tag, e, 4);
      const out = new Uint32Array(e.count);
      for (let i = 0; i < e.count; i++) out[i] = this.blob.readUInt32BE(at + 4 * i);
      return out;
    }
    if (e.type === TYPE_INT16) {
      const at = this.fixed(tag, e, 2);
      const out = new Uint16Array(e.count);
      for (let i = 0; i < e.count; i++) out[i] = this.blob.readUInt16BE(at + 2 * i);
      return out;
    }
    throw new RpmHeaderError(`tag ${tag}: expected an integer array, found type ${e.type}`);
  }
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

/** Owned files: DIRNAMES[DIRINDEXES[i]] + BASENAMES[i] (rpm ≥ 4), or OLDFILENAMES (rpm 3). */
function ownedFiles(h: HeaderReader): string[] | undefined {
  const basenames = h.strings(TAG.BASENAMES);
  let paths: string[];
  if (basenames) {
    const dirnames = h.strings(TAG.DIRNAMES) ?? [];
    const dirindexes = h.ints(TAG.DIRINDEXES);
    if (!dirindexes || dirindexes.length !== basenames.length) throw new RpmHeaderError('file list: DIRINDEXES does not match BASENAMES');
    paths = new Array<string>(basenames.length);
    for (let i = 0; i < basenames.length; i++) {
      const dir = dirnames[dirindexes[i] as number];
      if (dir === undefined) throw new RpmHeaderError(`file list: directory index ${dirindexes[i]} out of range`);
      paths[i] = dir + (basenames[i] as string);
    }
  } else {
    const old = h.strings(TAG.OLDFILENAMES);
    if (!old) return undefined;
    paths = old;
  }
  const modes = h.ints(TAG.FILEMODES);
  const out: string[] = [];
  for (let i = 0; i < paths.length; i++) {
    const mode = modes && modes.length === paths.length ? (modes[i] as number) : 0;
    if ((mode & S_IFMT) === S_IFDIR) continue;
    const p = paths[i] as string;
    let s = 0;
    while (s < p.length && p.charCodeAt(s) === 47) s++;
    if (s < p.length) out.push(s === 0 ? p : p.slice(s));
  }
  return out;
}

/** rpm prints absent values as "(none)"; some tools stored that text. */
function present(v: string | undefined): string | undefined {
  return v === undefined || v === '' || v === '(none)' ? undefined : v;
}

export interface DecodeOptions {
  /** Owned files are the bulk of a header; skip them when not needed. */
  files?: boolean;
  /** Told about a damaged file list; the package is kept without its files. */
  warn?: (reason: string) => void;
}

/** Decodes one header blob. Throws RpmHeaderError when the blob is not a readable header. */
export function decodeRpmHeader(blob: Buffer, options: DecodeOptions = {}): RpmRecord {
  const h = new HeaderReader(blob);
  const name = present(h.string(TAG.NAME));
  const version = present(h.string(TAG.VERSION));
  if (!name) throw new RpmHeaderError('header has no NAME');
  if (!version) throw new RpmHeaderError(`header of "${name}" has no VERSION`);
  const record: RpmRecord = { name, version, release: h.string(TAG.RELEASE) ?? '' };
  const epoch = h.int(TAG.EPOCH);
  if (epoch !== undefined) record.epoch = epoch;
  const arch = present(h.string(TAG.ARCH));
  if (arch) record.arch = arch;
  const sourceRpm = present(h.string(TAG.SOURCERPM));
  if (sourceRpm) record.sourceRpm = sourceRpm;
  const license = present(h.string(TAG.LICENSE));
  if (license) record.license = license;
  const vendor = present(h.string(TAG.VENDOR));
  if (vendor) record.vendor = vendor;
  const modularityLabel = present(h.string(TAG.MODULARITYLABEL));
  if (modularityLabel) record.modularityLabel = modularityLabel;
  const size = h.int(TAG.LONGSIZE) ?? h.int(TAG.SIZE);
  if (size !== undefined) record.size = size;
  if (options.files !== false) {
    try {
      const files = ownedFiles(h);
      if (files?.length) record.files = files;
    } catch (e) {
      if (!(e instanceof RpmHeaderError)) throw e;
      options.warn?.(`"${name}": ${e.message}; its owned files are left out`);
    }
  }
  return record;
}

/** `openssl-1.1.1k-7.el8_6.src.rpm` → name `openssl`, version `1.1.1k`, release `7.el8_6`. */
export function parseSourceRpm(sourceRpm: string): { name: string; version: string; release: string } | undefined {
  let base = sourceRpm;
  for (const suffix of ['.src.rpm', '.nosrc.rpm']) {
    if (base.endsWith(suffix)) {
      base = base.slice(0, -suffix.length);
      break;
    }
  }
  const r = base.lastIndexOf('-');
  if (r <= 0) return undefined;
  const v = base.lastIndexOf('-', r - 1);
  if (v <= 0) return undefined;
  const name = base.slice(0, v);
  const version = base.slice(v + 1, r);
  const release = base.slice(r + 1);
  if (!name || !version || !release) return undefined;
  return { name, version, release };
}
