/**
 * SbomDocument → the Inventory the match stage takes, plus the artifact the
 * SBOM describes. Package identity comes from purls; details a purl cannot
 * hold (source package version, layer, paths) come from properties in
 * Strata's own vocabulary, or Trivy's and Syft's, whichever the SBOM has.
 */
import type { Distro, Inventory, Package, Skipped } from '../core/package.js';
import type { Artifact } from '../core/result.js';
import { OS_NAME_PREFIXES } from '../core/distros.js';
import { distroEcosystem, FALLBACK_OS_ECOSYSTEM, packageTypeOf, type OsPackageType } from '../core/ecosystem.js';
import { firstProp, type SbomComponent, type SbomDocument, type SbomFormat } from './document.js';
import { ecosystemForDistro, family, packageFromPurl, PurlError, type PurlPackage } from './purl.js';

export interface SbomScan {
  format: SbomFormat;
  specVersion: string;
  /** What the SBOM describes (`type: 'sbom'`, `source`: the file). */
  artifact: Artifact;
  inventory: Inventory;
  /** The image's layer diffIDs, when the SBOM records them. */
  layerDiffIds: string[];
  /** Things worth telling the user that did not stop the read. */
  warnings: string[];
}

/** Property names, in order of preference: Strata's own, then Trivy's, then Syft's. */
const P = {
  ecosystem: ['strata:package:ecosystem'],
  kind: ['strata:package:kind'],
  foundBy: ['strata:package:foundBy', 'syft:package:foundBy'],
  sourceName: ['strata:package:sourceName', 'aquasecurity:trivy:SrcName', 'syft:metadata:source', 'syft:metadata:originPackage'],
  sourceVersion: ['strata:package:sourceVersion', 'syft:metadata:sourceVersion'],
  layer: ['strata:layer:diffId', 'aquasecurity:trivy:LayerDiffID', 'syft:location:0:layerID'],
  ownedBy: ['strata:package:ownedBy'],
  imageDigest: ['strata:image:digest'],
  imageConfigDigest: ['strata:image:configDigest', 'aquasecurity:trivy:ImageID'],
  osEcosystem: ['strata:os:ecosystem'],
  osCodename: ['strata:os:codename'],
  osVariant: ['strata:os:variant'],
} as const;

/** Component types that are containers or descriptions, not installable packages: ignored silently when they have no purl. */
const NOT_PACKAGES = new Set(['file', 'container', 'operating-system', 'platform', 'device', 'device-driver', 'firmware', 'data', 'machine-learning-model', 'cryptographic-asset']);

const stripSlash = (p: string) => p.replace(/^\/+/, '');

/** PEP 503 normalisation: how the purl spec writes PyPI names. */
const pep503 = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');

function trivySource(c: SbomComponent): { name: string; version: string } | undefined {
  const name = firstProp(c.props, 'aquasecurity:trivy:SrcName');
  const version = firstProp(c.props, 'aquasecurity:trivy:SrcVersion');
  if (!name || !version) return undefined;
  const release = firstProp(c.props, 'aquasecurity:trivy:SrcRelease');
  const epoch = firstProp(c.props, 'aquasecurity:trivy:SrcEpoch');
  return { name, version: `${epoch && epoch !== '0' ? `${epoch}:` : ''}${version}${release ? `-${release}` : ''}` };
}

function sourceOf(c: SbomComponent, id: PurlPackage, version: string): Package['source'] {
  const own = firstProp(c.props, ...P.sourceName);
  if (own && !own.endsWith('.src.rpm')) {
    const trivy = trivySource(c);
    if (trivy && trivy.name === own) return trivy;
    return { name: own, version: firstProp(c.props, ...P.sourceVersion) ?? id.upstream?.version ?? version };
  }
  const srpm = firstProp(c.props, 'syft:metadata:sourceRpm') ?? own;
  if (srpm) {
    const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(srpm);
    if (m) {
      const epoch = /^(\d+):/.exec(version)?.[1];
      return { name: m[1]!, version: `${epoch ? `${epoch}:` : ''}${m[2]}-${m[3]}` };
    }
  }
  if (id.upstream) {
    const v = id.upstream.version;
    return { name: id.upstream.name, version: v ? (id.type === 'rpm' && /^\d+:/.test(version) && !/^\d+:/.test(v) ? `${/^(\d+):/.exec(version)![1]}:${v}` : v) : version };
  }
  // An OS package with no separate source is its own source (dpkg's rule when `Source:` is absent).
  return id.kind === 'os' ? { name: id.name, version } : undefined;
}

