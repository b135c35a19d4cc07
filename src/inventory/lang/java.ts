/**
 * Java archives (jar, war, ear, jpi, hpi, par, sar, nar, kar, lpkg),
 * including archives nested inside them to any depth (a war's WEB-INF/lib,
 * a Spring Boot jar's BOOT-INF/lib, jar-in-jar). Ecosystem `Maven`, named
 * `groupId:artifactId`.
 *
 * Per archive, in order of trust:
 * 1. every `pom.properties` (Maven writes one per artifact it packages; a
 *    shaded jar has several): exact coordinates (evidence `pom.properties`);
 * 2. a `META-INF/maven/…/pom.xml` without a pom.properties beside it: its
 *    own coordinates, `${…}` resolved from the POM itself (evidence `pom.xml`).
 * If none of those is the archive itself (its artifactId differs from the
 * file name's), the archive is identified by weaker evidence, and the
 * package says so with `metadata.heuristic: true`:
 * 3. a pom.xml whose version is a property defined elsewhere: its exact
 *    groupId and artifactId with the manifest's or the file name's version
 *    (`pom.xml+manifest`, `pom.xml+filename`);
 * 4. MANIFEST.MF: Jenkins plugin headers (`Group-Id`, `Short-Name`,
 *    `Plugin-Version`, written by the plugin packager: evidence
 *    `jenkins-manifest`, not heuristic), else the rule Trivy applies offline:
 *    groupId from Implementation-Vendor-Id, Bundle-SymbolicName (minus its
 *    last segment), Implementation-Vendor or Specification-Vendor;
 *    artifactId from Implementation-Title, Specification-Title or
 *    Bundle-Name; version from Implementation-, Specification- or
 *    Bundle-Version (evidence `manifest`). These names are often display
 *    names ("org.springframework:Spring Framework"): they rarely match an
 *    advisory and are reported so the archive is not silently missed;
 * 5. when nothing at all was found: the file name `artifact-1.2.3.jar`, with
 *    no groupId (name = artifactId, evidence `filename`, purl `pkg:generic/…`
 *    since a maven purl needs a groupId).
 * Strata does no online lookup (Trivy asks Maven Central by SHA-1), so a jar
 * with neither pom.properties nor usable manifest stays heuristic.
 *
 * Paths: an archive nested in another is reported as
 * `outer.war!/WEB-INF/lib/inner.jar` (the `jar:` URL convention), deeper
 * levels chained with further `!/`.
 */
import { StrataError } from '../../core/errors.js';
import type { FileEntry } from '../../core/file.js';
import type { Package } from '../../core/package.js';
import type { ParseContext, ParsedFile, Scanner } from '../../core/scanner.js';
import { purl } from '../purl.js';
import {
  decodeText,
  isJavaArchiveName,
  type Manifest,
  manifestValue,
  parseArchiveFileName,
  parseManifest,
  pomPropertiesCoordinates,
  pomXmlCoordinates,
} from './java-metadata.js';
import { readZipDirectory, readZipEntry, ZipError, type ZipDirectory, type ZipEntry } from './zip.js';
import { appendAll } from '../../util/arrays.js';

export const JAVA_SCANNER_ID = 'java';

export type JavaEvidence = 'pom.properties' | 'pom.xml' | 'jenkins-manifest' | 'pom.xml+manifest' | 'pom.xml+filename' | 'manifest' | 'filename';

/** Evidence that states the coordinates outright; everything else is marked heuristic. */
const EXACT_EVIDENCE: ReadonlySet<JavaEvidence> = new Set(['pom.properties', 'pom.xml', 'jenkins-manifest']);

export interface JavaArtifact {
  groupId?: string;
  artifactId: string;
  version: string;
  evidence: JavaEvidence;
  /** Where the archive sits inside the scanned file: '' for the file itself, else `WEB-INF/lib/a.jar[!/inner/b.jar…]`. */
  archive: string;
  /** The entry of that archive the coordinates were read from. */
  entry?: string;
}

