/**
 * A reader for the YAML that pnpm writes: block mappings and sequences of
 * plain or quoted scalars, one-line flow collections (`{integrity: …}`,
 * `[x64]`), several documents. The general `yaml` library composes a full
 * document model first and needs ~1 s per MiB on a lockfile (a 30 MiB
 * monorepo lockfile would take half a minute); this reader is linear and
 * more than ten times faster (measured side by side on a 4.6 MiB lockfile). Anything outside that subset (anchors,
 * aliases, tags, block scalars, multi-line scalars, complex keys) throws
 * NotSimpleYaml and the caller uses the `yaml` library instead.
 *
 * Plain scalars stay strings (only true/false/null are converted): a
 * version such as `1.10` must not become the number 1.1.
 */

export class NotSimpleYaml extends Error {}

interface Frame {
  indent: number;
  value: Record<string, unknown> | unknown[];
}

interface Pending {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
  indent: number;
}

const MAX_FLOW_DEPTH = 64;

export function readSimpleYaml(text: string): unknown[] {
  const docs: unknown[] = [];
  let root: Record<string, unknown> | unknown[] | undefined;
  let stack: Frame[] = [];
  let pending: Pending | undefined;
  let sawContent = false;

  const endDocument = (): void => {
    if (pending) pending.parent[pending.key as never] = null as never;
    pending = undefined;
    if (sawContent) docs.push(root ?? null);
    root = undefined;
    stack = [];
    sawContent = false;
  };

  let start = 0;
  let lineNo = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let line = text.slice(start, end);
    start = end + 1;
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);

    if (line.startsWith('---') && (line.length === 3 || line[3] === ' ')) {
      if (line.slice(3).trim() !== '' && !line.slice(3).trim().startsWith('#')) throw new NotSimpleYaml(`line ${lineNo}: content after ---`);
      endDocument();
      continue;
    }
    if (line === '...') {
      endDocument();
      continue;
    }
    let indent = 0;
    while (indent < line.length && line.charCodeAt(indent) === 0x20) indent++;
    const content = line.slice(indent);
    if (content === '' || content.startsWith('#')) continue;
    if (content.startsWith('\t')) throw new NotSimpleYaml(`line ${lineNo}: tab indentation`);
    if (indent === 0 && content.startsWith('%')) throw new NotSimpleYaml(`line ${lineNo}: directive`);
    sawContent = true;
    const isItem = content === '-' || content.startsWith('- ');

    if (pending) {
      if (indent > pending.indent || (isItem && indent === pending.indent && !Array.isArray(pending.parent))) {
        const container: Record<string, unknown> | unknown[] = isItem ? [] : {};
        pending.parent[pending.key as never] = container as never;
        stack.push({ indent, value: container });
      } else {
        pending.parent[pending.key as never] = null as never;
      }
      pending = undefined;
    }
    if (root === undefined) {
      if (indent !== 0) throw new NotSimpleYaml(`line ${lineNo}: indented first line`);
      root = isItem ? [] : {};
      stack = [{ indent: 0, value: root }];
    }
    // Leave deeper frames, and a sequence written at its key's own indent once a key follows it.
    while (stack.length > 1) {
      const top = stack[stack.length - 1] as Frame;
      if (top.indent > indent || (top.indent === indent && Array.isArray(top.value) && !isItem)) stack.pop();
      else break;
    }
    const frame = stack[stack.length - 1] as Frame;
    if (frame.indent !== indent) throw new NotSimpleYaml(`line ${lineNo}: unexpected indentation`);

    if (Array.isArray(frame.value)) {
      if (!isItem) throw new NotSimpleYaml(`line ${lineNo}: expected a sequence item`);
      const rest = content.slice(1).trim();
      if (rest === '') {
        frame.value.push(null);
        pending = { parent: frame.value, key: frame.value.length - 1, indent };
        continue;
      }
      if (looksLikeMappingEntry(rest)) throw new NotSimpleYaml(`line ${lineNo}: mapping inside a sequence item`);
      frame.value.push(scalarOrFlow(rest, lineNo));
      continue;
    }
    if (isItem) throw new NotSimpleYaml(`line ${lineNo}: sequence item in a mapping`);
    const { key, rest } = splitKey(content, lineNo);
    if (rest === '') {
      frame.value[key] = null;
      pending = { parent: frame.value, key, indent };
    } else {
      frame.value[key] = scalarOrFlow(rest, lineNo);
    }
  }
  endDocument();
  return docs;
}

function looksLikeMappingEntry(s: string): boolean {
  if (s.startsWith('{') || s.startsWith('[') || s.startsWith('"') || s.startsWith("'")) return false;
  return /:(\s|$)/.test(s);
}

/** `key: rest` with a plain or quoted key. */
function splitKey(content: string, lineNo: number): { key: string; rest: string } {
  const c = content[0];
  if (c === '?' || c === '&' || c === '*' || c === '!' || c === '[' || c === '{' || c === '|' || c === '>') {
    throw new NotSimpleYaml(`line ${lineNo}: unsupported key`);
  }
  let key: string;
  let after: number;
  if (c === '"' || c === "'") {
    const q = quoted(content, 0, lineNo);
    key = q.value;
    after = q.end;
    while (content[after] === ' ') after++;
    if (content[after] !== ':') throw new NotSimpleYaml(`line ${lineNo}: no ':' after a quoted key`);
  } else {
    let i = content.indexOf(':');
    while (i >= 0 && i + 1 < content.length && content[i + 1] !== ' ') i = content.indexOf(':', i + 1);
    if (i < 0) throw new NotSimpleYaml(`line ${lineNo}: not a "key: value" line`);
    key = content.slice(0, i).trimEnd();
    after = i;
  }
  return { key, rest: stripComment(content.slice(after + 1).trim()) };
}

