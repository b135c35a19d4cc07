/**
 * The benchmark harness: each `bench/*.bench.ts` module exports a default
 * async function returning figures. Every figure is measured beside its
 * baseline in the same process run (or the same command), and reported as a
 * ratio, so figures from a busy 2-core machine still mean something.
 */

export interface BenchFigure {
  /** What was measured: `cold scan, debian image (gzip)`. */
  name: string;
  /** The measured value (seconds, MB/s, ops/s, MiB …). */
  value: number;
  unit: string;
  /** The same work done by the reference tool or floor, same unit; null when the figure stands alone. */
  baseline: number | null;
  /** value / baseline (for times: lower is better; for rates: higher is better). */
  ratio: number | null;
  /** The target in words, e.g. `<= 1.2 x floor + 0.3 s`, `>= 1M/s`. */
  goal: string;
  /** Whether the goal was met, when it can be judged mechanically. */
  met?: boolean;
}

export interface BenchContext {
  /** Built test images (the same script the tests use), see bench/images.ts. */
  log(message: string): void;
}

export type BenchModule = (ctx: BenchContext) => Promise<BenchFigure[]>;

/** Best-of-N wall time in seconds; N small runs damp noise on a shared machine. */
export async function bestOf(n: number, fn: () => unknown): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (s < best) best = s;
  }
  return best;
}

export function figure(
  name: string,
  value: number,
  unit: string,
  baseline: number | null,
  goal: string,
  met?: boolean,
): BenchFigure {
  const ratio = baseline ? value / baseline : null;
  return { name, value, unit, baseline, ratio, goal, ...(met === undefined ? {} : { met }) };
}
