/**
 * Rust executables built with cargo-auditable: the dependency tree it embeds
 * in a `.dep-v0` section (ELF, PE; `__DATA,.dep-v0` in Mach-O) as
 * zlib-compressed JSON (https://github.com/rust-secure-code/cargo-auditable,
 * format in auditable-serde). Build-time-only crates (`"kind": "build"`:
 * build scripts, proc macros) are not in the binary and are left out; every
 * other crate is reported, the root (the binary's own crate) included, with
 * its `source` (`crates.io`, `local`, `git`, `registry`) in metadata so
 * non-registry crates can be told apart.
 */
import { inflateSync } from 'node:zlib';
import { StrataError } from '../../core/errors.js';
import type { Package } from '../../core/package.js';
import type { ParseContext, ParsedFile, Scanner } from '../../core/scanner.js';
import { purl } from '../purl.js';
import { ExecutableFormatError, executableFormat, openExecutables, wantsExecutable } from '../formats/executable.js';
import { collectPerFile } from '../collect-per-file.js';

export const RUST_BINARY_SCANNER_ID = 'rust-binary';
const SECTION = '.dep-v0';
/** The JSON is a few KiB even for big dependency trees; anything past this is a bomb. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;

export interface AuditableCrate {
  name: string;
  version: string;
  /** `crates.io`, `local`, `git`, `registry`, or another source kind. */
  source: string;
  /** True for the crate the binary was built from. */
  root?: boolean;
  /** Indices into `crates` (of the section as written, build crates included). */
  dependencies?: number[];
  /** `build` for build-time-only crates; absent (runtime) otherwise. */
  kind?: string;
}

export interface AuditableInfo {
  format: 'elf' | 'macho' | 'pe';
  crates: AuditableCrate[];
}

export const rustBinaryScanner: Scanner<AuditableInfo> = {
  id: RUST_BINARY_SCANNER_ID,
  version: 1,
  kind: 'lang',
  maxBytes: 512 * 1024 * 1024,
  wants: wantsExecutable,
  parse(file, ctx) {
    return readAuditableInfo(file.content, ctx);
  },
  collect(view, ctx) {
    return collectPerFile(view, ctx, 'rust-binary', rustPackages);
  },
};

/** The cargo-auditable dependency list of an executable, or undefined when it has none. */
export function readAuditableInfo(buf: Buffer, ctx?: ParseContext): AuditableInfo | undefined {
  if (executableFormat(buf) === undefined) return undefined;
  let executables;
  try {
    executables = openExecutables(buf);
  } catch (e) {
    // Broken headers: no section can be found, and nothing says this is a Rust binary.
    if (e instanceof ExecutableFormatError) return undefined;
    throw e;
  }
  for (const exe of executables) {
    const section = exe.findSection(SECTION);
    if (!section) continue;
    const compressed = exe.sectionData(section);
    if (compressed.length === 0) throw corrupt('cargo-auditable section .dep-v0 has no data in the file');
    let json: Buffer;
    try {
      json = inflateSync(compressed, { maxOutputLength: MAX_JSON_BYTES });
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? `inflates past ${MAX_JSON_BYTES} bytes` : 'is not valid zlib data';
      throw corrupt(`cargo-auditable section .dep-v0 ${why}`);
    }
    return { format: exe.format, crates: crates(json, ctx) };
  }
  return undefined;
}

function crates(json: Buffer, ctx?: ParseContext): AuditableCrate[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json.toString('utf8'));
  } catch (e) {
    throw corrupt(`cargo-auditable section .dep-v0 is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const list = isRecord(doc) ? doc.packages : undefined;
  if (!Array.isArray(list)) throw corrupt('cargo-auditable section .dep-v0 has no "packages" list');
  const out: AuditableCrate[] = [];
  let unnamed = 0;
  list.forEach((p: unknown, i) => {
    if (!isRecord(p) || typeof p.name !== 'string' || typeof p.version !== 'string' || p.name === '' || p.version === '') {
      if (unnamed++ === 0) ctx?.warn(`cargo-auditable package #${i} has no name or version`);
      // Keep indices stable for the dependency edges.
      out.push({ name: '', version: '', source: '' });
      return;
    }
    const c: AuditableCrate = { name: p.name, version: p.version, source: typeof p.source === 'string' ? p.source : 'crates.io' };
    if (p.root === true) c.root = true;
    if (typeof p.kind === 'string' && p.kind !== 'runtime') c.kind = p.kind;
    if (Array.isArray(p.dependencies)) {
      c.dependencies = p.dependencies.filter((d): d is number => Number.isInteger(d) && d >= 0 && d < list.length);
    }
    out.push(c);
  });
  if (unnamed > 1) ctx?.warn(`${unnamed - 1} more cargo-auditable packages have no name or version`);
  return out;
}

export function rustPackages(file: ParsedFile<AuditableInfo>): Package[] {
  const { crates: all } = file.value;
  const out: Package[] = [];
  for (const c of all) {
    if (c.name === '' || c.kind === 'build') continue;
    const metadata: Record<string, string | boolean> = { source: c.source };
    if (c.root) metadata.root = true;
    const deps = (c.dependencies ?? [])
      .map((i) => all[i])
      .filter((d): d is AuditableCrate => d !== undefined && d.name !== '' && d.kind !== 'build')
      .map((d) => `${d.name}@${d.version}`);
    if (deps.length) metadata.dependsOn = deps.join(', ');
    out.push({
      name: c.name,
      version: c.version,
      ecosystem: 'crates.io',
      kind: 'lang',
      purl: purl({ type: 'cargo', name: c.name, version: c.version }),
      layer: file.layer.diffId,
      paths: [file.path],
      foundBy: RUST_BINARY_SCANNER_ID,
      metadata,
    });
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function corrupt(detail: string): StrataError {
  return new StrataError('corrupt', detail);
}
