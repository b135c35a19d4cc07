/**
 * What the OS package scanners share: naming the ecosystem after the
 * detected distribution, and finding the layer that brought a package.
 */
import type { Distro } from '../../core/package.js';
import type { LayerRef, ParsedFile } from '../../core/scanner.js';
import { FALLBACK_OS_ECOSYSTEM, type OsPackageType, packageTypeOf } from '../../core/ecosystem.js';

export interface OsTarget {
  /** OSV ecosystem for the packages: the distro's, or the package manager's family without a release. */
  ecosystem: string;
  /** The distro to name in purls, when it uses this package manager. */
  distro?: Distro;
}

/**
 * The distro's ecosystem, unless the distro is known to use another package
 * manager (an apk database in a Debian image says nothing about Alpine's
 * release), or no distro was found.
 */
export function osTarget(distro: Distro | undefined, type: OsPackageType): OsTarget {
  if (distro) {
    const expected = packageTypeOf(distro.family);
    if (expected === undefined || expected === type) return { ecosystem: distro.ecosystem, distro };
  }
  return { ecosystem: FALLBACK_OS_ECOSYSTEM[type] };
}

/**
 * Layer provenance from the versions of one package database file. A
 * package came with the lowest layer of the unbroken run of versions, ending
 * with the final one, that list it at this version: the first layer whose DB
 * lists it, unless it was removed or changed in between (then the layer that
 * put the current copy back).
 */
export class Provenance<T> {
  private readonly sets: (Set<string> | undefined)[];

  constructor(
    private readonly history: readonly ParsedFile<T>[],
    private readonly keysOf: (value: T) => Iterable<string>,
  ) {
    this.sets = new Array<Set<string> | undefined>(history.length);
  }

  private keys(i: number): Set<string> {
    let set = this.sets[i];
    if (!set) {
      const entry = this.history[i];
      set = new Set(entry ? this.keysOf(entry.value) : []);
      this.sets[i] = set;
    }
    return set;
  }

  /** The layer that introduced `key`, or `fallback` when the history does not list it (it always should). */
  layerOf(key: string, fallback: LayerRef): LayerRef {
    let layer: LayerRef | undefined;
    for (let i = this.history.length - 1; i >= 0; i--) {
      if (!this.keys(i).has(key)) break;
      layer = this.history[i]?.layer;
    }
    return layer ?? fallback;
  }
}
