/**
 * Readers for the small text files that name a distribution: os-release
 * (and lsb-release, same `KEY=value` syntax) and the one-line release files
 * (`/etc/redhat-release`, `/etc/alpine-release`, …).
 */
import { RELEASE_LINE_PREFIXES } from '../../core/distros.js';

/**
 * Parses os-release(5): `KEY=value` lines, values optionally in single or
 * double quotes with backslash escapes, `#` comments. Unknown or malformed
 * lines are ignored, as systemd does.
 */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const line = text.slice(pos, end).trim();
    pos = end + 1;
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    out[key] = unquote(line.slice(eq + 1).trim());
  }
  return out;
}

function unquote(raw: string): string {
  const q = raw[0];
  if ((q === '"' || q === "'") && raw.length >= 2) {
    let s = '';
    for (let i = 1; i < raw.length; i++) {
      const c = raw[i] as string;
      if (c === q) break;
      if (c === '\\' && q === '"' && i + 1 < raw.length) {
        s += raw[++i];
        continue;
      }
      s += c;
    }
    return s;
  }
  return raw;
}

export interface ReleaseLine {
  /** os-release style ID. */
  family: string;
  version: string;
  name: string;
}

/**
 * Reads the first line of a release file: `CentOS Linux release 7.9.2009
 * (Core)`, `Amazon Linux release 2 (Karoo)`, `VMware Photon OS 4.0`,
 * `CBL-Mariner 2.0.20230126`. Returns undefined when the vendor or the
 * version is not recognised.
 */
export function parseReleaseLine(text: string): ReleaseLine | undefined {
  const nl = text.indexOf('\n');
  // Release lines are short; the cap keeps a garbled file from costing anything.
  const line = (nl < 0 ? text : text.slice(0, nl)).slice(0, 512).trim();
  if (line === '') return undefined;
  let family: string | undefined;
  // Vendor prefixes of `/etc/*-release` first lines, from the distros' descriptors.
  for (const [prefix, id] of RELEASE_LINE_PREFIXES) {
    if (line.startsWith(prefix)) {
      family = id;
      break;
    }
  }
  if (!family) return undefined;
  // The version is the first token made of digits and dots after the vendor name.
  const m = /(?:^|\s)(\d+(?:\.\d+)*)(?=\s|$|\))/.exec(line);
  let version = m?.[1];
  if (family === 'sles' || family === 'sled' || family === 'opensuse') version = suseVersion(text) ?? version;
  if (family === 'mariner' || family === 'azurelinux') version = version?.split('.').slice(0, 2).join('.');
  if (!version) return undefined;
  return { family, version, name: line };
}

/** `/etc/SuSE-release`: `VERSION = 12` and `PATCHLEVEL = 3` lines after the product line. */
function suseVersion(text: string): string | undefined {
  let version: string | undefined;
  let patch: string | undefined;
  for (const raw of text.split('\n')) {
    const eq = raw.indexOf('=');
    if (eq < 0) continue;
    const key = raw.slice(0, eq).trim();
    const value = raw.slice(eq + 1).trim();
    if (key === 'VERSION') version = value;
    else if (key === 'PATCHLEVEL') patch = value;
  }
  if (!version) return undefined;
  return patch && !version.includes('.') ? `${version}.${patch}` : version;
}
