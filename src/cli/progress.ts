/**
 * The TTY progress display: one line per layer being read (bytes so far of
 * the blob size) and an overall line, redrawn at most 10 times a second on
 * stderr. Off a TTY, or with --quiet, nothing is drawn.
 */
import type { Image, Layer } from '../core/image.js';
import type { ProgressSink } from '../scan/inventory.js';

interface LayerLine {
  /** `layer 2/3 0014ecfa00ce`: what the line is about, never cut. */
  what: string;
  /** The image, cut from the left when the line is too long for the terminal. */
  image: string;
  done: number;
  total: number;
  state: 'pending' | 'reading' | 'read' | 'cached';
}

export class TtyProgress implements ProgressSink {
  private readonly lines = new Map<string, LayerLine>();
  private readonly images = new Set<string>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  static enabled(quiet: boolean | undefined, stream: NodeJS.WriteStream = process.stderr): boolean {
    return !quiet && stream.isTTY === true && process.env.TERM !== 'dumb';
  }

  imageStart(image: Image): void {
    this.register(image);
  }

  layerStart(image: Image, layer: Layer): void {
    this.line(image, layer).state = 'reading';
    this.schedule();
  }

  layerBytes(image: Image, layer: Layer, bytes: number): void {
    this.line(image, layer).done = bytes;
    this.schedule();
  }

  layerDone(image: Image, layer: Layer, outcome: 'cached' | 'read'): void {
    const line = this.line(image, layer);
    line.state = outcome;
    if (outcome === 'read' && line.total >= 0) line.done = line.total;
    this.schedule();
  }

  /** Clears the display; call before printing the report. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.erase();
  }

  /**
   * The line of one layer. An image's first event registers all its layers,
   * so the overall line counts whole images from the start (not only the
   * layers started so far).
   */
  private line(image: Image, layer: Layer): LayerLine {
    this.register(image);
    return this.lines.get(this.key(image, layer)) as LayerLine;
  }

  private register(image: Image): void {
    if (!this.images.has(image.name)) {
      this.images.add(image.name);
      for (const l of image.layers) {
        this.lines.set(this.key(image, l), {
          what: `layer ${l.index + 1}/${image.layers.length} ${l.digest.slice(l.digest.indexOf(':') + 1).slice(0, 12)}`,
          image: image.name,
          done: 0,
          total: l.size,
          state: 'pending',
        });
      }
    }
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
    // A pseudo-terminal without a size reports 0 columns.
    const width = Math.max(40, (this.stream.columns || 80) - 1);
    const several = this.images.size > 1;
    let done = 0;
    let total = 0;
    let finished = 0;
    let cached = 0;
    const out: string[] = [];
    for (const line of this.lines.values()) {
      if (line.state === 'read' || line.state === 'cached') finished++;
      // Cached layers are not read: they count as finished, not as bytes.
      if (line.state === 'cached') {
        cached++;
        continue;
      }
      done += line.done;
      total += Math.max(line.total, 0);
      if (line.state !== 'reading') continue;
      const fixed = `  ${line.what}  ${mb(line.done)} / ${mb(line.total)}`;
      out.push(several ? withName(fixed, line.image, width) : fit(fixed, width));
    }
    out.push(fit(`layers ${finished}/${this.lines.size} done${cached ? ` (${cached} cached)` : ''}, ${mb(done)} / ${mb(total)}`, width));
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

/** `fixed` then the image name in what room is left, cut from the left (the tag end is the telling part). */
function withName(fixed: string, name: string, width: number): string {
  const room = width - fixed.length - 2;
  if (room < 8) return fit(fixed, width);
  return `${fixed}  ${name.length > room ? `…${name.slice(name.length - room + 1)}` : name}`;
}
