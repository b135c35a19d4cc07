/**
 * Python core metadata (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO` and
 * single-file `*.egg-info`): RFC 822 style headers. Only the header block is
 * read (up to the first empty line); the long description after it can be
 * megabytes and says nothing about identity.
 */

export interface PythonDistribution {
  /** As the distribution spells it (`PyYAML`); the purl normalises it. */
  name: string;
  version: string;
  licenses?: string[];
}

/** Longest single-line `License:` value kept as a licence name; longer ones are the licence text pasted in. */
const MAX_LICENSE_NAME = 100;

export function readHeaders(text: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  let last: string[] | undefined;
  let lastIndex = -1;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let line = text.slice(start, end);
    start = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '') break; // end of the header block
    const first = line.charCodeAt(0);
    if ((first === 0x20 || first === 0x09) && last) {
      // Continuation of the previous header (multi-line Description or License).
      last[lastIndex] = `${last[lastIndex]}\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const list = headers.get(key);
    if (list) list.push(value);
    else headers.set(key, [value]);
    last = headers.get(key);
    lastIndex = (last?.length ?? 1) - 1;
    if (end >= text.length) break;
  }
  return headers;
}

/** The distribution the headers describe, or a reason it is not one. */
export function pythonDistribution(text: string): PythonDistribution | { problem: string } {
  const h = readHeaders(text);
  // Name and Version are single-line fields; a stray continuation line is not part of them.
  const name = h.get('name')?.[0]?.split('\n')[0]?.trim();
  const version = h.get('version')?.[0]?.split('\n')[0]?.trim();
  if (!name) return { problem: h.size === 0 ? 'no metadata headers' : 'no Name header' };
  if (!version) return { problem: `${name} has no Version header` };
  const out: PythonDistribution = { name, version };
  const licenses = licensesOf(h);
  if (licenses) out.licenses = licenses;
  return out;
}

/** License-Expression (PEP 639), else a short License, else the licence classifiers. */
function licensesOf(h: Map<string, string[]>): string[] | undefined {
  const expression = h.get('license-expression')?.[0]?.trim();
  if (expression) return [expression];
  const license = h.get('license')?.[0]?.trim();
  if (license && !license.includes('\n') && license.length <= MAX_LICENSE_NAME && license.toUpperCase() !== 'UNKNOWN') {
    return [license];
  }
  const classifiers = (h.get('classifier') ?? [])
    .filter((c) => c.startsWith('License ::'))
    .map((c) => c.split('::').pop()?.trim() ?? '')
    .filter((c) => c !== '' && c !== 'OSI Approved');
  return classifiers.length ? [...new Set(classifiers)] : undefined;
}
