/**
 * Image-level inventory: applies the per-layer analyses in order (whiteouts,
 * opaque dirs, later layers replacing earlier files), gives each scanner its
 * view of the final image, collects packages and the distro, and attributes
 * language packages whose files an OS package owns.
 */
import type { Distro, Inventory, Package, Skipped } from '../core/package.js';
import type { CollectContext, LayerRef, ParsedFile, Scanner, ScanView } from '../core/scanner.js';
import { isStrataError } from '../core/errors.js';
import { type LayerChange, LayerStack, changesOf } from '../layer/whiteout.js';
import type { FileResult, LayerAnalysis } from './analyze.js';
import { appendAll } from '../util/arrays.js';
import { rejectInvalidPackages } from './reject-invalid.js';
import { unreadOsDatabases } from './unread-databases.js';

/**
 * Bump when what assembleInventory makes of the same analyses changes (the
 * inventory cache keys on it, with the scanners' versions).
 */
export const INVENTORY_FORMAT = 1;

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

/** What one path of one layer holds: the scanners' results for it (empty for symlinks and other entries). */
type Results = Record<string, FileResult>;

export function assembleInventory(
  layers: readonly AnalysedLayer[],
  scanners: readonly Scanner[],
  options: AssembleOptions = {},
): Inventory {
  const refs = layers.map((l) => l.ref);
  const skipped: Skipped[] = [];
  // The image's file tree with OCI layer semantics (src/layer/whiteout.ts): whiteouts,
  // opaque dirs, symlinked parents; only the paths the analyses recorded are in it.
  const stack = new LayerStack<Results>({ onWarning: (reason) => skipped.push({ reason }) });
  // Every version of every parsed path, bottom layer first, per scanner: for provenance.
  const history = new Map<string, Map<string, Located[]>>(scanners.map((s) => [s.id, new Map()]));

  for (const { ref, analysis } of layers) {
    const byPath = new Map<string, Results>();
    for (const s of scanners) {
      const versions = history.get(s.id) as Map<string, Located[]>;
      for (const [path, result] of Object.entries(analysis.results[s.id] ?? {})) {
        let results = byPath.get(path);
        if (!results) byPath.set(path, (results = {}));
        results[s.id] = result;
        const list = versions.get(path);
        if (list) list.push({ layer: ref, result });
        else versions.set(path, [{ layer: ref, result }]);
      }
    }
    const entries: Array<Extract<LayerChange<Results>, { kind: 'entry' }>> = [
      ...Object.entries(analysis.symlinks).map(([path, target]) => ({ kind: 'entry' as const, path, type: 'symlink' as const, linkTarget: target, value: {} })),
      // Other entries (devices, sockets) only matter in that they replace what was below.
      ...analysis.others.map((path) => ({ kind: 'entry' as const, path, type: 'file' as const, value: {} })),
      ...[...byPath].map(([path, value]) => ({ kind: 'entry' as const, path, type: 'file' as const, value })),
    ];
    try {
      stack.applyLayer(ref.index, changesOf({ whiteouts: analysis.whiteouts, opaques: analysis.opaques }, entries));
    } catch (e) {
      // A layer that writes through a symlink loop cannot be applied (umoci and
      // containerd refuse it too): an `unsafe` error naming the layer and path.
      throw isStrataError(e) ? e.at({ layer: ref.digest ?? ref.diffId }) : e;
    }
  }

  const finals = new Map<string, Map<string, Located>>(scanners.map((s) => [s.id, new Map()]));
  for (const entry of stack.entries()) {
    if (entry.type !== 'file' || !entry.value) continue;
    const layer = refs[entry.layer] ?? refs.find((r) => r.index === entry.layer);
    if (!layer) continue;
    for (const [id, result] of Object.entries(entry.value)) finals.get(id)?.set(entry.path, { layer, result });
  }
  const resolve = (p: string): string | undefined => {
    try {
      return stack.resolve(p);
    } catch {
      return undefined; // a loop
    }
  };
  const ctx: CollectContext = { skip: (item) => skipped.push(item) };
  appendAll(skipped, unreadOsDatabases(stack, scanners, refs));

  const views = new Map<string, ScanView<unknown>>();
  for (const s of scanners) {
    const final = finals.get(s.id) as Map<string, Located>;
    for (const [path, { layer, result }] of final) {
      if (result.e !== undefined) skipped.push({ scanner: s.id, path, layer: layer.diffId, reason: result.e, incomplete: true });
      if (result.o !== undefined) {
        skipped.push({ scanner: s.id, path, layer: layer.diffId, reason: `file too large to read (${result.o} bytes, limit ${s.maxBytes})`, incomplete: true });
      }
      for (const w of result.w ?? []) skipped.push({ scanner: s.id, path, layer: layer.diffId, reason: w });
    }
    views.set(s.id, makeView(refs, final, history.get(s.id) as Map<string, Located[]>, resolve));
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
      // Name the file when there is one (scanners that read files independently skip per file: collect-per-file.ts).
      const files = view.files();
      const only = files.length === 1 ? files[0] : undefined;
      skipped.push({
        scanner: s.id,
        ...(only ? { path: only.path, layer: only.layer.diffId } : {}),
        reason: `scanner failed${files.length > 1 ? ` on the ${files.length} files it read (${files.slice(0, 3).map((f) => f.path).join(', ')}${files.length > 3 ? ', …' : ''})` : ''}: ${e instanceof Error ? e.message : String(e)}`,
        incomplete: true,
      });
      continue;
    }
    if (out.distro && !distro) distro = out.distro;
    if (out.packages) appendAll(packages, out.packages);
  }

  const attributed = attributeOsOwned(rejectInvalidPackages(packages, (item) => skipped.push(item)), resolve, options.keepOsOwned ?? false);
  const layerIndex = new Map(refs.map((r) => [r.diffId, r.index]));
  return { distro, packages: mergeDuplicates(attributed, layerIndex), skipped };
}