function pathsOf(c: SbomComponent): string[] {
  const out: string[] = [];
  const add = (p: string | undefined) => {
    if (p && !out.includes(stripSlash(p))) out.push(stripSlash(p));
  };
  for (const p of c.props.get('strata:package:path') ?? []) add(p);
  for (const p of c.props.get('aquasecurity:trivy:FilePath') ?? []) add(p);
  const syft = [...c.props.keys()].filter((k) => /^syft:location:\d+:path$/.test(k)).sort((a, b) => Number(a.split(':')[2]) - Number(b.split(':')[2]));
  for (const k of syft) for (const p of c.props.get(k) ?? []) add(p);
  for (const p of c.occurrences) add(p);
  return out;
}

function metadataOf(c: SbomComponent): Package['metadata'] {
  const prefix = 'strata:package:metadata:';
  const out: Record<string, string | number | boolean> = {};
  for (const [k, values] of c.props) {
    if (!k.startsWith(prefix) || values[0] === undefined) continue;
    const v = values[0];
    // Booleans are the only values whose type can be told back from text without guessing.
    out[k.slice(prefix.length)] = v === 'true' ? true : v === 'false' ? false : v;
  }
  return Object.keys(out).length ? out : undefined;
}

/** An SBOM operating-system name (`Red Hat Enterprise Linux`, `debian`) as an os-release ID. */
function osFamily(name: string): string {
  const n = name.trim().toLowerCase();
  const known = OS_NAME_PREFIXES.find(([prefix]) => n.startsWith(prefix));
  return known ? known[1] : family(n.replace(/\s+/g, '-'));
}

function distroOf(doc: SbomDocument): Distro | undefined {
  for (const os of doc.operatingSystems) {
    if (!os.name || !os.version) continue;
    const family = osFamily(os.name);
    const distro: Distro = {
      family,
      version: os.version,
      ecosystem: firstProp(os.props, ...P.osEcosystem) ?? distroEcosystem({ family, version: os.version }),
      evidence: `SBOM component ${os.ref}`,
    };
    const codename = firstProp(os.props, ...P.osCodename);
    if (codename) distro.codename = codename;
    const variant = firstProp(os.props, ...P.osVariant);
    if (variant) distro.variant = variant;
    return distro;
  }
  return undefined;
}

