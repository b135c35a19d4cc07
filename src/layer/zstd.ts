/**
 * zstd decompression off the main thread. zstd-napi's DecompressStream runs
 * the native decoder synchronously on the calling thread, which would put
 * decompression and both digests on the main thread one after the other;
 * measured on the Debian test image that is 0.47 s against 0.29 s when the
 * decoder runs in a worker thread while the main thread hashes and parses
 * (spawning `zstd -dc` instead: 0.35 s, and needs the program installed).
 *
 * Protocol, per pooled worker:
 * - compressed bytes go over in 1 MiB buffers (copied once, transferred, and
 *   sent back empty for reuse, so neither thread makes garbage); several may
 *   be in flight so the decoder never waits for the main thread's event loop;
 *   the worker also hashes them (the blob digest), which takes that work off
 *   the main thread;
 * - decompressed bytes come back through a ring of `SLOTS` buffers in shared
 *   memory: the worker writes slot `n % SLOTS` and posts its length; the main
 *   side reads it in place and releases it. A shared counter of free slots is
 *   the flow control (the worker blocks on Atomics.wait when none is free), so
 *   a zstd bomb can never run ahead of the consumer's limit checks; a second
 *   shared word is the cancel flag, which also wakes a blocked worker.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Duplex } from 'node:stream';
import { Worker } from 'node:worker_threads';

/** One ring slot: large, so a layer is a few hundred messages, not thousands. */
const SLOT_BYTES = 1024 * 1024;
const SLOTS = 8;
/** Compressed input travels in buffers of this size, which the worker sends back for reuse. */
const INPUT_BYTES = 1024 * 1024;
/** Input buffers posted and not yet decoded, before writes wait. */
const INPUT_IN_FLIGHT = 4;

// The worker is plain CommonJS source so it runs the same from src/ (tsx,
// vitest) and from dist/ without a separate build step for a worker file.
const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const binding = require(workerData.binding);
const { ring, slotBytes, slots } = workerData;
let job = -1, ctl = null, dctx = null, hash = null, seq = 0, inFrame = false, failed = false;

function waitSlot() {
  for (;;) {
    if (Atomics.load(ctl, 1) !== 0) return false;
    if (Atomics.load(ctl, 0) > 0) return true;
    Atomics.wait(ctl, 0, 0, 1000);
  }
}

