/**
 * Streams the entries of a zip archive (OSV `all.zip`) one at a time with
 * yauzl: memory stays flat however large the archive (the Debian and npm
 * zips hold hundreds of thousands of records). A damaged entry (bad CRC,
 * truncated data) is reported as an error for that entry only; a damaged
 * central directory fails the whole archive.
 */
import yauzl from 'yauzl';
import { StrataError } from '../../core/errors.js';

export interface ZipEntryResult {
  name: string;
  data?: Buffer;
  error?: string;
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true, strictFileNames: false, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) reject(new StrataError('corrupt', `not a readable zip archive: ${err?.message ?? 'unknown error'}`, { path: file }, { cause: err }));
      else resolve(zip);
    });
  });
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) {
        reject(err ?? new Error('no stream'));
        return;
      }
      const parts: Buffer[] = [];
      stream.on('data', (c: Buffer) => parts.push(c));
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(parts)));
    });
  });
}

/** Every file entry (directories skipped), with its bytes or why they could not be read. */
export async function* zipEntries(file: string, filter: (name: string) => boolean = () => true): AsyncGenerator<ZipEntryResult> {
  const zip = await openZip(file);
  const queue: (yauzl.Entry | null | Error)[] = [];
  let wake: (() => void) | undefined;
  const push = (x: yauzl.Entry | null | Error) => {
    queue.push(x);
    wake?.();
    wake = undefined;
  };
  zip.on('entry', (e: yauzl.Entry) => push(e));
  zip.on('end', () => push(null));
  zip.on('error', (e: Error) => push(e));
  try {
    zip.readEntry();
    for (;;) {
      if (queue.length === 0) await new Promise<void>((r) => (wake = r));
      const next = queue.shift();
      if (next === null || next === undefined) return;
      if (next instanceof Error) throw new StrataError('corrupt', `zip archive damaged: ${next.message}`, { path: file }, { cause: next });
      if (!next.fileName.endsWith('/') && filter(next.fileName)) {
        try {
          yield { name: next.fileName, data: await readEntry(zip, next) };
        } catch (e) {
          yield { name: next.fileName, error: e instanceof Error ? e.message : String(e) };
        }
      }
      zip.readEntry();
    }
  } finally {
    // autoClose may already have closed it after the last entry.
    if (zip.isOpen) zip.close();
  }
}

/** The first entry accepted by `filter`, as text (for recognition); undefined if none or unreadable. */
export async function firstZipEntry(file: string, filter: (name: string) => boolean): Promise<string | undefined> {
  try {
    for await (const e of zipEntries(file, filter)) {
      if (e.data) return e.data.toString('utf8');
    }
  } catch {
    return undefined;
  }
  return undefined;
}
