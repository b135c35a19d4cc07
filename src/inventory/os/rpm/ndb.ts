/**
 * Reads the package blobs of an rpm NDB database (`Packages.db`, SUSE's
 * default since SLE 15 SP3; rpm's lib/backend/ndb/rpmpkg.c), all fields
 * little-endian:
 *
 * - a 32-byte header: magic `RpmP`, version 0, generation, number of 4 KiB
 *   slot pages;
 * - slot pages of 16-byte slots (magic `Slot`, package index, block offset,
 *   block count; block offset 0 = free slot), the first two slots being the
 *   header;
 * - blobs at `block offset × 16`: a 16-byte head (magic `BlbS`, package
 *   index, timestamp, length), the header blob, padding, and a 12-byte tail
 *   (adler32, length, magic `BlbE`) ending the slot's blocks.
 */

export class NdbError extends Error {
  override readonly name = 'NdbError';
}

const fourCC = (s: string) => s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | ((s.charCodeAt(3) << 24) >>> 0);
const DB_MAGIC = fourCC('RpmP') >>> 0;
const SLOT_MAGIC = fourCC('Slot') >>> 0;
const BLOB_HEAD_MAGIC = fourCC('BlbS') >>> 0;
const BLOB_TAIL_MAGIC = fourCC('BlbE') >>> 0;
const PAGE = 4096;
const SLOT = 16;
const BLOCK = 16;
const HEAD = 16;
const TAIL = 12;
/** go-rpmdb's sanity bound: 2048 slot pages = 524k packages. */
const MAX_SLOT_PAGES = 2048;

export function isNdb(buf: Buffer): boolean {
  return buf.length >= 32 && buf.readUInt32LE(0) === DB_MAGIC;
}

export interface NdbReadResult {
  values: Buffer[];
  problems: string[];
}

export function readNdbBlobs(buf: Buffer): NdbReadResult {
  if (!isNdb(buf)) throw new NdbError('not an rpm NDB database (bad magic)');
  const version = buf.readUInt32LE(4);
  if (version !== 0) throw new NdbError(`unsupported NDB version ${version}`);
  const slotPages = buf.readUInt32LE(12);
  if (slotPages === 0 || slotPages > MAX_SLOT_PAGES) throw new NdbError(`bad slot page count ${slotPages}`);
  if (slotPages * PAGE > buf.length) throw new NdbError(`truncated: ${slotPages} slot pages do not fit in ${buf.length} bytes`);

  const values: Buffer[] = [];
  const problems: string[] = [];
  const firstDataBlock = (slotPages * PAGE) / BLOCK;
  const fileBlocks = Math.floor(buf.length / BLOCK);
  const slots: { pkgidx: number; blkoff: number; blkcnt: number }[] = [];
  for (let off = 2 * SLOT; off < slotPages * PAGE; off += SLOT) {
    if (buf.readUInt32LE(off) !== SLOT_MAGIC) {
      problems.push(`slot ${off / SLOT}: bad magic`);
      continue;
    }
    const blkoff = buf.readUInt32LE(off + 8);
    if (blkoff === 0) continue; // free slot
    slots.push({ pkgidx: buf.readUInt32LE(off + 4), blkoff, blkcnt: buf.readUInt32LE(off + 12) });
  }
  // rpm lists packages in block order.
  slots.sort((a, b) => a.blkoff - b.blkoff);
  let usedUpTo = firstDataBlock;
  for (const { pkgidx, blkoff, blkcnt } of slots) {
    const where = `package ${pkgidx}`;
    if (pkgidx === 0 || blkcnt === 0 || blkoff < firstDataBlock || blkoff + blkcnt > fileBlocks) {
      problems.push(`${where}: slot points outside the data area (block ${blkoff}+${blkcnt})`);
      continue;
    }
    // Blobs never share blocks (rpm refuses overlapping slots); a crafted file could otherwise make every slot decode the same huge blob.
    if (blkoff < usedUpTo) {
      problems.push(`${where}: blob overlaps the previous one (block ${blkoff})`);
      continue;
    }
    const start = blkoff * BLOCK;
    const end = start + blkcnt * BLOCK;
    if (buf.readUInt32LE(start) !== BLOB_HEAD_MAGIC || buf.readUInt32LE(start + 4) !== pkgidx) {
      problems.push(`${where}: bad blob header`);
      continue;
    }
    const length = buf.readUInt32LE(start + 12);
    if (HEAD + length + TAIL > end - start || Math.ceil((HEAD + length + TAIL) / BLOCK) !== blkcnt) {
      problems.push(`${where}: blob length ${length} does not match its ${blkcnt} blocks`);
      continue;
    }
    if (buf.readUInt32LE(end - TAIL + 4) !== length || buf.readUInt32LE(end - TAIL + 8) !== BLOB_TAIL_MAGIC) {
      problems.push(`${where}: bad blob trailer`);
      continue;
    }
    values.push(buf.subarray(start + HEAD, start + HEAD + length));
    usedUpTo = blkoff + blkcnt;
  }
  return { values, problems };
}
