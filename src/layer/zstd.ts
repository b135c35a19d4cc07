/**
 * zstd decompression off the main thread. zstd-napi's DecompressStream runs
 * the native decoder synchronously on the calling thread, which would put
 * decompression and both digests on the main thread one after the other;
 * measured on the Debian test image that is 0.47 s against 0.29 s when the
 * decoder runs in a worker thread while the main thread hashes and parses
 * (spawning `zstd -dc` instead: 0.35 s, and needs the program installed).
 *
 * Protocol: the main side posts compressed chunks (copied) to a pooled
 * worker, which posts back decompressed chunks by transfer (no copy). Flow
 * control is a credit counter in shared memory: the worker blocks on
 * Atomics.wait when the main side holds `CREDITS` unread chunks, so a zstd
 * bomb can never run ahead of the consumer's limit checks. A second shared
 * slot is the cancel flag, which also wakes a blocked worker.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Duplex } from 'node:stream';
import { Worker } from 'node:worker_threads';

/** Decompressed chunk size: large chunks mean few messages (each costs ~20 µs). */
const OUT_CHUNK = 1024 * 1024;
/** Chunks in flight between worker and consumer. */
const CREDITS = 4;

// The worker is plain CommonJS source so it runs the same from src/ (tsx,
// vitest) and from dist/ without a separate build step for a worker file.
const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const binding = require(workerData.binding);
const OUT = workerData.outChunk;
let job = -1, ctl = null, dctx = null, inFrame = false, failed = false;

function waitCredit() {
  for (;;) {
    if (Atomics.load(ctl, 1) !== 0) return false;
    if (Atomics.load(ctl, 0) > 0) return true;
    Atomics.wait(ctl, 0, 0, 1000);
  }
}