function artifactOf(doc: SbomDocument, origin: string): { artifact: Artifact; layerDiffIds: string[] } {
  const s = doc.subject;
  const artifact: Artifact = { name: s?.name || doc.documentName || origin, type: 'sbom', source: origin };
  if (!s) return { artifact, layerDiffIds: [] };
  let digest = firstProp(s.props, ...P.imageDigest);
  if (!digest) {
    const repoDigest = firstProp(s.props, 'aquasecurity:trivy:RepoDigest');
    if (repoDigest?.includes('@')) digest = repoDigest.slice(repoDigest.indexOf('@') + 1);
  }
  if (!digest) {
    const oci = s.purls.find((p) => p.startsWith('pkg:oci/'));
    const m = oci ? /@([^?#]+)/.exec(oci) : null;
    if (m) digest = decodeURIComponent(m[1]!);
  }
  if (digest && /^[a-z0-9]+:[a-f0-9]{32,}$/.test(digest)) artifact.digest = digest;
  const config = firstProp(s.props, ...P.imageConfigDigest);
  if (config) artifact.configDigest = config;
  const tags = [...(s.props.get('strata:image:repoTag') ?? []), ...(s.props.get('aquasecurity:trivy:RepoTag') ?? [])];
  if (tags.length) artifact.repoTags = [...new Set(tags)];
  const layers = [...(s.props.get('strata:layer:diffId') ?? []), ...(s.props.get('aquasecurity:trivy:DiffID') ?? [])];
  return { artifact, layerDiffIds: [...new Set(layers)] };
}

export function inventoryFromSbom(doc: SbomDocument, origin: string): SbomScan {
  const warnings = [...doc.warnings];
  const skipped: Skipped[] = [];
  const packages: Package[] = [];
  const seen = new Set<string>();
  let distro = distroOf(doc);
  const fallbackWarned = new Set<string>();
  const skip = (c: SbomComponent, reason: string) => skipped.push({ path: origin, scanner: `sbom-${doc.format}`, reason: `component "${c.name || c.ref}" (${c.ref}): ${reason}` });

  for (const c of doc.components) {
    if (c.purls.length === 0) {
      if (!c.hasChildren && !NOT_PACKAGES.has(c.type ?? '') && c.type !== 'application') skip(c, 'no package URL');
      continue;
    }
    let id: PurlPackage | undefined;
    let purl = '';
    let firstError = '';
    for (const candidate of c.purls) {
      try {
        id = packageFromPurl(candidate);
        purl = candidate;
        break;
      } catch (e) {
        if (!(e instanceof PurlError)) throw e;
        firstError ||= e.message;
      }
    }
    if (!id) {
      // The SBOM's subject (an oci image, a directory) also has a purl Strata does not scan: not a skipped package.
      if (!c.purls.every((p) => p.startsWith('pkg:oci/') || p.startsWith('pkg:docker/'))) skip(c, firstError);
      continue;
    }

    let version = c.version;
    if (version && id.type === 'golang' && id.name === 'stdlib') version = version.replace(/^go(?=\d)/, '');
    if (version && id.type === 'rpm' && id.version && /^\d+:/.test(id.version) && !/^\d+:/.test(version)) {
      version = `${/^(\d+):/.exec(id.version)![1]}:${version}`;
    }
    if (version && id.version && version !== id.version) {
      warnings.push(`component "${c.name}" (${c.ref}): version ${version} differs from its package URL's ${id.version}; using ${version}`);
    }
    version ??= id.version;
    if (!version) {
      skip(c, 'no version');
      continue;
    }

    let ecosystem = firstProp(c.props, ...P.ecosystem) ?? id.ecosystem;
    if (!ecosystem && id.kind === 'os') {
      const fromPurl = id.distro ? ecosystemForDistro(id.distro) : undefined;
      if (fromPurl) {
        ecosystem = fromPurl;
        if (!distro && id.distro?.version) {
          distro = { family: id.distro.family, version: id.distro.version, ecosystem: fromPurl, evidence: `distro= qualifier of ${purl}` };
        }
      } else if (distro && packageTypeOf(distro.family) === id.type) {
        ecosystem = distro.ecosystem;
      } else {
        ecosystem = FALLBACK_OS_ECOSYSTEM[id.type as OsPackageType];
        if (!fallbackWarned.has(id.type)) {
          fallbackWarned.add(id.type);
          warnings.push(`${id.type} packages name no distribution release (no distro= qualifier, no operating-system component): filed under "${ecosystem}", which matches no release's advisories`);
        }
      }
    }

    let name = id.name;
    if (id.type === 'pypi' && c.name && pep503(c.name) === pep503(id.name)) name = c.name;

    const pkg: Package = {
      name,
      version,
      ecosystem: ecosystem!,
      kind: (firstProp(c.props, ...P.kind) as Package['kind'] | undefined) ?? id.kind,
      purl,
      paths: pathsOf(c),
      foundBy: firstProp(c.props, ...P.foundBy) ?? `sbom-${doc.format}`,
    };
    const source = sourceOf(c, id, version);
    if (source) pkg.source = source;
    // Only the CPE the SBOM declares: Syft's `syft:cpe23` properties are name-based guesses
    // (`cpe:2.3:a:codec:codec:…` for netty), the classic source of false positives.
    if (c.cpes[0]) pkg.cpe = c.cpes[0];
    if (id.arch) pkg.arch = id.arch;
    const layer = firstProp(c.props, ...P.layer);
    if (layer) pkg.layer = layer;
    if (c.licenses.length) pkg.licenses = [...c.licenses];
    const owned = firstProp(c.props, ...P.ownedBy);
    const slash = owned?.lastIndexOf('/') ?? -1;
    if (owned && slash > 0) pkg.ownedBy = { ecosystem: owned.slice(0, slash), name: owned.slice(slash + 1) };
    const metadata = metadataOf(c);
    if (metadata) pkg.metadata = metadata;

    const key = `${pkg.purl}\u0000${pkg.version}\u0000${pkg.paths.join('\u0000')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    packages.push(pkg);
  }

  const { artifact, layerDiffIds } = artifactOf(doc, origin);
  const inventory: Inventory = { packages, skipped };
  if (distro) inventory.distro = distro;
  return { format: doc.format, specVersion: doc.specVersion, artifact, inventory, layerDiffIds, warnings };
}