export interface JavaLimits {
  /** Levels of archives inside archives that are opened. */
  maxDepth: number;
  /**
   * Total bytes of entries handed to a parser for one top-level file, nested
   * archives and metadata, stored or inflated: bounds memory and time against
   * zip bombs, including archives whose directory points many entries at the same data.
   */
  maxReadBytes: number;
  /** Nested archives opened for one top-level file. */
  maxArchives: number;
  /** Largest pom.properties, pom.xml or MANIFEST.MF read. */
  maxMetadataBytes: number;
  /** All pom.properties, pom.xml and MANIFEST.MF bytes parsed for one top-level file (real wars need a few MiB). */
  maxMetadataTotalBytes: number;
}

/** Problems listed per scanned file; the rest are counted in one last warning. */
const MAX_WARNINGS = 20;

export const DEFAULT_JAVA_LIMITS: JavaLimits = {
  maxDepth: 16,
  maxReadBytes: 1024 * 1024 * 1024,
  maxArchives: 10_000,
  maxMetadataBytes: 4 * 1024 * 1024,
  maxMetadataTotalBytes: 64 * 1024 * 1024,
};

export function createJavaScanner(limits: JavaLimits = DEFAULT_JAVA_LIMITS): Scanner<JavaArtifact[]> {
  return {
    id: JAVA_SCANNER_ID,
    version: 1,
    kind: 'lang',
    // Enterprise archives (ears, Jenkins' war) reach a few hundred MiB.
    maxBytes: 512 * 1024 * 1024,
    wants(path: string, entry: FileEntry) {
      return entry.size > 0 && isJavaArchiveName(path);
    },
    parse(file, ctx) {
      const found = readJavaArchive(file.content, file.path, ctx, limits);
      return found.length ? found : undefined;
    },
    collect(view) {
      const packages: Package[] = [];
      for (const file of view.files()) for (const a of file.value) packages.push(javaPackage(file, a));
      return { packages };
    },
  };
}

export const javaScanner = createJavaScanner();

/**
 * Every artifact a Java archive and the archives inside it describe.
 * Throws a StrataError when the file itself is not a readable zip; problems
 * inside (a corrupt nested jar, an unreadable entry) go to `ctx.warn`.
 */
export function readJavaArchive(buf: Buffer, path: string, ctx: ParseContext, limits: JavaLimits = DEFAULT_JAVA_LIMITS): JavaArtifact[] {
  let dir: ZipDirectory;
  try {
    dir = readZipDirectory(buf);
  } catch (e) {
    if (e instanceof ZipError) throw new StrataError(e.kind === 'limit' ? 'limit' : 'corrupt', `not a readable Java archive: ${e.message}`);
    throw e;
  }
  const out: JavaArtifact[] = [];
  const walk = new ArchiveWalk(ctx, limits, out);
  walk.archive(buf, dir, path, '', 0);
  walk.finish();
  return out;
}

class ArchiveWalk {
  private readBytes = 0;
  private metadataBytes = 0;
  private opened = 0;
  /** Entries left unread because of the byte or archive budget (the first one is named in a warning). */
  private overBudget = 0;
  /** Archives past the depth limit (the first one is named in a warning). */
  private tooDeep = 0;
  private warnings = 0;
  private unlisted = 0;

  constructor(
    private readonly ctx: ParseContext,
    private readonly limits: JavaLimits,
    private readonly out: JavaArtifact[],
  ) {}

  finish(): void {
    if (this.overBudget > 1) this.ctx.warn(`${this.overBudget - 1} more entries not read for the same reason`);
    if (this.tooDeep > 1) this.ctx.warn(`${this.tooDeep - 1} more archives nested too deep not opened`);
    if (this.unlisted > 0) this.ctx.warn(`${this.unlisted} more problems in this file not listed`);
  }

  /** Warnings are capped per file: a crafted archive must not bury the report. */
  private warn(message: string): void {
    if (this.warnings++ < MAX_WARNINGS) this.ctx.warn(message);
    else this.unlisted++;
  }

