/**
 * NuGet versions ordered as NuGet.Versioning's VersionComparer.Default:
 * 1 to 4 numeric parts (missing parts are 0, so 1.0 = 1.0.0 = 1.0.0.0),
 * SemVer 2.0 release labels compared case-insensitively (numeric labels
 * numerically and before alphanumeric ones), build metadata ignored.
 * Parsing follows NuGetVersion.TryParse: surrounding whitespace trimmed,
 * leading zeros allowed in the numbers but not in numeric labels.
 */
import type { Ordering, VersionScheme } from '../core/version.js';
import { compareNumericStrings, compareStrings, invalidVersion } from './common.js';

const LABEL = '[0-9A-Za-z-]+';
const PATTERN = new RegExp(`^([0-9]+(?:\\.[0-9]+){0,3})(?:-(${LABEL}(?:\\.${LABEL})*))?(?:\\+(${LABEL}(?:\\.${LABEL})*))?$`);
const INT32_MAX = 2147483647;

interface NuGetVersion {
  parts: string[];
  labels: string[];
}

function parse(v: string): NuGetVersion | undefined {
  const m = PATTERN.exec(v.trim());
  if (!m) return undefined;
  const parts = (m[1] as string).split('.');
  // System.Version: each part an Int32.
  for (const p of parts) if (compareNumericStrings(p, String(INT32_MAX)) > 0) return undefined;
  while (parts.length < 4) parts.push('0');
  const labels = m[2] === undefined ? [] : m[2].split('.');
  for (const l of labels) if (/^0[0-9]+$/.test(l)) return undefined;
  return { parts, labels };
}

/** int.TryParse on a label: an optional minus sign and digits within Int32. */
function labelNumber(label: string): number | undefined {
  if (!/^-?[0-9]+$/.test(label)) return undefined;
  const n = Number(label);
  return n >= -2147483648 && n <= INT32_MAX ? n : undefined;
}

function compareLabel(a: string, b: string): Ordering {
  const na = labelNumber(a);
  const nb = labelNumber(b);
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
  if (na !== undefined) return -1;
  if (nb !== undefined) return 1;
  // StringComparer.OrdinalIgnoreCase: upper-case both, then ordinal.
  return compareStrings(a.toUpperCase(), b.toUpperCase());
}

function compareNuGet(a: NuGetVersion, b: NuGetVersion): Ordering {
  for (let i = 0; i < 4; i++) {
    const r = compareNumericStrings(a.parts[i] as string, b.parts[i] as string);
    if (r !== 0) return r;
  }
  if (a.labels.length === 0) return b.labels.length === 0 ? 0 : 1;
  if (b.labels.length === 0) return -1;
  const n = Math.max(a.labels.length, b.labels.length);
  for (let i = 0; i < n; i++) {
    if (i >= a.labels.length) return -1;
    if (i >= b.labels.length) return 1;
    const r = compareLabel(a.labels[i] as string, b.labels[i] as string);
    if (r !== 0) return r;
  }
  return 0;
}

export const nuget: VersionScheme = {
  id: 'nuget',
  compare(a: string, b: string): Ordering {
    const pa = parse(a);
    if (!pa) throw invalidVersion('nuget', a);
    const pb = parse(b);
    if (!pb) throw invalidVersion('nuget', b);
    return compareNuGet(pa, pb);
  },
  isValid: (v: string) => parse(v) !== undefined,
};
