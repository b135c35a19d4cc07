import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../test/support/paths.js';
import { readZipDirectory, readZipEntry, ZipError } from './zip.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** Debian's `zip` (Info-ZIP) writes the zip64 cross-check archive; without it that test is skipped. */
function hasInfoZip(): boolean {
  try {
    execFileSync('zip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function readAll(buf: Buffer, max = 1 << 20): Record<string, string> {
  const dir = readZipDirectory(buf);
  return Object.fromEntries(dir.entries.map((e) => [e.name, readZipEntry(buf, dir, e, max).toString('utf8')]));
}

interface RawEntry {
  name: string;
  data: Buffer;
  method?: 0 | 8;
  /** Size written in the central directory (defaults to the real one). */
  declaredSize?: number;
  flags?: number;
}

/**
 * A zip written field by field from APPNOTE.TXT, so tests can produce what
 * fflate will not: zip64 records, lying sizes, encryption flags.
 */
function writeZip(entries: RawEntry[], opts: { zip64?: boolean; prefix?: Buffer } = {}): Buffer {
  const prefix = opts.prefix ?? Buffer.alloc(0);
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const method = e.method ?? 8;
    const body = method === 8 ? deflateRawSync(e.data) : e.data;
    const name = Buffer.from(e.name);
    const lfh = Buffer.alloc(30);
    lfh.writeUInt32LE(0x04034b50, 0);
    lfh.writeUInt16LE(20, 4);
    lfh.writeUInt16LE(e.flags ?? 0, 6);
    lfh.writeUInt16LE(method, 8);
    lfh.writeUInt32LE(body.length, 18);
    lfh.writeUInt32LE(e.data.length, 22);
    lfh.writeUInt16LE(name.length, 26);
    const size = e.declaredSize ?? e.data.length;
    const cdh = Buffer.alloc(46);
    cdh.writeUInt32LE(0x02014b50, 0);
    cdh.writeUInt16LE(45, 4);
    cdh.writeUInt16LE(45, 6);
    cdh.writeUInt16LE(e.flags ?? 0, 8);
    cdh.writeUInt16LE(method, 10);
    let extra = Buffer.alloc(0);
    if (opts.zip64) {
      extra = Buffer.alloc(4 + 24);
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(size), 4);
      extra.writeBigUInt64LE(BigInt(body.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
      cdh.writeUInt32LE(0xffffffff, 20);
      cdh.writeUInt32LE(0xffffffff, 24);
      cdh.writeUInt32LE(0xffffffff, 42);
    } else {
      cdh.writeUInt32LE(body.length, 20);
      cdh.writeUInt32LE(size, 24);
      cdh.writeUInt32LE(offset, 42);
    }
    cdh.writeUInt16LE(name.length, 28);
    cdh.writeUInt16LE(extra.length, 30);
    locals.push(lfh, name, body);
    central.push(cdh, name, extra);
    offset += lfh.length + name.length + body.length;
  }
  const cd = Buffer.concat(central);
  const tail: Buffer[] = [];
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  if (opts.zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(entries.length), 24);
    rec.writeBigUInt64LE(BigInt(entries.length), 32);
    rec.writeBigUInt64LE(BigInt(cd.length), 40);
    rec.writeBigUInt64LE(BigInt(offset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(rec, loc);
    eocd.writeUInt16LE(0xffff, 8);
    eocd.writeUInt16LE(0xffff, 10);
    eocd.writeUInt32LE(0xffffffff, 12);
    eocd.writeUInt32LE(0xffffffff, 16);
  } else {
    eocd.writeUInt16LE(entries.length, 8);
    eocd.writeUInt16LE(entries.length, 10);
    eocd.writeUInt32LE(cd.length, 12);
    eocd.writeUInt32LE(offset, 16);
  }
  return Buffer.concat([prefix, ...locals, cd, ...tail, eocd]);
}

describe('readZipDirectory / readZipEntry', () => {
  it('reads stored and deflated entries of an archive fflate wrote', () => {
    const zip = Buffer.from(
      zipSync({
        'META-INF/MANIFEST.MF': [enc('Manifest-Version: 1.0\n'), { level: 0 }],
        'a/b.txt': enc('hello '.repeat(100)),
        'empty.txt': new Uint8Array(0),
      }),
    );
    expect(readAll(zip)).toEqual({ 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n', 'a/b.txt': 'hello '.repeat(100), 'empty.txt': '' });
    const dir = readZipDirectory(zip);
    const stored = dir.entries.find((e) => e.name === 'META-INF/MANIFEST.MF');
    expect(stored?.method).toBe(0);
    // Stored entries are views of the archive, not copies.
    if (stored) expect(readZipEntry(zip, dir, stored, 100).buffer).toBe(zip.buffer);
  });

  it('reads every entry of the real jars and wars in the fixtures', () => {
    for (const f of ['maven.war', 'gradle.war', 'nested.jar', 'io.quarkus.gizmo.gizmo-1.1.1.Final.jar']) {
      const buf = readFileSync(sharedData('fixtures', 'go-dep-parser', 'java-jar', f));
      const dir = readZipDirectory(buf);
      expect(dir.entries.length).toBeGreaterThan(0);
      for (const e of dir.entries) expect(readZipEntry(buf, dir, e, 1 << 24).length).toBe(e.size);
    }
  });

  it('reads zip64 records and archives with a launcher script prepended', () => {
    const entries: RawEntry[] = [
      { name: 'x/pom.properties', data: Buffer.from('groupId=g\n') },
      { name: 'stored.bin', data: Buffer.from('raw bytes'), method: 0 },
    ];
    const want = { 'x/pom.properties': 'groupId=g\n', 'stored.bin': 'raw bytes' };
    expect(readAll(writeZip(entries, { zip64: true }))).toEqual(want);
    const launcher = Buffer.from('#!/bin/sh\nexec java -jar "$0" "$@"\n');
    expect(readAll(writeZip(entries, { prefix: launcher }))).toEqual(want);
    expect(readAll(writeZip(entries, { prefix: launcher, zip64: true }))).toEqual(want);
    expect(readZipDirectory(writeZip(entries, { prefix: launcher })).baseOffset).toBe(launcher.length);
  });

  it.skipIf(!hasInfoZip())('agrees with Info-ZIP on an archive it writes with forced zip64 records', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'strata-zip-'));
    try {
      writeFileSync(path.join(dir, 'a.txt'), 'alpha\n'.repeat(50));
      writeFileSync(path.join(dir, 'b.txt'), 'beta');
      // -fz forces zip64 records; "-" makes zip stream stdin (data descriptor, sizes only in the central directory).
      execFileSync('sh', ['-c', 'cat a.txt | zip -q -fz out.zip - && zip -q -fz out.zip b.txt'], { cwd: dir });
      const zip = readFileSync(path.join(dir, 'out.zip'));
      expect(zip.includes(Buffer.from([0x50, 0x4b, 6, 6]))).toBe(true);
      expect(readAll(zip)).toEqual({ '-': 'alpha\n'.repeat(50), 'b.txt': 'beta' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names what is wrong: not a zip, encrypted, unknown method, lying or excessive sizes', () => {
    expect(() => readZipDirectory(Buffer.from('PK\x03\x04 truncated', 'latin1'))).toThrow('not a zip archive (no end of central directory record)');
    const read = (e: RawEntry, max = 1 << 20) => {
      const zip = writeZip([e]);
      const dir = readZipDirectory(zip);
      return () => readZipEntry(zip, dir, dir.entries[0] as never, max);
    };
    expect(read({ name: 'secret', data: Buffer.from('x'), flags: 1 })).toThrow('secret: encrypted');
    const bz = writeZip([{ name: 'a', data: Buffer.from('x'), method: 0 }]);
    bz.writeUInt16LE(12, bz.indexOf(Buffer.from([0x50, 0x4b, 1, 2])) + 10);
    const bzDir = readZipDirectory(bz);
    expect(() => readZipEntry(bz, bzDir, bzDir.entries[0] as never, 100)).toThrow('a: compression method 12 not supported');
    // A bomb declares a small size and inflates far past it: stopped at the declared size.
    expect(read({ name: 'bomb', data: Buffer.alloc(10_000_000), declaredSize: 1000 })).toThrow('bomb: inflates past its declared 1000 bytes');
    expect(read({ name: 'big', data: Buffer.alloc(5000) }, 4096)).toThrow('big: 5000 bytes uncompressed (limit 4096)');
    try {
      read({ name: 'big', data: Buffer.alloc(5000) }, 4096)();
    } catch (e) {
      expect(e).toBeInstanceOf(ZipError);
      expect((e as ZipError).kind).toBe('limit');
    }
  });

  it('random bytes and mutated archives only ever raise ZipError', () => {
    const real = readFileSync(sharedData('fixtures', 'go-dep-parser', 'java-jar', 'nested.jar'));
    const check = (buf: Buffer) => {
      try {
        const dir = readZipDirectory(buf);
        for (const e of dir.entries) {
          try {
            readZipEntry(buf, dir, e, 1 << 20);
          } catch (err) {
            if (!(err instanceof ZipError)) throw err;
          }
        }
      } catch (err) {
        if (!(err instanceof ZipError)) throw err;
      }
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => check(Buffer.concat([Buffer.from(bytes), Buffer.from([0x50, 0x4b, 5, 6]), Buffer.alloc(18)]))),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: real.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.option(fc.nat({ max: real.length }), { nil: undefined }),
        (edits, cut) => {
          const copy = Buffer.from(real);
          for (const [at, byte] of edits) copy[at] = byte;
          check(cut === undefined ? copy : copy.subarray(0, cut));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