function kindOrder(kind: Scanner['kind']): number {
  return kind === 'distro' ? 0 : kind === 'os' ? 1 : 2;
}

function makeView(
  layers: readonly LayerRef[],
  final: ReadonlyMap<string, Located>,
  history: ReadonlyMap<string, Located[]>,
  resolve: (p: string) => string | undefined,
): ScanView<unknown> {
  const toParsed = (path: string, { layer, result }: Located): ParsedFile<unknown> | undefined =>
    result.v === undefined ? undefined : { path, layer, value: result.v };
  return {
    layers,
    files() {
      const out: ParsedFile<unknown>[] = [];
      for (const [path, located] of final) {
        const parsed = toParsed(path, located);
        if (parsed) out.push(parsed);
      }
      return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
    history(path) {
      const out: ParsedFile<unknown>[] = [];
      for (const located of history.get(path) ?? []) {
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
  // Owned paths are followed through symlinked directories (`/bin/x` listed, `usr/bin/x` found on a
  // merged-/usr system); each directory is resolved once, not each of the thousands of files in it.
  const dirs = new Map<string, string | undefined>();
  const realPath = (rel: string): string | undefined => {
    const cut = rel.lastIndexOf('/');
    if (cut < 0) return rel;
    const dir = rel.slice(0, cut);
    if (!dirs.has(dir)) dirs.set(dir, resolve(dir));
    const real = dirs.get(dir);
    return real === undefined ? undefined : real === '' ? rel.slice(cut + 1) : `${real}${rel.slice(cut)}`;
  };
  const owner = new Map<string, Package>();
  for (const p of packages) {
    if (p.kind !== 'os' || !p.files) continue;
    for (const f of p.files) {
      const rel = f.replace(/^\/+/, '');
      owner.set(rel, p);
      const real = realPath(rel);
      if (real !== undefined && real !== rel) owner.set(real, p);
    }
  }
  if (owner.size === 0) return packages;
  const out: Package[] = [];
  for (const p of packages) {
    if (p.kind === 'lang' && p.paths.length > 0) {
      // A package inside an archive (`outer.war!/WEB-INF/lib/inner.jar`) belongs to whoever owns the outer file.
      const outerFile = (path: string) => path.split('!/')[0] ?? path;
      const owners = p.paths.map(outerFile).map((path) => owner.get(path) ?? owner.get(realPath(path) ?? path));
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
  const byKey = new Map<string, { pkg: Package; paths: Set<string> }>();
  for (const p of packages) {
    const key = `${p.kind}\u0000${p.ecosystem}\u0000${p.purl}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { pkg: { ...p }, paths: new Set(p.paths) });
      continue;
    }
    // A Set, sorted once at the end: 130,000 copies of one package.json must not cost 130,000² steps.
    for (const path of p.paths) seen.paths.add(path);
    // The package arrived with the lowest layer that has any copy of it.
    if (position(p) < position(seen.pkg)) seen.pkg.layer = p.layer;
  }
  const out: Package[] = [];
  for (const { pkg, paths } of byKey.values()) {
    // `pkg` is already this function's own copy: no second copy of 500,000 packages.
    pkg.paths = paths.size > 1 ? [...paths].sort() : [...paths];
    out.push(pkg);
  }
  return out;
}
