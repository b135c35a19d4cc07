/**
 * The three kinds of metadata a Java archive carries about itself, parsed
 * from text: `pom.properties` (java.util.Properties format, written by
 * Maven), `META-INF/MANIFEST.MF` (JAR manifest format) and the project's own
 * `pom.xml` (only its coordinates), plus the `name-version.jar` file-name
 * convention.
 */

/** Decodes bytes as UTF-8, or as ISO-8859-1 (the Properties default) when they are not valid UTF-8. */
export function decodeText(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.includes('\ufffd') ? bytes.toString('latin1') : text;
}

/**
 * java.util.Properties.load: `key=value`, `key: value` or `key value`;
 * `#`/`!` comments; backslash line continuations and escapes (`\uXXXX`).
 */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] as string).replace(/^[ \t\f]+/, '');
    if (line === '' || line[0] === '#' || line[0] === '!') continue;
    // An odd number of trailing backslashes joins the next line (minus its leading whitespace).
    // Pieces are joined once at the end: re-slicing the growing line would be quadratic.
    if (endsWithOddBackslashes(line)) {
      const parts = [line.slice(0, -1)];
      while (i + 1 < lines.length) {
        const next = (lines[++i] as string).replace(/^[ \t\f]+/, '');
        const more = endsWithOddBackslashes(next);
        parts.push(more ? next.slice(0, -1) : next);
        if (!more) break;
      }
      line = parts.join('');
    }
    let k = 0;
    while (k < line.length) {
      const c = line[k];
      if (c === '\\') k += 2;
      else if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
      else k++;
    }
    const key = unescapeProperty(line.slice(0, Math.min(k, line.length)));
    let v = k;
    while (v < line.length && /[ \t\f]/.test(line[v] as string)) v++;
    if (v < line.length && (line[v] === '=' || line[v] === ':')) v++;
    while (v < line.length && /[ \t\f]/.test(line[v] as string)) v++;
    out.set(key, unescapeProperty(line.slice(v)));
  }
  return out;
}

function endsWithOddBackslashes(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function unescapeProperty(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    return e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : e === 'f' ? '\f' : e;
  });
}

export interface PomProperties {
  groupId: string;
  artifactId: string;
  version: string;
}

/** Maven coordinates from a pom.properties, or undefined when any of the three is missing. */
export function pomPropertiesCoordinates(text: string): PomProperties | undefined {
  const p = parseProperties(text);
  const groupId = p.get('groupId')?.trim();
  const artifactId = p.get('artifactId')?.trim();
  const version = p.get('version')?.trim();
  if (!groupId || !artifactId || !version) return undefined;
  return { groupId, artifactId, version };
}

/** A JAR manifest: the main section and the per-entry sections, header names as written. */
export interface Manifest {
  main: Map<string, string>;
  sections: Array<Map<string, string>>;
}

/** Per-entry sections read: enough for the odd header outside the main section, not the thousands of digests of a signed jar. */
const MAX_MANIFEST_SECTIONS = 64;

/**
 * JAR manifest format (https://docs.oracle.com/en/java/javase/21/docs/specs/jar/jar.html):
 * `Name: value` headers, sections separated by blank lines, a line starting
 * with one space continues the previous header. Lines that are not headers
 * are ignored rather than failing the whole manifest, as real jars have them.
 * Only the first MAX_MANIFEST_SECTIONS per-entry sections are read.
 */
export function parseManifest(text: string): Manifest {
  const groups: Array<Map<string, string>> = [];
  let current: Map<string, string> | undefined;
  let lastKey: string | undefined;
  const newline = /\r\n|\r|\n/g;
  let start = 0;
  for (;;) {
    const m = newline.exec(text);
    const line = text.slice(start, m ? m.index : text.length);
    if (line === '') {
      current = undefined;
      lastKey = undefined;
    } else if (line[0] === ' ') {
      if (current && lastKey !== undefined) current.set(lastKey, (current.get(lastKey) ?? '') + line.slice(1));
    } else {
      const h = /^([A-Za-z0-9][A-Za-z0-9_-]*):(?: (.*)|)$/.exec(line);
      // Not a header: ignored, as if absent (a continuation after it still extends the last header).
      if (h) {
        if (!current) {
          if (groups.length > MAX_MANIFEST_SECTIONS) break;
          current = new Map();
          groups.push(current);
        }
        const key = h[1] ?? '';
        lastKey = key;
        current.set(key, h[2] ?? '');
      }
    }
    if (!m) break;
    start = m.index + m[0].length;
  }
  return { main: groups[0] ?? new Map<string, string>(), sections: groups.slice(1) };
}

