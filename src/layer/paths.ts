/**
 * Paths from a layer are data, never places to write: this turns the name a
 * tar header carries into the normalised image path of src/core/file.ts
 * (no leading `/` or `./`, no `.`/`..` segments, no trailing `/`), and refuses
 * names that could only mean an attack.
 */
import { StrataError, type ErrorWhere } from '../core/errors.js';

/**
 * Normalises a tar entry name or hard link target. `..` that stays inside the
 * layer (`a/../b`) is resolved lexically, as tar extractors do; one that climbs
 * above the root, an absolute name, or a NUL byte is `unsafe`. The root itself
 * (`.`, `./`) normalises to `''`.
 */
export function normaliseLayerPath(raw: string, where: ErrorWhere, maxBytes: number, what = 'entry'): string {
  // Called for every entry of every layer: the error details are only built when needed.
  const fail = (code: 'unsafe' | 'limit', detail: string, path = raw): StrataError =>
    new StrataError(code, detail, { ...where, path: where.path ?? printable(path) });
  if (raw.includes('\0')) throw fail('unsafe', `${what} name ${JSON.stringify(raw)} contains a NUL byte`);
  if (raw.startsWith('/')) throw fail('unsafe', `${what} has an absolute path ${JSON.stringify(raw)}`);
  // Fast path: the common `./usr/bin/x` / `usr/bin/x/` shapes need no segment work.
  let s = raw.startsWith('./') ? raw.slice(2) : raw;
  if (s.endsWith('/')) s = s.replace(/\/+$/, '');
  if (/(^|\/)\.{0,2}(\/|$)/.test(s)) {
    const out: string[] = [];
    for (const part of s.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (out.length === 0) throw fail('unsafe', `${what} path ${JSON.stringify(raw)} escapes the layer root with ".."`);
        out.pop();
        continue;
      }
      out.push(part);
    }
    s = out.join('/');
  }
  // Byte length ≥ string length, so only long strings need the exact count.
  if (s.length * 3 > maxBytes && Buffer.byteLength(s) > maxBytes) {
    throw fail('limit', `${what} path is ${Buffer.byteLength(s)} bytes long, over the ${maxBytes}-byte limit`, `${s.slice(0, 80)}…`);
  }
  return s;
}

/** Parent directory of a normalised path (`''` for top-level names). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Last segment of a normalised path. */
export function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** A name safe to put in a one-line message: control characters escaped, long names cut. */
export function printable(name: string): string {
  const escaped = name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return escaped.length > 300 ? `${escaped.slice(0, 300)}…` : escaped;
}