/** A comment starts at ` #` outside quotes and flow strings. */
function stripComment(s: string): string {
  if (s.startsWith('"') || s.startsWith("'") || s.startsWith('{') || s.startsWith('[')) return s;
  const i = s.indexOf(' #');
  return i < 0 ? s : s.slice(0, i).trimEnd();
}

function scalarOrFlow(s: string, lineNo: number): unknown {
  const c = s[0];
  if (c === '&' || c === '*' || c === '!' || c === '|' || c === '>' || c === '@' || c === '`') {
    throw new NotSimpleYaml(`line ${lineNo}: unsupported value`);
  }
  if (c === '{' || c === '[') {
    const r = flow(s, 0, lineNo, 0);
    const tail = s.slice(r.end).trim();
    if (tail !== '' && !tail.startsWith('#')) throw new NotSimpleYaml(`line ${lineNo}: text after a flow collection`);
    return r.value;
  }
  if (c === '"' || c === "'") {
    const q = quoted(s, 0, lineNo);
    const tail = s.slice(q.end).trim();
    if (tail !== '' && !tail.startsWith('#')) throw new NotSimpleYaml(`line ${lineNo}: text after a quoted scalar`);
    return q.value;
  }
  return plain(s);
}

function plain(s: string): unknown {
  if (s === 'true' || s === 'True' || s === 'TRUE') return true;
  if (s === 'false' || s === 'False' || s === 'FALSE') return false;
  if (s === 'null' || s === '~' || s === 'Null' || s === 'NULL') return null;
  return s;
}

function quoted(s: string, at: number, lineNo: number): { value: string; end: number } {
  const q = s[at];
  let value = '';
  for (let i = at + 1; i < s.length; i++) {
    const ch = s[i] as string;
    if (q === "'") {
      if (ch === "'") {
        if (s[i + 1] === "'") {
          value += "'";
          i++;
          continue;
        }
        return { value, end: i + 1 };
      }
      value += ch;
      continue;
    }
    if (ch === '"') return { value, end: i + 1 };
    if (ch === '\\') {
      const n = s[++i];
      if (n === undefined) break;
      if (n === 'n') value += '\n';
      else if (n === 't') value += '\t';
      else if (n === '"' || n === '\\' || n === '/') value += n;
      else throw new NotSimpleYaml(`line ${lineNo}: escape \\${n}`);
      continue;
    }
    value += ch;
  }
  throw new NotSimpleYaml(`line ${lineNo}: quoted scalar continues on the next line`);
}

/** A one-line flow collection starting at `at`. */
function flow(s: string, at: number, lineNo: number, depth: number): { value: unknown; end: number } {
  if (depth > MAX_FLOW_DEPTH) throw new NotSimpleYaml(`line ${lineNo}: flow collections nested too deeply`);
  const open = s[at];
  const close = open === '{' ? '}' : ']';
  const isMap = open === '{';
  const out: Record<string, unknown> | unknown[] = isMap ? {} : [];
  let i = at + 1;
  const skip = (): void => {
    while (s[i] === ' ') i++;
  };
  skip();
  if (s[i] === close) return { value: out, end: i + 1 };
  for (;;) {
    skip();
    let key: string | undefined;
    if (isMap) {
      if (s[i] === '"' || s[i] === "'") {
        const q = quoted(s, i, lineNo);
        key = q.value;
        i = q.end;
        skip();
      } else {
        const startKey = i;
        while (i < s.length && !(s[i] === ':' && (s[i + 1] === ' ' || s[i + 1] === ',' || s[i + 1] === close || i + 1 === s.length)) && s[i] !== ',' && s[i] !== close) i++;
        key = s.slice(startKey, i).trim();
      }
      if (s[i] !== ':') throw new NotSimpleYaml(`line ${lineNo}: flow mapping entry without ':'`);
      i++;
      skip();
    }
    let value: unknown;
    const c = s[i];
    if (c === '{' || c === '[') {
      const r = flow(s, i, lineNo, depth + 1);
      value = r.value;
      i = r.end;
    } else if (c === '"' || c === "'") {
      const q = quoted(s, i, lineNo);
      value = q.value;
      i = q.end;
    } else if (c === '&' || c === '*' || c === '!') {
      throw new NotSimpleYaml(`line ${lineNo}: unsupported flow value`);
    } else {
      const startValue = i;
      const closeCode = close.charCodeAt(0);
      while (i < s.length) {
        const code = s.charCodeAt(i);
        if (code === 0x2c || code === closeCode) break;
        i++;
      }
      value = plain(s.slice(startValue, i).trim());
    }
    if (isMap) (out as Record<string, unknown>)[key as string] = value;
    else (out as unknown[]).push(value);
    skip();
    if (s[i] === ',') {
      i++;
      skip();
      if (s[i] === close) return { value: out, end: i + 1 };
      continue;
    }
    if (s[i] === close) return { value: out, end: i + 1 };
    throw new NotSimpleYaml(`line ${lineNo}: flow collection not closed on its line`);
  }
}
