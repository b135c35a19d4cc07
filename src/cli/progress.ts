/**
 * The TTY progress display: one line per layer being read (bytes so far of
 * the blob size) and an overall line, redrawn at most 10 times a second on
 * stderr. Off a TTY, or with --quiet, nothing is drawn.
 */
import type { Image, Layer } from '../core/image.js';
import type { ProgressSink } from '../scan/inventory.js';

interface LayerLine {
  label: string;
  done: number;
  total: number;
  state: 'reading' | 'read' | 'cached';
}

export class TtyProgress implements ProgressSink {
  private readonly lines = new Map<string, LayerLine>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  static enabled(quiet: boolean | undefined, stream: NodeJS.WriteStream = process.stderr): boolean {
    return !quiet && stream.isTTY === true && process.env.TERM !== 'dumb';
  }

  layerStart(image: Image, layer: Layer): void {
    this.lines.set(this.key(image, layer), {
      label: `${shortName(image.name)} layer ${layer.index + 1}/${image.layers.length} ${layer.digest.slice(7, 19)}`,
      done: 0,
      total: layer.size,
      state: 'reading',
    });
    this.schedule();
  }

  layerBytes(image: Image, layer: Layer, bytes: number): void {
    const line = this.lines.get(this.key(image, layer));
    if (line) line.done = bytes;
    this.schedule();
  }

  layerDone(image: Image, layer: Layer, outcome: 'cached' | 'read'): void {
    const key = this.key(image, layer);
    const line = this.lines.get(key) ?? {
      label: `${shortName(image.name)} layer ${layer.index + 1}/${image.layers.length} ${layer.digest.slice(7, 19)}`,
      done: 0,
      total: layer.size,
      state: outcome,
    };
    line.state = outcome;
    if (outcome === 'read') line.done = line.total;
    this.lines.set(key, line);
    this.schedule();
  }

  /** Clears the display; call before printing the report. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.erase();
  }

  private key(image: Image, layer: Layer): string {
    return `${image.name}\u0000${layer.index}`;
  }

  private schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.dirty) this.draw();
    }, 100);
    this.timer.unref();
  }

  private erase(): void {
    if (this.drawn === 0) return;
    this.stream.write(`\x1b[${this.drawn}F\x1b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    this.dirty = false;
    this.erase();
    const width = Math.max(40, (this.stream.columns ?? 80) - 1);
    let done = 0;
    let total = 0;
    const out: string[] = [];
    for (const line of this.lines.values()) {
      done += line.done;
      total += Math.max(line.total, 0);
      if (line.state === 'reading') out.push(fit(`  ${line.label}  ${mb(line.done)} / ${mb(line.total)}`, width));
    }
    const finished = [...this.lines.values()].filter((l) => l.state !== 'reading').length;
    out.push(fit(`layers ${finished}/${this.lines.size} done, ${mb(done)} / ${mb(total)}`, width));
    this.stream.write(`${out.join('\n')}\n`);
    this.drawn = out.length;
  }
}

function mb(n: number): string {
  return n < 0 ? '?' : `${(n / 1e6).toFixed(1)} MB`;
}

function fit(s: string, width: number): string {
  return s.length > width ? `${s.slice(0, width - 1)}…` : s;
}

function shortName(name: string): string {
  return name.length > 40 ? `…${name.slice(-39)}` : name;
}
