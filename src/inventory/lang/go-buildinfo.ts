/**
 * Decodes the build information the Go linker embeds in every executable
 * since Go 1.13: the toolchain version and, for module builds, the main
 * module, its dependencies (with `=>` replacements) and, since Go 1.18, the
 * build settings. Follows Go's own reader (src/debug/buildinfo/buildinfo.go
 * and runtime/debug.ParseBuildInfo): both the Go 1.18+ inline format and the
 * older format where the header holds pointers to Go strings.
 */
import { StrataError } from '../../core/errors.js';
import { type Executable, ExecutableFormatError, executableFormat, openExecutables, type Section } from '../formats/executable.js';

export interface GoModule {
  path: string;
  /** `v1.2.3`, a pseudo-version, or `(devel)` for a module built from its source tree. */
  version: string;
  /** `h1:` checksum from go.sum, when recorded. */
  sum?: string;
  /** The `=>` line: the module actually compiled in. A local directory replacement has no version. */
  replace?: { path: string; version?: string; sum?: string };
}

export interface GoBuildInfo {
  /** The container format the build info was read from. */
  format: 'elf' | 'macho' | 'pe';
  /** runtime.Version() of the toolchain: `go1.20.12`, `go1.21.0 X:loopvar`, `devel go1.22-…`. */
  goVersion: string;
  /** Import path of the main package (`path` line); absent for binaries without module info. */
  path?: string;
  /** The `mod` line: absent for GOPATH-mode builds. */
  main?: GoModule;
  deps: GoModule[];
  /** `build` lines in order (`-trimpath` → `true`, `GOOS` → `linux`, `vcs.revision` → …). */
  settings: Array<[string, string]>;
}

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER_SIZE = 32;
const ALIGN = 16;
/** Go reads the first 64 KiB of the data region looking for the header. */
const SEARCH_WINDOW = 64 * 1024;
/** Go objects cannot exceed 64 MiB; neither can a version or modinfo string. */
const MAX_STRING = 64 * 1024 * 1024;
/** modinfo framing: 16-byte sentinels around the text (cmd/go/internal/modload infoStart/infoEnd). */
const FRAME = 16;

/** True when the first bytes say ELF, Mach-O or PE: everything else is rejected without further reading. */
export function looksExecutable(buf: Buffer): boolean {
  return executableFormat(buf) !== undefined;
}

/**
 * Reads the Go build info of an executable. Returns undefined for files that
 * are not Go executables (or were built before Go 1.13); throws a StrataError
 * when the header is there but what it points to cannot be read.
 */
export function readGoBuildInfo(buf: Buffer): GoBuildInfo | undefined {
  const format = executableFormat(buf);
  if (format === undefined) return undefined;
  let executables: Executable[] = [];
  let headerProblem: string | undefined;
  try {
    executables = openExecutables(buf);
  } catch (e) {
    if (!(e instanceof ExecutableFormatError)) throw e;
    headerProblem = e.message;
  }
  for (const exe of executables) {
    const region = dataRegion(exe);
    if (!region) continue;
    const header = findHeader(region);
    if (header === undefined) continue;
    return decode(exe.format, region.subarray(header), exe);
  }
  // Headers unreadable, or no data region: an inline (Go 1.18+) header can
  // still be decoded without address translation, wherever it sits.
  if (headerProblem !== undefined || executables.length === 0) {
    const at = findHeader(buf, true);
    if (at !== undefined) {
      const fmt = format === 'macho-fat' ? 'macho' : format;
      if ((buf[at + 15] ?? 0) & 2) return decode(fmt, buf.subarray(at), undefined);
      throw corrupt(`Go build info found but the executable headers are unreadable (${headerProblem ?? 'no segments'})`);
    }
  }
  return undefined;
}

/** Where Go's linker puts the header (debug/buildinfo DataStart): a dedicated section, else the first writable data. */
function dataRegion(exe: Executable): Buffer | undefined {
  const window = (b: Buffer) => b.subarray(0, SEARCH_WINDOW);
  switch (exe.format) {
    case 'elf': {
      const s = exe.findSection('.go.buildinfo');
      if (s) return window(sectionBytes(exe, s));
      // Section table stripped or absent: the first writable, non-executable load segment starts with it.
      const seg = exe.segments.find((p) => p.writable && !p.executable && p.fileSize > 0);
      return seg ? exe.readAt(seg.addr, SEARCH_WINDOW) : undefined;
    }
    case 'macho': {
      const s = exe.findSection('__go_buildinfo');
      if (s) return window(sectionBytes(exe, s));
      const seg = exe.segments.find((p) => p.addr !== 0 && p.fileSize > 0 && p.rwOnly);
      return seg ? exe.readAt(seg.addr, SEARCH_WINDOW) : undefined;
    }
    case 'pe': {
      // First section that is initialised, readable, writable data and nothing else (alignment bits aside).
      const wanted = 0x40 | 0x40000000 | 0x80000000;
      const s = exe.sections.find((x) => x.size > 0 && (x.flags & ~0x00f00000) >>> 0 === wanted >>> 0);
      return s ? window(exe.sectionData(s)) : undefined;
    }
  }
}

