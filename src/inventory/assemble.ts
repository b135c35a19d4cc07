/**
 * Image-level inventory: applies the per-layer analyses in order (whiteouts,
 * opaque dirs, later layers replacing earlier files), gives each scanner its
 * view of the final image, collects packages and the distro, and attributes
 * language packages whose files an OS package owns.
 */
import type { Distro, Inventory, Package, Skipped } from '../core/package.js';
import type { CollectContext, LayerRef, ParsedFile, Scanner, ScanView } from '../core/scanner.js';
import type { FileResult, LayerAnalysis } from './analyze.js';
import { LayeredPaths, resolveInImage } from './layered-paths.js';

export interface AnalysedLayer {
  ref: LayerRef;
  analysis: LayerAnalysis;
}

export interface AssembleOptions {
  /** Keep language packages whose files belong to an OS package (marked `ownedBy`) instead of dropping them. */
  keepOsOwned?: boolean;
}

interface Located {
  layer: LayerRef;
  result: FileResult;
}

export function assembleInventory(
  layers: readonly AnalysedLayer[],
  scanners: readonly Scanner[],
  options: AssembleOptions = {},
): Inventory {
  const refs = layers.map((l) => l.ref);
  const symlinks = new LayeredPaths<string>();
  const perScanner = new Map<string, LayeredPaths<Located>>();
  for (const s of scanners) perScanner.set(s.id, new LayeredPaths<Located>());

  for (const { ref, analysis } of layers) {
    const deletions = { whiteouts: analysis.whiteouts, opaques: analysis.opaques };
    // Anything this layer puts at a path replaces what lower layers had there,
    // whatever the type: a symlink replacing a parsed file hides the file.
    const replaced = [...Object.keys(analysis.symlinks), ...analysis.others];
    symlinks.applyLayer(deletions, Object.entries(analysis.symlinks), [...analysis.others, ...allResultPaths(analysis)]);
    for (const s of scanners) {
      const results = analysis.results[s.id] ?? {};
      const entries = Object.entries(results).map(([p, result]): [string, Located] => [p, { layer: ref, result }]);
      perScanner.get(s.id)?.applyLayer(deletions, entries, replaced);
    }
  }

  const finalLinks = symlinks.current();
  const resolve = (p: string) => resolveInImage(p, finalLinks);
  const skipped: Skipped[] = [];
  const ctx: CollectContext = { skip: (item) => skipped.push(item) };

  const views = new Map<string, ScanView<unknown>>();
  for (const s of scanners) {
    const layered = perScanner.get(s.id);
    if (!layered) continue;
    for (const [path, { layer, result }] of layered.current()) {
      if (result.e !== undefined) skipped.push({ scanner: s.id, path, layer: layer.diffId, reason: result.e });
      if (result.o !== undefined) {
        skipped.push({ scanner: s.id, path, layer: layer.diffId, reason: `file too large to read (${result.o} bytes, limit ${s.maxBytes})` });
      }
      for (const w of result.w ?? []) skipped.push({ scanner: s.id, path, layer: layer.diffId, reason: w });
    }
    views.set(s.id, makeView(refs, layered, resolve));
  }

  // Distro first: OS scanners name their packages' ecosystem after it.
  let distro: Distro | undefined;
  const ordered = [...scanners].sort((a, b) => kindOrder(a.kind) - kindOrder(b.kind));
  const packages: Package[] = [];
  for (const s of ordered) {
    const view = views.get(s.id);
    if (!view) continue;
    if (distro) ctx.distro = distro;
    let out;
    try {
      out = s.collect(view, ctx);
    } catch (e) {
      skipped.push({ scanner: s.id, reason: `scanner failed: ${e instanceof Error ? e.message : String(e)}` });
      continue;
    }
    if (out.distro && !distro) distro = out.distro;
    if (out.packages) packages.push(...out.packages);
  }

  const attributed = attributeOsOwned(packages, resolve, options.keepOsOwned ?? false);
  const layerIndex = new Map(refs.map((r) => [r.diffId, r.index]));
  return { distro, packages: mergeDuplicates(attributed, layerIndex), skipped };
}

function kindOrder(kind: Scanner['kind']): number {
  return kind === 'distro' ? 0 : kind === 'os' ? 1 : 2;
}

function allResultPaths(analysis: LayerAnalysis): string[] {
  const paths = new Set<string>();
  for (const results of Object.values(analysis.results)) for (const p of Object.keys(results)) paths.add(p);
  return [...paths];
}

function makeView(
  layers: readonly LayerRef[],
  layered: LayeredPaths<Located>,
  resolve: (p: string) => string | undefined,
): ScanView<unknown> {
  const toParsed = (path: string, { layer, result }: Located): ParsedFile<unknown> | undefined =>
    result.v === undefined ? undefined : { path, layer, value: result.v };
  return {
    layers,
    files() {
      const out: ParsedFile<unknown>[] = [];
      for (const [path, located] of layered.current()) {
        const parsed = toParsed(path, located);
        if (parsed) out.push(parsed);
      }
      return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
    history(path) {
      const out: ParsedFile<unknown>[] = [];
      for (const located of layered.history(path)) {
        const parsed = toParsed(path, located);
        if (parsed) out.push(parsed);
      }
      return out;
    },
    resolve,
  };
}

/**
 * A language package found in files that an OS package installed (Debian's
 * python3-yaml dist-info, a Go binary in /usr/bin) is the OS package's
 * business: its advisories come through the distro feed. It is dropped, or
 * kept and marked `ownedBy` when asked.
 */
function attributeOsOwned(packages: Package[], resolve: (p: string) => string | undefined, keep: boolean): Package[] {
  const owner = new Map<string, Package>();
  for (const p of packages) {
    if (p.kind !== 'os' || !p.files) continue;
    for (const f of p.files) {
      const rel = f.replace(/^\/+/, '');
      owner.set(rel, p);
      const real = resolve(rel);
      if (real !== undefined && real !== rel) owner.set(real, p);
    }
  }
  if (owner.size === 0) return packages;
  const out: Package[] = [];
  for (const p of packages) {
    if (p.kind === 'lang' && p.paths.length > 0) {
      // A package inside an archive (`outer.war!/WEB-INF/lib/inner.jar`) belongs to whoever owns the outer file.
      const outerFile = (path: string) => path.split('!/')[0] ?? path;
      const owners = p.paths.map(outerFile).map((path) => owner.get(path) ?? owner.get(resolve(path) ?? path));
      const first = owners[0];
      if (first && owners.every((o) => o !== undefined)) {
        if (keep) out.push({ ...p, ownedBy: { name: first.name, ecosystem: first.ecosystem } });
        continue;
      }
    }
    out.push(p);
  }
  return out;
}

/** The same package found in several places is one package with several paths. */
function mergeDuplicates(packages: Package[], layerIndex: ReadonlyMap<string, number>): Package[] {
  const position = (p: Package) => (p.layer === undefined ? Number.MAX_SAFE_INTEGER : (layerIndex.get(p.layer) ?? Number.MAX_SAFE_INTEGER));
  const byKey = new Map<string, Package>();
  for (const p of packages) {
    const key = `${p.kind}\u0000${p.ecosystem}\u0000${p.purl}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...p, paths: [...p.paths] });
      continue;
    }
    for (const path of p.paths) if (!seen.paths.includes(path)) seen.paths.push(path);
    seen.paths.sort();
    // The package arrived with the lowest layer that has any copy of it.
    if (position(p) < position(seen)) seen.layer = p.layer;
  }
  return [...byKey.values()];
}
