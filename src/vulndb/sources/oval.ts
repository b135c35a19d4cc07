/**
 * A streaming reader of OVAL definition files as Debian and Ubuntu publish
 * them (OVAL 5.11): definitions with metadata and a criteria tree, and the
 * `dpkginfo` tests, objects, states and constant variables they refer to by
 * id. The XML (51 MB for Debian bookworm) is parsed as a stream with saxes;
 * only the definitions' metadata and the small test/object/state tables are
 * held, then each definition is resolved to the package checks it makes.
 *
 * What a package check means is the caller's business (Debian: the object
 * names a SOURCE package and `0:0` means "no fix yet"; Ubuntu: the object
 * names BINARY packages).
 */
import type { Readable } from 'node:stream';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { StrataError } from '../../core/errors.js';

export interface OvalReference {
  source: string;
  refId: string;
  refUrl?: string;
}

export interface OvalCve {
  id: string;
  priority?: string;
  cvssVector?: string;
  cvssScore?: number;
  published?: string;
}

export interface OvalPackageCheck {
  /** The dpkginfo object's package name(s) (a var_ref expands to several). */
  names: string[];
  /** `less than` and friends. */
  operation: string;
  /** The EVR the state compares with (`0:2.2-1`). */
  evr?: string;
  testId: string;
}

export interface OvalDefinition {
  id: string;
  class: string;
  title: string;
  description?: string;
  platform?: string;
  product?: string;
  references: OvalReference[];
  severity?: string;
  issued?: string;
  cves: OvalCve[];
  checks: OvalPackageCheck[];
  /** Tests the criteria refer to that are not dpkginfo tests (uname, variable, textfilecontent …). */
  otherTests: string[];
}

export interface OvalDocument {
  generator: { product?: string; timestamp?: string };
  definitions: OvalDefinition[];
  /** Why some definitions' tests could not be resolved, by definition id. */
  unresolved: { definition: string; reason: string }[];
}

interface RawDefinition extends Omit<OvalDefinition, 'checks' | 'otherTests'> {
  testRefs: string[];
}

interface RawTest {
  kind: string;
  objectRef?: string;
  stateRef?: string;
}