parentPort.on('message', (m) => {
  if (m.t === 'start') {
    job = m.job; ctl = new Int32Array(m.ctl); dctx = new binding.DCtx(); inFrame = false; failed = false;
    if (m.windowLogMax) dctx.setParameter(binding.DParameter.windowLogMax, m.windowLogMax);
    return;
  }
  if (m.job !== job || failed || Atomics.load(ctl, 1) !== 0) return;
  if (m.t === 'data') {
    let src = Buffer.from(m.buf, m.off, m.len);
    try {
      for (;;) {
        if (!waitCredit()) return;
        const dst = Buffer.allocUnsafeSlow(OUT);
        const [ret, produced, consumed] = dctx.decompressStream(dst, src);
        src = src.subarray(consumed);
        inFrame = ret !== 0;
        if (produced > 0) {
          Atomics.sub(ctl, 0, 1);
          parentPort.postMessage({ t: 'out', job, buf: dst.buffer, off: dst.byteOffset, len: produced }, [dst.buffer]);
        }
        if (src.length === 0 && produced < OUT) break;
        if (produced === 0 && consumed === 0) throw new Error('zstd decoder made no progress');
      }
    } catch (e) {
      failed = true;
      parentPort.postMessage({ t: 'error', job, message: e && e.message ? e.message : String(e) });
      return;
    }
    parentPort.postMessage({ t: 'consumed', job });
  } else if (m.t === 'end') {
    if (inFrame) { failed = true; parentPort.postMessage({ t: 'error', job, message: 'stream ends in the middle of a zstd frame (truncated)' }); }
    else parentPort.postMessage({ t: 'done', job });
  }
});
`;

interface ToMain {
  t: 'out' | 'consumed' | 'error' | 'done';
  job: number;
  buf?: ArrayBuffer;
  off?: number;
  len?: number;
  message?: string;
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

const idle = new Set<Worker>();
const dead = new WeakSet<Worker>();
let nextJob = 1;

function acquireWorker(binding: string): Worker {
  for (const w of idle) {
    idle.delete(w);
    w.ref();
    return w;
  }
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { binding, outChunk: OUT_CHUNK } });
  // A worker that dies while idle must not be handed out again.
  worker.once('exit', () => {
    dead.add(worker);
    idle.delete(worker);
  });
  return worker;
}

function releaseWorker(w: Worker, listeners: { message: (m: ToMain) => void; error: (e: Error) => void; exit: () => void }): void {
  w.off('message', listeners.message);
  w.off('error', listeners.error);
  w.off('exit', listeners.exit);
  if (dead.has(w)) return;
  if (idle.size >= availableParallelism()) {
    void w.terminate();
    return;
  }
  // An idle worker must not keep the process alive.
  w.unref();
  idle.add(w);
}

export interface ZstdStreamOptions {
  /** log2 of the largest window a frame may ask for; zstd's own default is 27 (128 MiB). */
  windowLogMax?: number;
}

/** A Duplex: compressed bytes in, decompressed bytes out; decoding happens in a worker thread. */
export class ZstdWorkerStream extends Duplex {
  private readonly worker: Worker;
  private readonly job = nextJob++;
  private readonly ctl = new Int32Array(new SharedArrayBuffer(8));
  private pendingWrite: ((err?: Error | null) => void) | undefined;
  private pendingFinal: ((err?: Error | null) => void) | undefined;
  /** Credits owed back to the worker because the readable side was full. */
  private owed = 0;
  private released = false;
  private readonly handlers = {
    message: (m: ToMain) => this.onMessage(m),
    error: (e: Error) => this.fail(e),
    exit: () => this.fail(new Error('zstd worker exited')),
  };

  constructor(options: ZstdStreamOptions = {}) {
    // Readable side: a few MiB of decompressed data at most, in OUT_CHUNK pieces.
    super({ readableHighWaterMark: 2 * OUT_CHUNK, writableHighWaterMark: 1024 * 1024 });
    const binding = zstdBinding();
    if (!binding) throw new Error('zstd-napi is not available');
    this.worker = acquireWorker(binding);
    Atomics.store(this.ctl, 0, CREDITS);
    this.worker.on('message', this.handlers.message);
    this.worker.on('error', this.handlers.error);
    this.worker.on('exit', this.handlers.exit);
    this.worker.postMessage({ t: 'start', job: this.job, ctl: this.ctl.buffer, windowLogMax: options.windowLogMax });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this._writev([{ chunk }], cb);
  }

  /** Everything written while the worker was busy goes over as one message (each costs ~0.1 ms). */
  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (err?: Error | null) => void): void {
    this.pendingWrite = cb;
    let length = 0;
    for (const { chunk } of chunks) length += chunk.length;
    // Copied, then transferred: a chunk may be a view into a buffer its source reuses.
    const copy = new Uint8Array(length);
    let off = 0;
    for (const { chunk } of chunks) {
      copy.set(chunk, off);
      off += chunk.length;
    }
    this.worker.postMessage({ t: 'data', job: this.job, buf: copy.buffer, off: 0, len: length }, [copy.buffer]);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.pendingFinal = cb;
    this.worker.postMessage({ t: 'end', job: this.job });
  }

  override _read(): void {
    if (this.owed > 0) {
      Atomics.add(this.ctl, 0, this.owed);
      this.owed = 0;
      Atomics.notify(this.ctl, 0);
    }
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.release(true);
    cb(err);
  }

  private onMessage(m: ToMain): void {
    if (m.job !== this.job) return;
    switch (m.t) {
      case 'out': {
        const buf = Buffer.from(m.buf as ArrayBuffer, m.off ?? 0, m.len ?? 0);
        if (this.push(buf)) {
          Atomics.add(this.ctl, 0, 1);
          Atomics.notify(this.ctl, 0);
        } else {
          this.owed++;
        }
        break;
      }
      case 'consumed': {
        const cb = this.pendingWrite;
        this.pendingWrite = undefined;
        cb?.();
        break;
      }
      case 'done': {
        this.release(false);
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

  /** Gives the worker back to the pool (or ends it when it may be stuck mid-job). */
  private release(cancel: boolean): void {
    if (this.released) return;
    this.released = true;
    if (cancel) {
      // Wakes a worker blocked on credits; it drops the rest of this job.
      Atomics.store(this.ctl, 1, 1);
      Atomics.notify(this.ctl, 0);
    }
    releaseWorker(this.worker, this.handlers);
  }
}

/** An error the decoder reported about the data (corrupt or truncated input). */
export class ZstdDataError extends Error {
  override name = 'ZstdDataError';
}