/** A header from the main section, else from the first per-entry section that has it (names compared case-insensitively). */
export function manifestValue(manifest: Manifest, name: string): string | undefined {
  for (const group of [manifest.main, ...manifest.sections]) {
    for (const [k, v] of group) {
      if (k.toLowerCase() === name.toLowerCase() && v.trim() !== '') return v.trim();
    }
  }
  return undefined;
}

export interface PomXmlCoordinates {
  groupId?: string;
  artifactId?: string;
  /** Absent when the POM leaves it to a property this file does not define. */
  version?: string;
}

/**
 * The project's own coordinates from a pom.xml: `project/groupId`,
 * `artifactId`, `version`, inheriting groupId and version from `parent`,
 * and resolving `${…}` from the POM's own `properties` and `project.*`.
 * Everything else in the POM is ignored.
 */
export function pomXmlCoordinates(xml: string): PomXmlCoordinates | undefined {
  const fields = new Map<string, string>();
  const stack: string[] = [];
  let text = '';
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) break;
    text += xml.slice(i, lt);
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) break;
      i = end + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (end < 0) break;
      text += xml.slice(lt + 9, end);
      i = end + 3;
      continue;
    }
    const gt = xml.indexOf('>', lt + 1);
    if (gt < 0) break;
    i = gt + 1;
    const tag = xml.slice(lt + 1, gt);
    if (tag[0] === '?' || tag[0] === '!') continue;
    if (tag[0] === '/') {
      const path = stack.join('/');
      if (WANTED.test(path) && !fields.has(path)) fields.set(path, decodeEntities(text).trim());
      stack.pop();
      text = '';
      continue;
    }
    const name = /^[^\s/>]+/.exec(tag)?.[0] ?? '';
    const local = name.slice(name.indexOf(':') + 1);
    if (!tag.endsWith('/')) stack.push(local);
    text = '';
    // No real POM nests this deep; bounds the stack on garbage.
    if (stack.length > 256) return undefined;
  }
  if (!fields.size) return undefined;
  const props = new Map<string, string>();
  for (const [k, v] of fields) if (k.startsWith('project/properties/')) props.set(k.slice('project/properties/'.length), v);
  const groupId = fields.get('project/groupId') || fields.get('project/parent/groupId');
  const artifactId = fields.get('project/artifactId');
  const version = fields.get('project/version') || fields.get('project/parent/version');
  const scope: Record<string, string | undefined> = {
    'project.groupId': groupId,
    'pom.groupId': groupId,
    'project.artifactId': artifactId,
    'project.parent.version': fields.get('project/parent/version'),
    'parent.version': fields.get('project/parent/version'),
    'project.parent.groupId': fields.get('project/parent/groupId'),
  };
  const resolve = (v: string | undefined, depth = 0): string | undefined => {
    if (v === undefined || !v.includes('${')) return v || undefined;
    if (depth > 8) return undefined;
    const out = v.replace(/\$\{([^}]+)\}/g, (whole, key: string) => {
      if (key === 'project.version' || key === 'pom.version' || key === 'version') return v === version ? whole : (resolve(version, depth + 1) ?? whole);
      return scope[key] ?? props.get(key) ?? whole;
    });
    return out === v ? undefined : resolve(out, depth + 1);
  };
  return { groupId: resolve(groupId), artifactId: resolve(artifactId), version: resolve(version) };
}

const WANTED = /^project\/(?:groupId|artifactId|version|parent\/(?:groupId|artifactId|version)|properties\/[^/]+)$/;

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : '';
    }
    return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[e] ?? '';
  });
}

/** File extensions of Java archives (Syft's and Trivy's lists together). */
export const JAVA_ARCHIVE_EXTENSIONS = ['.jar', '.war', '.ear', '.jpi', '.hpi', '.par', '.sar', '.nar', '.kar', '.lpkg'] as const;

export function isJavaArchiveName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  if (dot < 0) return false;
  const ext = name.slice(dot).toLowerCase();
  return (JAVA_ARCHIVE_EXTENSIONS as readonly string[]).includes(ext);
}

export interface FileNameParts {
  /** The name without directory and extension. */
  base: string;
  /** The part before the first `-<digit>`; the whole base when there is no version. */
  artifactId: string;
  version?: string;
}

/** `spring-core-5.3.4-SNAPSHOT.jar` → `spring-core` + `5.3.4-SNAPSHOT` (the version starts at the first `-` followed by a digit). */
export function parseArchiveFileName(path: string): FileNameParts {
  const file = path.slice(path.lastIndexOf('/') + 1);
  const dot = file.lastIndexOf('.');
  const base = dot > 0 && isJavaArchiveName(file) ? file.slice(0, dot) : file;
  const m = /^(.+?)-(\d[^\s]*)$/.exec(base);
  if (!m) return { base, artifactId: base };
  return { base, artifactId: m[1] as string, version: m[2] };
}