  archive(buf: Buffer, dir: ZipDirectory, fileName: string, location: string, depth: number): void {
    const where = (entry: string) => (location ? `${location}!/${entry}` : entry);
    const poms: ZipEntry[] = [];
    const pomXmls: ZipEntry[] = [];
    const nested: ZipEntry[] = [];
    let manifestEntry: ZipEntry | undefined;
    for (const e of dir.entries) {
      const n = e.name;
      if (n.endsWith('/')) continue;
      if (n === 'pom.properties' || n.endsWith('/pom.properties')) poms.push(e);
      else if (n.startsWith('META-INF/maven/') && n.endsWith('/pom.xml')) pomXmls.push(e);
      else if (n.toUpperCase() === 'META-INF/MANIFEST.MF') manifestEntry ??= e;
      else if (isJavaArchiveName(n)) nested.push(e);
    }

    const found: JavaArtifact[] = [];
    const pomDirs = new Set<string>();
    for (const e of poms) {
      const bytes = this.read(buf, dir, e, 'metadata', where);
      if (!bytes) continue;
      const c = pomPropertiesCoordinates(decodeText(bytes));
      if (!c) {
        this.warn(`${where(e.name)}: pom.properties lacks groupId, artifactId or version`);
        continue;
      }
      pomDirs.add(e.name.slice(0, e.name.lastIndexOf('/') + 1));
      found.push({ ...c, evidence: 'pom.properties', archive: location, entry: e.name });
    }

    const unversioned: Array<{ groupId: string; artifactId: string; entry: string }> = [];
    for (const e of pomXmls) {
      if (pomDirs.has(e.name.slice(0, e.name.lastIndexOf('/') + 1))) continue;
      const bytes = this.read(buf, dir, e, 'metadata', where);
      const c = bytes ? pomXmlCoordinates(decodeText(bytes)) : undefined;
      if (!c?.groupId || !c.artifactId) continue;
      if (c.version) found.push({ groupId: c.groupId, artifactId: c.artifactId, version: c.version, evidence: 'pom.xml', archive: location, entry: e.name });
      else unversioned.push({ groupId: c.groupId, artifactId: c.artifactId, entry: e.name });
    }

    const file = parseArchiveFileName(fileName);
    const isSelf = (artifactId: string) => artifactId.toLowerCase() === file.artifactId.toLowerCase();
    if (!found.some((a) => isSelf(a.artifactId))) {
      const mfBytes = manifestEntry ? this.read(buf, dir, manifestEntry, 'metadata', where) : undefined;
      const manifest = mfBytes ? parseManifest(decodeText(mfBytes)) : undefined;
      const candidate = unversioned.length === 1 ? unversioned[0] : unversioned.find((u) => isSelf(u.artifactId));
      if (candidate) {
        const mfVersion = manifest ? manifestVersion(manifest) : undefined;
        const version = mfVersion ?? (isSelf(candidate.artifactId) ? file.version : undefined);
        if (version) {
          found.push({
            groupId: candidate.groupId,
            artifactId: candidate.artifactId,
            version,
            evidence: mfVersion ? 'pom.xml+manifest' : 'pom.xml+filename',
            archive: location,
            entry: candidate.entry,
          });
        }
      } else if (manifest && manifestEntry) {
        const id = manifestIdentity(manifest);
        const duplicate = id && found.some((a) => a.version === id.version && (a.groupId === id.groupId || a.artifactId.toLowerCase() === id.artifactId.toLowerCase()));
        if (id && !duplicate) found.push({ ...id, archive: location, entry: manifestEntry.name });
      }
      if (found.length === 0 && file.version) {
        found.push({ artifactId: file.artifactId, version: file.version, evidence: 'filename', archive: location });
      }
    }
    appendAll(this.out, found);

    for (const e of nested) this.nested(buf, dir, e, location, depth, where);
  }

  private nested(buf: Buffer, dir: ZipDirectory, e: ZipEntry, location: string, depth: number, where: (entry: string) => string): void {
    const child = where(e.name);
    if (depth + 1 > this.limits.maxDepth) {
      if (this.tooDeep++ === 0) this.warn(`${child}: archives nested deeper than ${this.limits.maxDepth} levels are not opened`);
      return;
    }
    if (this.opened >= this.limits.maxArchives) {
      if (this.overBudget++ === 0) this.warn(`${child}: not opened, more than ${this.limits.maxArchives} nested archives in one file`);
      return;
    }
    this.opened++;
    const bytes = this.read(buf, dir, e, 'archive', where);
    if (!bytes) return;
    let inner: ZipDirectory;
    try {
      inner = readZipDirectory(bytes);
    } catch (err) {
      if (!(err instanceof ZipError)) throw err;
      this.warn(`${child}: not a readable archive: ${err.message}`);
      return;
    }
    this.archive(bytes, inner, e.name, child, depth + 1);
  }

