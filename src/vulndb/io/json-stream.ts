/**
 * Splits one big JSON document into its records without holding it whole:
 * the top-level object's members (the Debian tracker export: package → CVEs),
 * and the elements of chosen top-level arrays (NVD and KEV `vulnerabilities`).
 * Each record comes out as raw JSON text with its line, and the source parses
 * it with JSON.parse — so one malformed record is skipped, not the feed.
 *
 * Written here rather than taken from stream-json: on a 50 MB NVD-shaped file
 * stream-json (1.9, pick + streamArray) took 2.1 s; scanning bytes for
 * structure and handing each record to the native JSON.parse takes 0.4 s at
 * the same flat memory. The NVD yearly feeds are gigabytes in total.
 */
import type { Readable } from 'node:stream';
import { StrataError } from '../../core/errors.js';

export interface JsonItem {
  /** The top-level member's key (for array elements: the array's key). */
  key: string;
  /** Index inside the expanded array. */
  index?: number;
  /** The value's JSON text. */
  text: string;
  /** Line where the value starts (1-based). */
  line: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const NEWLINE = 0x0a;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === NEWLINE || c === 0x0d;
}

/**
 * Yields every member of the top-level object; the members named in
 * `expandArrays` are not yielded whole but element by element.
 */
export async function* jsonRecords(
  stream: Readable,
  options: { expandArrays?: readonly string[]; file?: string } = {},
): AsyncGenerator<JsonItem> {
  const expand = new Set(options.expandArrays ?? []);
  let depth = 0;
  let inString = false;
  let escaped = false;
  let last = 0; // last significant byte outside strings
  let line = 1;
  let seenTop = false;

  let key = '';
  let keyParts: Buffer[] | undefined;
  let keyFrom = 0;

  let inArray = false;
  let index = 0;

  let capture: 'container' | 'string' | 'scalar' | undefined;
  let captureDepth = 0;
  let captureParts: Buffer[] = [];
  let captureFrom = 0;
  let captureLine = 0;

  const finish = (chunk: Buffer, end: number): JsonItem => {
    captureParts.push(chunk.subarray(captureFrom, end));
    const text = Buffer.concat(captureParts).toString('utf8');
    captureParts = [];
    capture = undefined;
    const item: JsonItem = { key, text, line: captureLine };
    if (inArray) item.index = index++;
    return item;
  };

  for await (const chunk of stream as AsyncIterable<Buffer>) {
    captureFrom = 0;
    keyFrom = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as number;
      if (c === NEWLINE) line++;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (keyParts) {
            keyParts.push(chunk.subarray(keyFrom, i + 1));
            key = JSON.parse(Buffer.concat(keyParts).toString('utf8')) as string;
            keyParts = undefined;
          } else if (capture === 'string') {
            yield finish(chunk, i + 1);
          }
        }
        continue;
      }
      if (isSpace(c)) {
        if (capture === 'scalar') yield finish(chunk, i);
        continue;
      }
      const valuePosition = capture === undefined && ((depth === 1 && !inArray && last === COLON) || (inArray && depth === 2 && (last === LBRACKET || last === COMMA)));
      if (c === QUOTE) {
        inString = true;
        if (depth === 1 && !inArray && (last === LBRACE || last === COMMA)) {
          keyParts = [];
          keyFrom = i;
        } else if (valuePosition) {
          capture = 'string';
          captureFrom = i;
          captureLine = line;
        }
        last = c;
        continue;
      }
      if (c === LBRACE || c === LBRACKET) {
        if (!seenTop) {
          seenTop = true;
          if (c !== LBRACE) throw new StrataError('corrupt', 'expected a JSON object at the top level', { path: options.file });
        } else if (valuePosition) {
          if (c === LBRACKET && depth === 1 && expand.has(key)) {
            inArray = true;
            index = 0;
          } else {
            capture = 'container';
            captureDepth = depth;
            captureFrom = i;
            captureLine = line;
          }
        }
        depth++;
        last = c;
        continue;
      }
      if (c === RBRACE || c === RBRACKET) {
        if (capture === 'scalar') yield finish(chunk, i);
        depth--;
        if (capture === 'container' && depth === captureDepth) yield finish(chunk, i + 1);
        if (inArray && depth === 1) inArray = false;
        last = c;
        continue;
      }
      if (c === COMMA) {
        if (capture === 'scalar') yield finish(chunk, i);
        last = c;
        continue;
      }
      if (c === COLON) {
        last = c;
        continue;
      }
      if (!seenTop) throw new StrataError('corrupt', 'expected a JSON object at the top level', { path: options.file });
      if (valuePosition) {
        capture = 'scalar';
        captureFrom = i;
        captureLine = line;
      }
      last = c;
    }
    if (capture !== undefined) captureParts.push(chunk.subarray(captureFrom));
    if (keyParts) keyParts.push(chunk.subarray(keyFrom));
  }
  if (!seenTop) throw new StrataError('corrupt', 'empty JSON document', { path: options.file });
  if (depth !== 0 || inString || capture !== undefined) {
    throw new StrataError('corrupt', `truncated JSON document (ends inside a value, line ${line})`, { path: options.file });
  }
}