/** A build info section's bytes; a section the file is too short to hold means a truncated binary. */
function sectionBytes(exe: Executable, s: Section): Buffer {
  const data = exe.sectionData(s);
  if (s.size > 0 && data.length === 0) throw corrupt(`${s.name} section (${s.size} bytes at offset ${s.offset}) lies outside the file`);
  return data;
}

/** Offset of a 16-byte-aligned header that has room for its 32 bytes (`anyAlignment` for whole-file fallback scans). */
function findHeader(data: Buffer, anyAlignment = false): number | undefined {
  let from = 0;
  for (let hits = 0; hits < 1024; hits++) {
    const i = data.indexOf(MAGIC, from);
    if (i < 0 || data.length - i < HEADER_SIZE) return undefined;
    if (anyAlignment || i % ALIGN === 0) return i;
    from = i + 1;
  }
  return undefined;
}

function decode(format: GoBuildInfo['format'], header: Buffer, exe: Executable | undefined): GoBuildInfo | undefined {
  const ptrSize = header[14] ?? 0;
  const flags = header[15] ?? 0;
  let version: string;
  let modinfo: string;
  if (flags & 2) {
    const [v, next] = inlineString(header, HEADER_SIZE);
    const [m] = inlineString(header, next);
    version = v;
    modinfo = m;
  } else {
    if (!exe) throw corrupt('Go build info uses the pointer format but the executable headers are unreadable');
    if (ptrSize !== 4 && ptrSize !== 8) throw corrupt(`Go build info header has pointer size ${ptrSize}`);
    const bigEndian = flags !== 0;
    const readPtr = (b: Buffer, at: number): number =>
      ptrSize === 4
        ? bigEndian
          ? b.readUInt32BE(at)
          : b.readUInt32LE(at)
        : safeNumber(bigEndian ? b.readBigUInt64BE(at) : b.readBigUInt64LE(at));
    version = pointedString(exe, ptrSize, readPtr, readPtr(header, 16));
    modinfo = pointedString(exe, ptrSize, readPtr, readPtr(header, 16 + ptrSize));
  }
  // Go itself treats a missing version as "not a Go executable".
  if (version === '') return undefined;
  // Strip the sentinels around module info; without them it is not module info.
  if (modinfo.length >= 2 * FRAME + 1 && modinfo[modinfo.length - FRAME - 1] === '\n') {
    modinfo = modinfo.slice(FRAME, modinfo.length - FRAME);
  } else {
    modinfo = '';
  }
  return { format, goVersion: version, ...parseModInfo(modinfo) };
}

function safeNumber(v: bigint): number {
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(v);
}

/** A uvarint length followed by that many bytes (Go 1.18+ inline format). */
function inlineString(buf: Buffer, at: number): [string, number] {
  let len = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    if (i >= buf.length) throw corrupt('Go build info: truncated string length');
    const b = buf[i++] as number;
    len += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
    if (shift > 35) throw corrupt('Go build info: string length overflows');
  }
  if (len > MAX_STRING || i + len > buf.length) {
    throw corrupt(`Go build info: string of ${len} bytes at offset ${i} runs past the data (${buf.length} bytes)`);
  }
  return [buf.toString('utf8', i, i + len), i + len];
}

/** A Go string header {data pointer, length} at `addr`, then the bytes it points to (pre-1.18 format). */
function pointedString(exe: Executable, ptrSize: number, readPtr: (b: Buffer, at: number) => number, addr: number): string {
  const hdr = exe.readAt(addr, 2 * ptrSize);
  if (!hdr || hdr.length < 2 * ptrSize) throw corrupt(`Go build info: string header at 0x${addr.toString(16)} is not in the file`);
  const dataAddr = readPtr(hdr, 0);
  const len = readPtr(hdr, ptrSize);
  if (len === 0) return '';
  if (len > MAX_STRING) throw corrupt(`Go build info: string of ${len} bytes`);
  const data = exe.readAt(dataAddr, len);
  if (!data || data.length < len) throw corrupt(`Go build info: string data at 0x${dataAddr.toString(16)} (${len} bytes) is not in the file`);
  return data.toString('utf8');
}

function corrupt(detail: string): StrataError {
  return new StrataError('corrupt', detail);
}

/**
 * The text form of module info (runtime/debug.BuildInfo.String without the
 * `go` line): `path`, `mod`, `dep`, `=>` and `build` lines, tab-separated.
 * Lines that do not parse are ignored, as Go's reader rejects the whole
 * block and a partial answer is more useful than none.
 */
