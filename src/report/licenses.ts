/**
 * Licence strings as the inventory found them (`MIT`, `GPL-2.0-or-later`,
 * `MIT OR Apache-2.0`, `BSD-like`) sorted into what SBOM formats can carry:
 * an SPDX licence id, an SPDX expression, or a free-text name.
 */
import { SPDX } from '@cyclonedx/cyclonedx-library';
import parseSpdx from 'spdx-expression-parse';

export type LicenseClass =
  | { kind: 'id'; id: string }
  | { kind: 'expression'; expression: string }
  | { kind: 'name'; name: string };

/** Images repeat a handful of licences thousands of times; parsing each once keeps SBOM writing linear and cheap. */
const classified = new Map<string, LicenseClass>();

export function classifyLicense(text: string): LicenseClass {
  let c = classified.get(text);
  if (!c) {
    c = classify(text);
    if (classified.size < 10_000) classified.set(text, c);
  }
  return c;
}

function classify(text: string): LicenseClass {
  const s = text.trim();
  try {
    const ast = parseSpdx(s);
    if ('license' in ast && !('exception' in ast) && !ast.plus && !ast.license.startsWith('LicenseRef-') && !ast.license.startsWith('DocumentRef-')) {
      const id = SPDX.fixupSpdxId(ast.license);
      if (id) return { kind: 'id', id };
    }
    return { kind: 'expression', expression: s };
  } catch {
    // Not an expression: maybe an id in the wrong case (`mit`, `apache-2.0`).
    const id = SPDX.fixupSpdxId(s);
    return id ? { kind: 'id', id } : { kind: 'name', name: s };
  }
}

/** `LicenseRef-` id for a licence that has no SPDX id: letters, digits, `.` and `-` only. */
export function licenseRefFor(name: string): string {
  const idstring = name.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'unknown';
  return `LicenseRef-${idstring}`;
}
