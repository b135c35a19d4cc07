/**
 * Installed gem specifications (`specifications/*.gemspec`). They are Ruby
 * code, written by RubyGems' `Specification#to_ruby`; Strata never evaluates
 * them. It reads the literal assignments RubyGems writes and hand-written
 * specs use:
 *
 *   Gem::Specification.new do |s|          (or `{ |spec|`, any variable name)
 *     s.name = "rack".freeze                ("…", '…', %q{…}, %Q(…), with or without .freeze)
 *     s.version = "2.2.22"                  (or Gem::Version.new("…"))
 *     s.licenses = ["MIT".freeze]           (or s.license = "MIT")
 *     s.platform = "x86_64-linux".freeze
 *
 * plus `Gem::Specification.new("name", "1.0")` and, when the body has no
 * literal name or version, RubyGems' own `# stub: name version platform`
 * header. A value built by Ruby code (`s.version = Foo::VERSION`) is not
 * guessed at.
 */

export interface Gemspec {
  name: string;
  version: string;
  licenses?: string[];
  /** Set for platform gems (`x86_64-linux`, `java`); `ruby` is the default and omitted. */
  platform?: string;
}

/** One Ruby string literal at the start of `s` (after spaces): its value and length, or undefined. */
export function rubyString(s: string): { value: string; length: number } | undefined {
  const lead = s.length - s.trimStart().length;
  const t = s.slice(lead);
  const q = t[0];
  if (q === '"' || q === "'") {
    let value = '';
    for (let i = 1; i < t.length; i++) {
      const c = t[i] as string;
      if (c === q) return { value, length: lead + i + 1 };
      if (c === '\\' && i + 1 < t.length) {
        const n = t[++i] as string;
        if (q === "'") value += n === "'" || n === '\\' ? n : `\\${n}`;
        else if (n === 'n') value += '\n';
        else if (n === 't') value += '\t';
        else if (n === 'u' && /^[0-9a-fA-F]{4}/.test(t.slice(i + 1, i + 5))) {
          value += String.fromCharCode(Number.parseInt(t.slice(i + 1, i + 5), 16));
          i += 4;
        } else value += n;
        continue;
      }
      if (q === '"' && c === '#' && t[i + 1] === '{') return undefined; // interpolation: a Ruby expression, not a literal
      value += c;
    }
    return undefined;
  }
  const m = /^%([qQ])?([{(<[|!\/])/.exec(t);
  if (m) {
    const open = m[2] as string;
    const close = ({ '{': '}', '(': ')', '<': '>', '[': ']' } as Record<string, string>)[open] ?? open;
    const startAt = m[0].length;
    const end = t.indexOf(close, startAt);
    if (end < 0) return undefined;
    const value = t.slice(startAt, end);
    if (m[1] !== 'q' && value.includes('#{')) return undefined;
    return { value, length: lead + end + 1 };
  }
  return undefined;
}

/** A string literal, optionally `.freeze`d or wrapped in `Gem::Version.new(…)`, at the start of `s`. */
function literal(s: string): string | undefined {
  let t = s.trimStart();
  const wrapped = /^Gem::Version\.new\s*\(?/.exec(t);
  if (wrapped) t = t.slice(wrapped[0].length);
  const str = rubyString(t);
  return str?.value;
}

/** `["MIT".freeze, "Ruby"]` or a single string. */
function literalList(s: string): string[] | undefined {
  let t = s.trimStart();
  if (!t.startsWith('[')) {
    const one = literal(t);
    return one === undefined ? undefined : [one];
  }
  const out: string[] = [];
  t = t.slice(1);
  for (;;) {
    t = t.trimStart();
    if (t.startsWith(']')) return out;
    const str = rubyString(t);
    if (!str) return out.length ? out : undefined;
    out.push(str.value);
    t = t.slice(str.length).replace(/^\s*\.freeze/, '').trimStart();
    if (t.startsWith(',')) t = t.slice(1);
  }
}

/** `s.name = …` anywhere (also after `;` or `{ |s|` on one line), not `a.s.name`, `==` or `=~`. */
const ASSIGNMENT = /(?<![\w.:])([A-Za-z_][A-Za-z0-9_]*)\.(name|version|licenses?|platform)[ \t]*=(?![=~>])/g;

/** How far past `=` (or `Gem::Specification.new`) a value is looked for: bounds the work on adversarial one-line files. */
const WINDOW = 4096;

/** Text from `from` to the end of its line, at most WINDOW characters. */
function restOfLine(text: string, from: number): string {
  const window = text.slice(from, from + WINDOW);
  const eol = window.indexOf('\n');
  return eol < 0 ? window : window.slice(0, eol);
}

export function parseGemspec(text: string): Gemspec | { problem: string } {
  const ctorAt = text.indexOf('Gem::Specification.new');
  const block = ctorAt < 0 ? null : /^Gem::Specification\.new\b[^\n]*?(?:do|\{)\s*\|\s*([A-Za-z_][A-Za-z0-9_]*)\s*\|/.exec(text.slice(ctorAt, ctorAt + WINDOW));
  const variable = block?.[1];
  const fields: Partial<Record<'name' | 'version' | 'platform', string>> & { licenses?: string[] } = {};
  for (const m of text.matchAll(ASSIGNMENT)) {
    if (variable !== undefined && m[1] !== variable) continue;
    const field = m[2] as string;
    const rhs = restOfLine(text, (m.index ?? 0) + m[0].length);
    if (field === 'license' || field === 'licenses') {
      const list = literalList(rhs);
      if (list) fields.licenses = [...(fields.licenses ?? []), ...list.filter((l) => !(fields.licenses ?? []).includes(l))];
      continue;
    }
    const value = literal(rhs);
    if (value !== undefined && fields[field as 'name' | 'version' | 'platform'] === undefined) {
      fields[field as 'name' | 'version' | 'platform'] = value.trim();
    }
  }
  // Gem::Specification.new("name", "1.0") do |s| …
  const ctor = ctorAt < 0 ? null : /^Gem::Specification\.new\s*\(?\s*(["'%].*)/.exec(restOfLine(text, ctorAt));
  if (ctor && (fields.name === undefined || fields.version === undefined)) {
    const first = rubyString(ctor[1] as string);
    const rest = first ? (ctor[1] as string).slice(first.length).replace(/^\s*(\.freeze)?\s*,/, '') : '';
    const second = first ? rubyString(rest) : undefined;
    if (first && fields.name === undefined) fields.name = first.value;
    if (second && fields.version === undefined) fields.version = second.value;
  }
  // "# stub: name version platform require_paths", written by RubyGems for installed specs.
  const stub = /^# stub: (\S+) (\S+) (\S+)/m.exec(text);
  if (stub && (fields.name === undefined || fields.version === undefined)) {
    fields.name ??= stub[1];
    fields.version ??= stub[2];
    if (stub[3] !== 'ruby') fields.platform ??= stub[3];
  }
  if (!fields.name) return { problem: block ? 'no literal name in the Gem::Specification' : 'not a Gem::Specification' };
  if (!fields.version) return { problem: `${fields.name} has no literal version` };
  const out: Gemspec = { name: fields.name, version: fields.version };
  if (fields.licenses?.length) out.licenses = fields.licenses;
  if (fields.platform && fields.platform !== 'ruby' && !fields.platform.startsWith('Gem::')) out.platform = fields.platform;
  return out;
}
