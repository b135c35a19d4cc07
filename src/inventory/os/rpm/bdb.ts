/**
 * Reads the values of a Berkeley DB hash database — rpm's classic
 * `/var/lib/rpm/Packages` (RHEL ≤ 8, CentOS, Amazon Linux 2), where each
 * value is one package's header blob.
 *
 * Layout (Berkeley DB's dbinc/db_page.h): page 0 is the hash metadata page
 * (magic 0x061561 at byte 12, page size at 20, last page number at 32, in
 * the byte order of the machine that wrote it). Hash pages (type 13, or 2
 * for old unsorted ones) hold an array of 16-bit item offsets after a 26-byte
 * header; items alternate key, value. A value is either inline (H_KEYDATA)
 * or, for anything bigger than a fraction of a page, an H_OFFPAGE reference
 * to a chain of overflow pages (type 7) linked by `next_pgno`, each carrying
 * `hf_offset` bytes of data after its header.
 */

export class BdbError extends Error {
  override readonly name = 'BdbError';
}

const HASH_MAGIC = 0x061561;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;
const PAGE_HEADER = 26;

export interface BdbReadResult {
  values: Buffer[];
  /** Problems with single entries or pages; the rest was read. */
  problems: string[];
}

/** True when the bytes start like a Berkeley DB hash database (either byte order). */
export function isBdbHash(buf: Buffer): boolean {
  return buf.length >= 512 && (buf.readUInt32LE(12) === HASH_MAGIC || buf.readUInt32BE(12) === HASH_MAGIC);
}

export function readBdbHashValues(buf: Buffer): BdbReadResult {
  if (!isBdbHash(buf)) throw new BdbError('not a Berkeley DB hash database (bad magic)');
  const le = buf.readUInt32LE(12) === HASH_MAGIC;
  const u16 = (at: number) => (le ? buf.readUInt16LE(at) : buf.readUInt16BE(at));
  const u32 = (at: number) => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));

  const pageSize = u32(20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw new BdbError(`bad page size ${pageSize}`);
  if (buf[24] !== 0) throw new BdbError('encrypted Berkeley DB databases are not supported');
  if (buf[25] !== P_HASHMETA) throw new BdbError(`page 0 is not a hash metadata page (type ${buf[25]})`);

  const problems: string[] = [];
  const pagesInFile = Math.floor(buf.length / pageSize);
  const lastPage = u32(32);
  let pageCount = lastPage + 1;
  if (pageCount > pagesInFile) {
    problems.push(`database is truncated: ${pagesInFile} of ${pageCount} pages present`);
    pageCount = pagesInFile;
  }

  const pageType = (p: number) => buf[p * pageSize + 25];

  // Each overflow page belongs to one value: a page claimed twice means a
  // crafted or corrupt file, and refusing it keeps the total work linear.
  const claimed = new Uint8Array(pageCount);

  /** Follows an overflow chain; every page is read at most once in the whole file. */
  const overflow = (first: number, total: number): Buffer => {
    if (total > (pageCount - 1) * (pageSize - PAGE_HEADER)) throw new BdbError(`value of ${total} bytes cannot fit in the file`);
    const out = Buffer.allocUnsafe(total);
    let filled = 0;
    let page = first;
    const chain = new Set<number>();
    while (filled < total) {
      if (page === 0 || page >= pageCount) throw new BdbError(`overflow chain points to page ${page} outside the file`);
      if (chain.has(page)) throw new BdbError(`overflow chain loops at page ${page}`);
      if (claimed[page]) throw new BdbError(`overflow page ${page} already belongs to another value`);
      chain.add(page);
      claimed[page] = 1;
      if (pageType(page) !== P_OVERFLOW) throw new BdbError(`overflow chain reaches page ${page} of type ${pageType(page)}`);
      const base = page * pageSize;
      const len = Math.min(u16(base + 22), pageSize - PAGE_HEADER, total - filled);
      buf.copy(out, filled, base + PAGE_HEADER, base + PAGE_HEADER + len);
      filled += len;
      page = u32(base + 16);
      if (len === 0 && filled < total) throw new BdbError(`empty overflow page ${page} before the value's end`);
    }
    return out;
  };

  const values: Buffer[] = [];
  for (let p = 1; p < pageCount; p++) {
    const type = pageType(p);
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const base = p * pageSize;
    const entries = u16(base + 20);
    const indexEnd = PAGE_HEADER + entries * 2;
    if (indexEnd > pageSize) {
      problems.push(`page ${p}: ${entries} entries cannot fit`);
      continue;
    }
    // Items alternate key, value: values are the odd ones.
    for (let i = 1; i < entries; i += 2) {
      const off = u16(base + PAGE_HEADER + 2 * i);
      if (off < indexEnd || off >= pageSize) {
        problems.push(`page ${p}, item ${i}: offset ${off} outside the page`);
        continue;
      }
      const at = base + off;
      const itemType = buf[at];
      try {
        if (itemType === H_OFFPAGE) {
          if (off + 12 > pageSize) throw new BdbError('off-page item truncated');
          values.push(overflow(u32(at + 4), u32(at + 8)));
        } else if (itemType === H_KEYDATA) {
          // Inline: the item runs to the previous item's start (items fill the page from its end).
          const prevOff = u16(base + PAGE_HEADER + 2 * (i - 1));
          const end = prevOff > off && prevOff <= pageSize ? prevOff : pageSize;
          values.push(Buffer.from(buf.subarray(at + 1, base + end)));
        }
        // Duplicate-set items are not used by rpm's Packages database.
      } catch (e) {
        problems.push(`page ${p}, item ${i}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  return { values, problems };
}
