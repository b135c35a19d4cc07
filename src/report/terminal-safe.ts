/**
 * A scan result fit for a terminal: every string in it — paths, package
 * names and versions, layer history lines, advisory text, warnings — with
 * control characters escaped (util/terminal-text.ts), so nothing an image or
 * a feed supplies can retitle the window, clear the screen or fake lines.
 * Titles and descriptions keep their newlines (the table shows their first
 * line); everything else is one line.
 */
import type { ScanResult } from '../core/result.js';
import { escapeForTerminal } from '../util/terminal-text.js';

const MULTI_LINE_KEYS = new Set(['title', 'description']);

function escapeDeep(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'string') return escapeForTerminal(value, { keepNewlines: key !== undefined && MULTI_LINE_KEYS.has(key) });
  if (Array.isArray(value)) return value.map((v) => escapeDeep(v, key));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = escapeDeep(v, k);
    return out;
  }
  return value;
}

export function terminalSafe<T extends ScanResult | object>(value: T): T {
  return escapeDeep(value, undefined) as T;
}