parentPort.on('message', (m) => {
  if (m.t === 'start') {
    job = m.job; ctl = new Int32Array(m.ctl); dctx = new binding.DCtx(); seq = 0; inFrame = false; failed = false;
    hash = m.hash ? createHash(m.hash) : null;
    if (m.windowLogMax) dctx.setParameter(binding.DParameter.windowLogMax, m.windowLogMax);
    return;
  }
  if (m.job !== job || failed || Atomics.load(ctl, 1) !== 0) return;
  if (m.t === 'data') {
    let src = Buffer.from(m.buf, 0, m.len);
    const input = m.buf;
    if (hash) hash.update(src);
    try {
      for (;;) {
        if (!waitSlot()) return;
        const slot = seq % slots;
        const dst = Buffer.from(ring, slot * slotBytes, slotBytes);
        const [ret, produced, consumed] = dctx.decompressStream(dst, src);
        src = src.subarray(consumed);
        inFrame = ret !== 0;
        if (produced > 0) {
          Atomics.sub(ctl, 0, 1);
          seq++;
          parentPort.postMessage({ t: 'out', job, slot, len: produced });
        }
        if (src.length === 0 && produced < slotBytes) break;
        if (produced === 0 && consumed === 0) throw new Error('zstd decoder made no progress');
      }
    } catch (e) {
      failed = true;
      parentPort.postMessage({ t: 'error', job, message: e && e.message ? e.message : String(e) });
      return;
    }
    // The input buffer goes back to be filled again (no garbage, no GC).
    parentPort.postMessage({ t: 'consumed', job, buf: input }, [input]);
  } else if (m.t === 'end') {
    if (inFrame) { failed = true; parentPort.postMessage({ t: 'error', job, message: 'stream ends in the middle of a zstd frame (truncated)' }); }
    else parentPort.postMessage({ t: 'done', job, digest: hash ? hash.digest('hex') : undefined });
  }
});
`;

interface ToMain {
  t: 'out' | 'consumed' | 'error' | 'done';
  job: number;
  buf?: ArrayBuffer;
  slot?: number;
  len?: number;
  message?: string;
  digest?: string;
}

let bindingPath: string | null | undefined;

/** Path of zstd-napi's native binding, or null when it is not installed or not built. */
function zstdBinding(): string | null {
  if (bindingPath === undefined) {
    try {
      const require = createRequire(import.meta.url);
      const path = require.resolve('zstd-napi/binding');
      require(path); // loads the .node addon: fails here, not in a worker, when it was never built
      bindingPath = path;
    } catch {
      bindingPath = null;
    }
  }
  return bindingPath;
}

export function zstdWorkerAvailable(): boolean {
  return zstdBinding() !== null;
}

interface PooledWorker {
  worker: Worker;
  ring: SharedArrayBuffer;
  /** Input buffers back from the worker, ready to be filled. */
  inputs: ArrayBuffer[];
}

const idle = new Set<PooledWorker>();
const dead = new WeakSet<Worker>();
let nextJob = 1;

function acquireWorker(binding: string): PooledWorker {
  for (const w of idle) {
    idle.delete(w);
    w.worker.ref();
    return w;
  }
  const ring = new SharedArrayBuffer(SLOTS * SLOT_BYTES);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { binding, ring, slotBytes: SLOT_BYTES, slots: SLOTS } });
  const pooled: PooledWorker = { worker, ring, inputs: [] };
  // A worker that dies while idle must not be handed out again.
  worker.once('exit', () => {
    dead.add(worker);
    idle.delete(pooled);
  });
  return pooled;
}

function releaseWorker(w: PooledWorker): void {
  if (dead.has(w.worker)) return;
  if (idle.size >= availableParallelism()) {
    void w.worker.terminate();
    return;
  }
  // An idle worker must not keep the process alive.
  w.worker.unref();
  idle.add(w);
}

export interface ZstdStreamOptions {
  /** log2 of the largest window a frame may ask for; zstd's own default is 27 (128 MiB). */
  windowLogMax?: number;
  /** Hash the compressed input in the worker with this algorithm (read `inputDigest` after the end). */
  hashInput?: string;
  /**
   * Push views into the shared ring instead of copies. The consumer must call
   * `release()` once per chunk when done with it (in order), and must not keep
   * the chunk: its bytes are overwritten afterwards.
   */
  zeroCopy?: boolean;
}

/** A Duplex: compressed bytes in, decompressed bytes out; decoding happens in a worker thread. */
export class ZstdWorkerStream extends Duplex {
  /** Hex digest of the compressed input (with `hashInput`), once the stream has ended. */
  inputDigest: string | undefined;
  private readonly pooled: PooledWorker;
  private readonly job = nextJob++;
  private readonly ctl = new Int32Array(new SharedArrayBuffer(8));
  private readonly zeroCopy: boolean;
  private inFlight = 0;
  private pendingWrite: ((err?: Error | null) => void) | undefined;
  private pendingFinal: ((err?: Error | null) => void) | undefined;
  private released = false;
  /** Ended in zero-copy mode with slots still held by the consumer: back to the pool once they are released. */
  private returnWhenDrained = false;
  private readonly handlers = {
    message: (m: ToMain) => this.onMessage(m),
    error: (e: Error) => this.fail(e),
    exit: () => this.fail(new Error('zstd worker exited')),
  };

  constructor(options: ZstdStreamOptions = {}) {
    // The ring is the flow control; the readable buffer never needs to refuse a push.
    super({ readableHighWaterMark: (SLOTS + 1) * SLOT_BYTES, writableHighWaterMark: 1024 * 1024 });
    const binding = zstdBinding();
    if (!binding) throw new Error('zstd-napi is not available');
    this.zeroCopy = options.zeroCopy ?? false;
    this.pooled = acquireWorker(binding);
    Atomics.store(this.ctl, 0, SLOTS);
    const { worker } = this.pooled;
    worker.on('message', this.handlers.message);
    worker.on('error', this.handlers.error);
    worker.on('exit', this.handlers.exit);
    worker.postMessage({ t: 'start', job: this.job, ctl: this.ctl.buffer, hash: options.hashInput, windowLogMax: options.windowLogMax });
  }

  /** Gives a chunk's ring slot back (zero-copy mode), in the order the chunks came. */
  release(): void {
    const free = Atomics.add(this.ctl, 0, 1) + 1;
    Atomics.notify(this.ctl, 0);
    if (this.returnWhenDrained && free >= SLOTS) {
      this.returnWhenDrained = false;
      releaseWorker(this.pooled);
    }
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this._writev([{ chunk }], cb);
  }

  /** Everything written since the last post goes over in as few input buffers as it fills. */
  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (err?: Error | null) => void): void {
    let buf: Uint8Array | undefined;
    let fill = 0;
    const post = (): void => {
      if (!buf) return;
      this.inFlight++;
      const ab = buf.buffer as ArrayBuffer;
      this.pooled.worker.postMessage({ t: 'data', job: this.job, buf: ab, len: fill }, [ab]);
      buf = undefined;
      fill = 0;
    };
    for (const { chunk } of chunks) {
      for (let off = 0; off < chunk.length; ) {
        buf ??= new Uint8Array(this.pooled.inputs.pop() ?? new ArrayBuffer(INPUT_BYTES));
        const n = Math.min(chunk.length - off, buf.length - fill);
        // Copied: a chunk may be a view into a buffer its source reuses.
        buf.set(chunk.subarray(off, off + n), fill);
        fill += n;
        off += n;
        if (fill === buf.length) post();
      }
    }
    post();
    if (this.inFlight < INPUT_IN_FLIGHT) cb();
    else this.pendingWrite = cb;
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.pendingFinal = cb;
    this.pooled.worker.postMessage({ t: 'end', job: this.job });
  }

  override _read(): void {
    // Flow control is the ring's free-slot counter; nothing to do here.
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.detach(true);
    if (this.returnWhenDrained) {
      // Nobody reads a destroyed stream: its slots are free to reuse.
      this.returnWhenDrained = false;
      releaseWorker(this.pooled);
    }
    cb(err);
  }

  private onMessage(m: ToMain): void {
    if (m.job !== this.job) return;
    switch (m.t) {
      case 'out': {
        const view = Buffer.from(this.pooled.ring, (m.slot ?? 0) * SLOT_BYTES, m.len ?? 0);
        if (this.zeroCopy) {
          this.push(view);
        } else {
          this.push(Buffer.from(view));
          this.release();
        }
        break;
      }
      case 'consumed': {
        this.inFlight--;
        if (m.buf && this.pooled.inputs.length < INPUT_IN_FLIGHT + 1) this.pooled.inputs.push(m.buf);
        if (this.inFlight < INPUT_IN_FLIGHT && this.pendingWrite) {
          const cb = this.pendingWrite;
          this.pendingWrite = undefined;
          cb();
        }
        break;
      }
      case 'done': {
        this.inputDigest = m.digest;
        this.detach(false);
        this.push(null);
        const cb = this.pendingFinal;
        this.pendingFinal = undefined;
        cb?.();
        break;
      }
      case 'error':
        this.fail(new ZstdDataError(m.message ?? 'zstd error'));
        break;
    }
  }

  private fail(e: Error): void {
    if (this.released) return;
    this.destroy(e);
  }

  /** Gives the worker back to the pool, first waking and cancelling it if it may still be mid-job. */
  private detach(cancel: boolean): void {
    if (this.released) return;
    this.released = true;
    if (cancel) {
      Atomics.store(this.ctl, 1, 1);
      Atomics.notify(this.ctl, 0);
    }
    const { worker } = this.pooled;
    worker.off('message', this.handlers.message);
    worker.off('error', this.handlers.error);
    worker.off('exit', this.handlers.exit);
    // In zero-copy mode the consumer may still be reading ring slots: the next
    // job must not write into them before they are released.
    if (!cancel && this.zeroCopy && Atomics.load(this.ctl, 0) < SLOTS) this.returnWhenDrained = true;
    else releaseWorker(this.pooled);
  }
}

/** An error the decoder reported about the data (corrupt or truncated input). */
export class ZstdDataError extends Error {
  override name = 'ZstdDataError';
}