/** Local name of a possibly prefixed tag (`linux-def:dpkginfo_test` → `dpkginfo_test`). */
function local(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

export async function readOval(stream: Readable, file: string, signal?: AbortSignal): Promise<OvalDocument> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const doc: OvalDocument = { generator: {}, definitions: [], unresolved: [] };
  const raws: RawDefinition[] = [];
  const tests = new Map<string, RawTest>();
  const objects = new Map<string, { name?: string; varRef?: string }>();
  const states = new Map<string, { operation: string; evr?: string }>();
  const variables = new Map<string, string[]>();

  const stack: string[] = [];
  let text = '';
  let def: RawDefinition | undefined;
  let test: { id: string; raw: RawTest } | undefined;
  let object: { id: string; name?: string; varRef?: string } | undefined;
  let state: { id: string; operation: string; evr?: string } | undefined;
  let variable: { id: string; values: string[] } | undefined;
  let cve: OvalCve | undefined;
  let section = '';

  parser.on('opentag', (tag: SaxesTagPlain) => {
    const name = local(tag.name);
    const a = tag.attributes as Record<string, string>;
    stack.push(name);
    text = '';
    if (stack.length === 2) section = name;
    switch (section) {
      case 'definitions':
        if (name === 'definition' && stack.length === 3) {
          def = { id: a.id ?? '', class: a.class ?? '', title: '', references: [], cves: [], testRefs: [] };
        } else if (def) {
          if (name === 'reference') def.references.push({ source: a.source ?? '', refId: a.ref_id ?? '', ...(a.ref_url ? { refUrl: a.ref_url } : {}) });
          else if (name === 'criterion' && a.test_ref) def.testRefs.push(a.test_ref);
          else if (name === 'issued' && a.date) def.issued = a.date;
          else if (name === 'cve') {
            cve = { id: '' };
            if (a.priority) cve.priority = a.priority;
            if (a.cvss_vector) cve.cvssVector = a.cvss_vector;
            if (a.cvss_score && !Number.isNaN(Number(a.cvss_score))) cve.cvssScore = Number(a.cvss_score);
            if (a.public) cve.published = a.public;
          }
        }
        break;
      case 'tests':
        if (stack.length === 3) test = { id: a.id ?? '', raw: { kind: name } };
        else if (test && name === 'object' && a.object_ref) test.raw.objectRef = a.object_ref;
        else if (test && name === 'state' && a.state_ref) test.raw.stateRef = a.state_ref;
        break;
      case 'objects':
        if (stack.length === 3) object = name === 'dpkginfo_object' ? { id: a.id ?? '' } : undefined;
        else if (object && name === 'name' && a.var_ref) object.varRef = a.var_ref;
        break;
      case 'states':
        if (stack.length === 3) state = name === 'dpkginfo_state' ? { id: a.id ?? '', operation: '' } : undefined;
        else if (state && name === 'evr') state.operation = a.operation ?? 'equals';
        break;
      case 'variables':
        if (stack.length === 3) variable = name === 'constant_variable' ? { id: a.id ?? '', values: [] } : undefined;
        break;
    }
  });
  parser.on('text', (t: string) => {
    text += t;
  });
  parser.on('cdata', (t: string) => {
    text += t;
  });
  parser.on('closetag', (tag: SaxesTagPlain) => {
    const name = local(tag.name);
    const value = text.trim();
    if (section === 'generator') {
      if (name === 'product_name') doc.generator.product = value;
      else if (name === 'timestamp') doc.generator.timestamp = value;
    } else if (section === 'definitions' && def) {
      if (name === 'title') def.title = value;
      else if (name === 'description' && stack.length === 5) def.description = value;
      else if (name === 'platform' && !def.platform) def.platform = value;
      else if (name === 'product' && !def.product) def.product = value;
      else if (name === 'severity') def.severity = value;
      else if (name === 'cve' && cve) {
        cve.id = value;
        def.cves.push(cve);
        cve = undefined;
      } else if (name === 'definition' && stack.length === 3) {
        raws.push(def);
        def = undefined;
      }
    } else if (section === 'tests' && test && stack.length === 3) {
      tests.set(test.id, test.raw);
      test = undefined;
    } else if (section === 'objects' && object) {
      if (name === 'name') object.name = value || undefined;
      else if (stack.length === 3) {
        objects.set(object.id, { ...(object.name ? { name: object.name } : {}), ...(object.varRef ? { varRef: object.varRef } : {}) });
        object = undefined;
      }
    } else if (section === 'states' && state) {
      if (name === 'evr') state.evr = value;
      else if (stack.length === 3) {
        states.set(state.id, { operation: state.operation, ...(state.evr ? { evr: state.evr } : {}) });
        state = undefined;
      }
    } else if (section === 'variables' && variable) {
      if (name === 'value') variable.values.push(value);
      else if (stack.length === 3) {
        variables.set(variable.id, variable.values);
        variable = undefined;
      }
    }
    stack.pop();
    text = '';
  });

  let parseError: Error | undefined;
  parser.on('error', (e: Error) => {
    parseError ??= e;
  });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      signal?.throwIfAborted();
      parser.write(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      if (parseError) break;
    }
    if (!parseError) parser.close();
  } catch (e) {
    if ((e as { name?: string }).name === 'AbortError') throw e;
    throw e instanceof StrataError ? e : new StrataError('corrupt', `cannot read OVAL: ${(e as Error).message}`, { path: file }, { cause: e });
  } finally {
    stream.destroy();
  }
  if (parseError) throw new StrataError('corrupt', `malformed OVAL XML: ${parseError.message}`, { path: file }, { cause: parseError });

  for (const raw of raws) {
    const { testRefs, ...rest } = raw;
    const d: OvalDefinition = { ...rest, checks: [], otherTests: [] };
    for (const ref of testRefs) {
      const t = tests.get(ref);
      if (!t) {
        doc.unresolved.push({ definition: raw.id, reason: `test ${ref} not found` });
        continue;
      }
      if (t.kind !== 'dpkginfo_test') {
        d.otherTests.push(t.kind);
        continue;
      }
      const o = t.objectRef ? objects.get(t.objectRef) : undefined;
      const s = t.stateRef ? states.get(t.stateRef) : undefined;
      if (!o) {
        doc.unresolved.push({ definition: raw.id, reason: `dpkginfo object ${t.objectRef ?? '(none)'} of test ${ref} not found` });
        continue;
      }
      const names = o.name ? [o.name] : o.varRef ? (variables.get(o.varRef) ?? []) : [];
      if (names.length === 0) {
        doc.unresolved.push({ definition: raw.id, reason: `dpkginfo object ${t.objectRef} names no package` });
        continue;
      }
      d.checks.push({ names, operation: s?.operation ?? 'exists', ...(s?.evr ? { evr: s.evr } : {}), testId: ref });
    }
    doc.definitions.push(d);
  }
  return doc;
}
