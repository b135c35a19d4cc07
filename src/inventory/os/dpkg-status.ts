/**
 * Readers for dpkg's database files: the status file (and distroless
 * `status.d/*` control stanzas), `info/*.list` and `*.md5sums` file lists.
 *
 * Written by hand on plain string scans: a status file is deb822 stanzas,
 * and only five single-line fields matter, so the parser never splits the
 * text into lines or allocates strings for fields it does not keep.
 */

export interface DpkgRecord {
  name: string;
  /** As dpkg writes it, epoch kept (`1:2.3-4`). */
  version: string;
  arch?: string;
  /** `Source:` name, when the field is present. */
  source?: string;
  /** `Source: name (version)`: the source version when it differs (binNMUs). */
  sourceVersion?: string;
}

/**
 * dpkg states whose package files are on disk. `config-files` (removed,
 * conffiles kept), `half-installed` (unpack failed or removal begun) and
 * `not-installed` are not installed packages.
 */
const PRESENT_STATES = new Set(['installed', 'unpacked', 'half-configured', 'triggers-awaited', 'triggers-pending']);

export interface StatusParseOptions {
  /**
   * The main status file requires a `Status:` field; distroless `status.d`
   * files are plain control stanzas with none, so a stanza without it counts
   * as installed there.
   */
  requireStatus: boolean;
  warn(reason: string): void;
}

const enum Field {
  None,
  Package,
  Version,
  Architecture,
  Source,
  Status,
}

/** Which kept field a line starts with (`Package:` …), or None. Field names are matched as dpkg writes them. */
function fieldAt(text: string, pos: number): Field {
  switch (text.charCodeAt(pos)) {
    case 80 /* P */:
      return text.startsWith('Package:', pos) ? Field.Package : Field.None;
    case 86 /* V */:
      return text.startsWith('Version:', pos) ? Field.Version : Field.None;
    case 65 /* A */:
      return text.startsWith('Architecture:', pos) ? Field.Architecture : Field.None;
    case 83 /* S */:
      if (text.startsWith('Source:', pos)) return Field.Source;
      return text.startsWith('Status:', pos) ? Field.Status : Field.None;
    default:
      return Field.None;
  }
}

const FIELD_LENGTH: Record<Field, number> = {
  [Field.None]: 0,
  [Field.Package]: 'Package:'.length,
  [Field.Version]: 'Version:'.length,
  [Field.Architecture]: 'Architecture:'.length,
  [Field.Source]: 'Source:'.length,
  [Field.Status]: 'Status:'.length,
};

interface Stanza {
  line: number;
  package?: string;
  version?: string;
  arch?: string;
  source?: string;
  status?: string;
  /** First line that is neither a field nor a continuation. */
  garbled?: number;
  fields: number;
}

function isBlank(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** Parses deb822 stanzas and returns the installed packages, in file order. */
export function parseDpkgStatus(text: string, options: StatusParseOptions): DpkgRecord[] {
  const out: DpkgRecord[] = [];
  let stanza: Stanza | undefined;
  let lineNo = 0;
  let pos = 0;
  const n = text.length;

  const finish = () => {
    if (stanza) {
      const record = checkStanza(stanza, options);
      if (record) out.push(record);
      stanza = undefined;
    }
  };

  while (pos <= n) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    lineNo++;
    const first = text.charCodeAt(pos);
    if (pos === end || isBlank(text, pos, end)) {
      finish();
    } else if (first === 32 || first === 9) {
      // Continuation of a multi-line field (Description, Conffiles, …): nothing kept.
      if (!stanza) stanza = { line: lineNo, fields: 0, garbled: lineNo };
    } else if (first === 35 /* # */) {
      // deb822 comment line
    } else {
      stanza ??= { line: lineNo, fields: 0 };
      const colon = text.indexOf(':', pos);
      if (colon < 0 || colon >= end || colon === pos) {
        stanza.garbled ??= lineNo;
      } else {
        stanza.fields++;
        const field = fieldAt(text, pos);
        if (field !== Field.None) {
          let value = text.slice(pos + FIELD_LENGTH[field], end).trim();
          if (value.length > 4096) value = value.slice(0, 4096);
          switch (field) {
            case Field.Package:
              stanza.package = value;
              break;
            case Field.Version:
              stanza.version = value;
              break;
            case Field.Architecture:
              stanza.arch = value;
              break;
            case Field.Source:
              stanza.source = value;
              break;
            case Field.Status:
              stanza.status = value;
              break;
          }
        }
      }
    }
    if (end >= n) break;
    pos = end + 1;
  }
  finish();
  return out;
}

