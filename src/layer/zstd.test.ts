import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { zstdCli } from './testing/fixtures.js';
import { ZstdDataError, ZstdWorkerStream } from './zstd.js';

async function decompress(input: Buffer, chunk = 64 * 1024): Promise<Buffer> {
  const out: Buffer[] = [];
  const stream = new ZstdWorkerStream();
  await pipeline(
    Readable.from((function* () {
      for (let i = 0; i < input.length; i += chunk) yield input.subarray(i, i + chunk);
    })()),
    stream,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const c of source) out.push(Buffer.from(c));
      yield* [];
    },
  );
  return Buffer.concat(out);
}

/** Waits until `cond()` holds (polling), failing after `ms`. */
async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('ZstdWorkerStream', () => {
  it('decodes multi-frame input with skippable frames, in any chunking', async () => {
    const a = randomBytes(3 * 1024 * 1024);
    const b = Buffer.from('text '.repeat(500_000));
    const skippable = Buffer.alloc(8 + 5);
    skippable.writeUInt32LE(0x184d2a5e, 0);
    skippable.writeUInt32LE(5, 4);
    const input = Buffer.concat([zstdCli(a), skippable, zstdCli(b)]);
    for (const chunk of [1000, 64 * 1024, input.length]) {
      expect((await decompress(input, chunk)).equals(Buffer.concat([a, b]))).toBe(true);
    }
  });

  it('hashes the compressed input in the worker', async () => {
    const input = zstdCli(Buffer.from('hello '.repeat(100_000)));
    const stream = new ZstdWorkerStream({ hashInput: 'sha256', zeroCopy: true });
    let total = 0;
    stream.on('data', (c: Buffer) => {
      total += c.length;
      stream.release();
    });
    await pipeline(Readable.from([input]), stream);
    expect(total).toBe(600_000);
    expect(stream.inputDigest).toBe(createHash('sha256').update(input).digest('hex'));
  });

  it('zero-copy: the worker waits for released slots, and is reused only once they are all back', async () => {
    const data = randomBytes(20 * 1024 * 1024); // 20 ring slots' worth, the ring has 8
    const input = zstdCli(data);
    const first = new ZstdWorkerStream({ zeroCopy: true });
    const held: Buffer[] = [];
    first.on('data', (c: Buffer) => held.push(c));
    first.end(input);
    await until(() => held.length >= 8);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(held.length).toBe(8); // blocked: every slot is held by the consumer
    const copies = held.map((c) => Buffer.from(c));
    // A second stream now gets another worker, not this one (its slots are in use).
    expect((await decompress(zstdCli(Buffer.from('other')))).toString()).toBe('other');
    expect(held.every((c, i) => c.equals(copies[i] as Buffer))).toBe(true);
    const got: Buffer[] = [...copies];
    first.removeAllListeners('data');
    first.on('data', (c: Buffer) => {
      got.push(Buffer.from(c));
      first.release();
    });
    for (let i = 0; i < 8; i++) first.release();
    await new Promise((resolve) => first.on('end', resolve));
    expect(Buffer.concat(got).equals(data)).toBe(true);
  });

  it('corrupt and truncated input are reported as data errors', async () => {
    const good = zstdCli(Buffer.from(Array.from({ length: 20_000 }, (_, i) => `line ${i * 7919}\n`).join('')));
    await expect(decompress(good.subarray(0, good.length - 20))).rejects.toBeInstanceOf(ZstdDataError);
    const bad = Buffer.from(good);
    bad.fill(0x41, 40, Math.min(good.length - 8, 400));
    await expect(decompress(bad)).rejects.toBeInstanceOf(ZstdDataError);
  });

  it('a destroyed stream cancels a worker blocked on a full ring', async () => {
    const stream = new ZstdWorkerStream({ zeroCopy: true });
    let chunks = 0;
    stream.on('data', () => chunks++);
    stream.on('error', () => undefined);
    stream.write(zstdCli(Buffer.alloc(64 * 1024 * 1024)));
    await until(() => chunks >= 8);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(chunks).toBe(8);
    stream.destroy(new Error('stop'));
    // The pool hands the (now free) worker to the next stream, which must work.
    expect((await decompress(zstdCli(Buffer.from('after')))).toString()).toBe('after');
  });
});