export function parseModInfo(text: string): Omit<GoBuildInfo, 'format' | 'goVersion'> {
  const out: Omit<GoBuildInfo, 'format' | 'goVersion'> = { deps: [], settings: [] };
  let last: GoModule | undefined;
  const lines = text.split('\n');
  // Go only takes newline-terminated lines.
  lines.pop();
  for (const line of lines) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const kind = line.slice(0, tab);
    const rest = line.slice(tab + 1);
    switch (kind) {
      case 'path':
        out.path = rest;
        break;
      case 'mod':
      case 'dep': {
        const mod = moduleLine(rest);
        last = mod;
        if (!mod) break;
        if (kind === 'mod') out.main = mod;
        else out.deps.push(mod);
        break;
      }
      case '=>': {
        const elem = rest.split('\t');
        if (elem.length === 3 && last && elem[0]) {
          last.replace = { path: elem[0], ...(elem[1] ? { version: elem[1] } : {}), ...(elem[2] ? { sum: elem[2] } : {}) };
        }
        last = undefined;
        break;
      }
      case 'build': {
        const setting = buildSetting(rest);
        if (setting) out.settings.push(setting);
        break;
      }
    }
  }
  return out;
}

function moduleLine(rest: string): GoModule | undefined {
  const elem = rest.split('\t');
  if ((elem.length !== 2 && elem.length !== 3) || !elem[0]) return undefined;
  const mod: GoModule = { path: elem[0], version: elem[1] ?? '' };
  if (elem[2]) mod.sum = elem[2];
  return mod;
}

/** `key=value`, where key and value may be Go-quoted (strconv.Quote) when they hold spaces, `=` or quotes. */
function buildSetting(kv: string): [string, string] | undefined {
  if (kv === '' || kv[0] === '=') return undefined;
  let key: string;
  let raw: string;
  if (kv[0] === '"' || kv[0] === '`') {
    const q = quotedPrefix(kv);
    if (q === undefined) return undefined;
    const k = unquoteGo(q);
    if (k === undefined || kv[q.length] !== '=') return undefined;
    key = k;
    raw = kv.slice(q.length + 1);
  } else {
    const eq = kv.indexOf('=');
    if (eq < 0) return undefined;
    key = kv.slice(0, eq);
    raw = kv.slice(eq + 1);
  }
  let value = raw;
  if (raw[0] === '"' || raw[0] === '`') {
    const v = unquoteGo(raw);
    if (v === undefined) return undefined;
    value = v;
  }
  return [key, value];
}

/** The quoted string at the start of `s` (with its quotes), or undefined. */
function quotedPrefix(s: string): string | undefined {
  const q = s[0];
  for (let i = 1; i < s.length; i++) {
    if (q === '"' && s[i] === '\\') {
      i++;
      continue;
    }
    if (s[i] === q) return s.slice(0, i + 1);
  }
  return undefined;
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };

/** strconv.Unquote for double-quoted and back-quoted Go strings; undefined when malformed. */
export function unquoteGo(s: string): string | undefined {
  if (s.length < 2 || s[0] !== s[s.length - 1]) return undefined;
  const body = s.slice(1, -1);
  if (s[0] === '`') return body.includes('`') ? undefined : body.replace(/\r/g, '');
  if (s[0] !== '"') return undefined;
  const bytes: number[] = [];
  const pushText = (t: string) => {
    for (const b of Buffer.from(t, 'utf8')) bytes.push(b);
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '"') return undefined;
    if (c !== '\\') {
      pushText(c);
      continue;
    }
    const e = body[++i];
    if (e === undefined) return undefined;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      pushText(simple);
      continue;
    }
    const hex = (n: number): number | undefined => {
      const h = body.slice(i + 1, i + 1 + n);
      if (h.length !== n || !/^[0-9a-fA-F]+$/.test(h)) return undefined;
      i += n;
      return Number.parseInt(h, 16);
    };
    let code: number | undefined;
    if (e === 'x') {
      code = hex(2);
      if (code === undefined) return undefined;
      bytes.push(code);
      continue;
    }
    if (e >= '0' && e <= '7') {
      const o = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(o)) return undefined;
      i += 2;
      code = Number.parseInt(o, 8);
      if (code > 255) return undefined;
      bytes.push(code);
      continue;
    }
    if (e === 'u') code = hex(4);
    else if (e === 'U') code = hex(8);
    if (code === undefined || code > 0x10ffff) return undefined;
    pushText(String.fromCodePoint(code));
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The toolchain version as OSV's Go ecosystem writes `stdlib` versions
 * (golang.org/x/vuln's GoTagToSemver without the `v`): `go1.20.12` → `1.20.12`,
 * `go1.20` → `1.20.0`, `go1.21rc2` → `1.21.0-rc.2`. Undefined for development
 * builds (`devel …`, `go1.22-20231128-RC02 cl/…`) and anything else that is
 * not a release tag; the raw string is kept by callers. A suffix after a space
 * (`X:loopvar` experiments) or a boringcrypto `b7` suffix does not change the release.
 */
export function goVersionToSemver(goVersion: string): { version: string; prerelease: boolean } | undefined {
  // A release tag ends there, or before ` X:…` experiments or a boringcrypto `b7`; anything
  // else (`go1.22-20231128-RC02 cl/…`, `devel go1.22-abc`) is a pre-release build.
  const m = /^go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(rc|beta)(\d+))?(?=$|\s|b\d+(?:$|\s))/.exec(goVersion);
  if (!m) return undefined;
  const [, major, minor = '0', patch = '0', pre, preNum] = m;
  const version = `${major}.${minor}.${patch}${pre ? `-${pre}.${preNum}` : ''}`;
  return { version, prerelease: pre !== undefined };
}
