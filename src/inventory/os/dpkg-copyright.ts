/**
 * Licences of a Debian package from `/usr/share/doc/<pkg>/copyright`: the
 * `License:` short names of machine-readable (DEP-5) files, or, for
 * free-form files, the `/usr/share/common-licenses/<NAME>` they point to.
 * Order of first appearance, no duplicates.
 */

/** Copyright files are a few KB; the licence fields of big ones come early enough. */
const SCAN_LIMIT = 512 * 1024;

const CONNECTORS = new Set(['or', 'and', 'with', '|']);

/**
 * A DEP-5 short name or expression (`GPL-2+`, `MPL-1.1 or GPL-2`, `GPL-2+
 * with OpenSSL exception`), not licence text that some files put after
 * `License:` (`Permission is hereby granted, …`).
 */
function isShortName(value: string): boolean {
  if (value === '' || value.length > 120 || !/^[A-Za-z0-9][A-Za-z0-9.+_()/ -]*$/.test(value) || value.endsWith('.')) return false;
  const words = value.split(' ').filter((w) => w !== '');
  if (words.length === 1) return true;
  return words.length <= 8 && words.some((w) => CONNECTORS.has(w.toLowerCase()));
}

export function parseDebianCopyright(text: string): string[] {
  const body = text.length > SCAN_LIMIT ? text.slice(0, SCAN_LIMIT) : text;
  const seen = new Set<string>();
  let pos = 0;
  const n = body.length;
  while (pos < n) {
    let end = body.indexOf('\n', pos);
    if (end < 0) end = n;
    // DEP-5: `License: <short name>` at the start of a line (continuation lines hold the text).
    if (body.charCodeAt(pos) === 76 /* L */ && body.startsWith('License:', pos)) {
      const name = body.slice(pos + 'License:'.length, end).trim();
      if (isShortName(name)) seen.add(name);
    }
    pos = end + 1;
  }
  if (seen.size > 0) return [...seen];
  let from = 0;
  for (;;) {
    const at = body.indexOf('/usr/share/common-licenses/', from);
    if (at < 0) break;
    let stop = at + '/usr/share/common-licenses/'.length;
    from = stop;
    const start = stop;
    while (stop < n && stop - start < 64) {
      const c = body.charCodeAt(stop);
      // names such as GPL-2, LGPL-2.1, Apache-2.0, Artistic, BSD
      if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46 || c === 43 || c === 95) stop++;
      else break;
    }
    let name = body.slice(start, stop);
    while (name.endsWith('.')) name = name.slice(0, -1); // end of a sentence
    if (name !== '') seen.add(name);
  }
  return [...seen];
}