function describe(s: Stanza): string {
  return s.package ? `stanza "${s.package}" at line ${s.line}` : `stanza at line ${s.line}`;
}

function checkStanza(s: Stanza, options: StatusParseOptions): DpkgRecord | undefined {
  if (s.garbled !== undefined) {
    options.warn(`${describe(s)}: malformed line ${s.garbled}; stanza skipped`);
    return undefined;
  }
  if (!s.package) {
    if (s.fields > 0) options.warn(`${describe(s)}: no package name; stanza skipped`);
    return undefined;
  }
  if (s.status !== undefined) {
    const parts = s.status.split(/\s+/);
    const state = parts[parts.length - 1] ?? '';
    if (parts.length !== 3) {
      options.warn(`${describe(s)}: malformed Status "${s.status}"; stanza skipped`);
      return undefined;
    }
    if (!PRESENT_STATES.has(state)) return undefined;
  } else if (options.requireStatus) {
    // dpkg's own status file lists only packages it knows a state for.
    options.warn(`${describe(s)}: no Status field; stanza skipped`);
    return undefined;
  }
  if (!s.version) {
    // status.d files also carry bare `Package:` stanzas naming dependencies: not packages.
    if (s.status !== undefined) options.warn(`${describe(s)}: installed but no Version; stanza skipped`);
    return undefined;
  }
  const record: DpkgRecord = { name: s.package, version: s.version };
  if (s.arch) record.arch = s.arch;
  if (s.source) {
    const open = s.source.indexOf('(');
    if (open < 0) {
      record.source = s.source;
    } else {
      record.source = s.source.slice(0, open).trim();
      const close = s.source.indexOf(')', open);
      const v = s.source.slice(open + 1, close < 0 ? undefined : close).trim();
      if (v && v !== s.version) record.sourceVersion = v;
    }
    if (record.source === '' || record.source === s.package) delete record.source;
  }
  return record;
}

/**
 * `info/<pkg>.list`: every path the package installed, absolute, directories
 * included, each directory listed before its contents. Returns the paths
 * without the leading `/`, leaving out the directories that are followed by
 * something inside them (empty directories cannot be told from files).
 */
export function parseDpkgList(text: string): string[] {
  const out: string[] = [];
  let prev: string | undefined;
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    let start = pos;
    while (start < end && text.charCodeAt(start) === 47 /* / */) start++;
    let stop = end;
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop--;
    pos = end + 1;
    if (stop <= start || (stop - start === 1 && text.charCodeAt(start) === 46 /* . */)) continue;
    const path = text.slice(start, stop);
    if (prev !== undefined && path.length > prev.length && path.charCodeAt(prev.length) === 47 && path.startsWith(prev)) {
      out.pop(); // prev was a directory
    }
    out.push(path);
    prev = path;
  }
  return out;
}

/** `<md5>  <path>` lines (paths relative to the root): the package's regular files. */
export function parseDpkgMd5sums(text: string): string[] {
  const out: string[] = [];
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    const space = text.indexOf(' ', pos);
    pos = end + 1;
    if (space < 0 || space >= end) continue;
    let start = space;
    while (start < end && (text.charCodeAt(start) === 32 || text.charCodeAt(start) === 42 /* * binary marker */)) start++;
    while (start < end && text.charCodeAt(start) === 47) start++;
    let stop = end;
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop--;
    if (stop > start) out.push(text.slice(start, stop));
  }
  return out;
}