  /** An entry's bytes, counted against the read budget; undefined (with a warning) when unreadable. */
  private read(buf: Buffer, dir: ZipDirectory, e: ZipEntry, kind: 'metadata' | 'archive', where: (entry: string) => string): Buffer | undefined {
    const metadata = kind === 'metadata';
    const overRead = e.size > this.limits.maxReadBytes - this.readBytes;
    const overMetadata = metadata && e.size <= this.limits.maxMetadataBytes && e.size > this.limits.maxMetadataTotalBytes - this.metadataBytes;
    if (overRead || overMetadata) {
      if (this.overBudget++ === 0) {
        const budget = overRead ? `${this.limits.maxReadBytes}-byte budget` : `${this.limits.maxMetadataTotalBytes}-byte metadata budget`;
        this.warn(`${where(e.name)}: not read, its ${e.size} bytes would pass the ${budget} for one file (zip bomb guard)`);
      }
      return undefined;
    }
    try {
      const bytes = readZipEntry(buf, dir, e, metadata ? this.limits.maxMetadataBytes : Number.MAX_SAFE_INTEGER);
      this.readBytes += bytes.length;
      if (metadata) this.metadataBytes += bytes.length;
      return bytes;
    } catch (err) {
      if (!(err instanceof ZipError)) throw err;
      this.warn(`${where(e.name)}: ${err.message.startsWith(`${e.name}: `) ? err.message.slice(e.name.length + 2) : err.message}`);
      return undefined;
    }
  }
}

type ManifestIdentity = Pick<JavaArtifact, 'groupId' | 'artifactId' | 'version' | 'evidence'> & { groupId: string };

/** Coordinates from a manifest's headers, or undefined unless group, artifact and version are all there. */
export function manifestIdentity(m: Manifest): ManifestIdentity | undefined {
  const get = (name: string) => manifestValue(m, name);
  const jenkinsGroup = get('Group-Id');
  const jenkinsName = get('Short-Name');
  const jenkinsVersion = get('Plugin-Version');
  if (jenkinsGroup && jenkinsName && jenkinsVersion) {
    return { groupId: jenkinsGroup, artifactId: jenkinsName, version: jenkinsVersion, evidence: 'jenkins-manifest' };
  }
  const symbolic = get('Bundle-SymbolicName')?.split(';')[0]?.trim();
  const symbolicGroup = symbolic && symbolic.lastIndexOf('.') > 0 ? symbolic.slice(0, symbolic.lastIndexOf('.')) : symbolic;
  const groupId = get('Implementation-Vendor-Id') ?? (symbolicGroup || undefined) ?? get('Implementation-Vendor') ?? get('Specification-Vendor');
  const artifactId = get('Implementation-Title') ?? get('Specification-Title') ?? get('Bundle-Name');
  const version = manifestVersion(m);
  if (!groupId || !artifactId || !version) return undefined;
  return { groupId, artifactId, version, evidence: 'manifest' };
}

function manifestVersion(m: Manifest): string | undefined {
  return manifestValue(m, 'Implementation-Version') ?? manifestValue(m, 'Specification-Version') ?? manifestValue(m, 'Bundle-Version');
}

export function javaPackage(file: ParsedFile<JavaArtifact[]>, a: JavaArtifact): Package {
  const metadata: Record<string, string | boolean> = { artifactId: a.artifactId, evidence: a.evidence };
  if (a.groupId) metadata.groupId = a.groupId;
  if (!EXACT_EVIDENCE.has(a.evidence)) metadata.heuristic = true;
  if (a.entry) metadata.entry = a.entry;
  return {
    name: a.groupId ? `${a.groupId}:${a.artifactId}` : a.artifactId,
    version: a.version,
    ecosystem: 'Maven',
    kind: 'lang',
    // Without a groupId there are no Maven coordinates to put in a maven purl (the spec requires the namespace).
    purl: purl({ type: a.groupId ? 'maven' : 'generic', namespace: a.groupId, name: a.artifactId, version: a.version }),
    layer: file.layer.diffId,
    paths: [a.archive ? `${file.path}!/${a.archive}` : file.path],
    foundBy: JAVA_SCANNER_ID,
    metadata,
  };
}
