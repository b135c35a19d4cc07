/**
 * One error type for everything a user can cause or meet: bad references,
 * auth failures, corrupt layers, unreadable feeds. The CLI prints `message`
 * (never a stack) and exits with EXIT_ERROR. `where` fields let the message
 * name the image, the layer digest and the path inside the layer.
 */

export type ErrorCode =
  | 'usage' // bad flags or arguments
  | 'not-found' // image, manifest, blob, file or database not found
  | 'auth' // 401/403 from a registry
  | 'network' // connection failures after retries
  | 'digest-mismatch' // blob digest or diffID does not verify
  | 'unsupported' // media type, manifest schema, format we do not read
  | 'corrupt' // malformed archive, tar, compression stream, database
  | 'unsafe' // path traversal, absolute path, link escaping the image
  | 'limit' // decompression bomb, too many layers or files
  | 'database' // vulnerability database missing, stale schema, corrupt
  | 'io' // local file system errors
  | 'internal';

export interface ErrorWhere {
  image?: string;
  layer?: string;
  path?: string;
}

export class StrataError extends Error {
  readonly code: ErrorCode;
  readonly where: ErrorWhere;
  /** The message without the location prefix. */
  readonly detail: string;

  constructor(code: ErrorCode, detail: string, where: ErrorWhere = {}, options?: { cause?: unknown }) {
    // A message about a local file usually names it already ("no database at P"): say it once.
    const standalonePathNamed = !where.image && !where.layer && where.path !== undefined && detail.includes(where.path);
    super(formatWhere(standalonePathNamed ? {} : where) + detail, options);
    this.name = 'StrataError';
    this.code = code;
    this.where = where;
    this.detail = detail;
  }

  /** Adds location details that an outer stage knows and the inner one did not. */
  at(where: ErrorWhere): StrataError {
    const merged = { ...where, ...this.where };
    if (merged.image === this.where.image && merged.layer === this.where.layer && merged.path === this.where.path) return this;
    return new StrataError(this.code, this.detail, merged, { cause: this.cause });
  }
}

export function formatWhere(where: ErrorWhere): string {
  const parts: string[] = [];
  if (where.image) parts.push(`image ${where.image}`);
  if (where.layer) parts.push(`layer ${where.layer}`);
  if (where.path) parts.push(`path ${where.path}`);
  return parts.length ? parts.join(', ') + ': ' : '';
}

export function isStrataError(e: unknown): e is StrataError {
  return e instanceof StrataError;
}

/** Wraps anything thrown into a StrataError carrying `where`, keeping StrataErrors' own details. */
export function toStrataError(e: unknown, where: ErrorWhere = {}, fallback: ErrorCode = 'internal'): StrataError {
  if (e instanceof StrataError) return e.at(where);
  const err = e as NodeJS.ErrnoException | undefined;
  if (err && typeof err === 'object' && typeof err.code === 'string') {
    if (err.code === 'ENOENT') return new StrataError('not-found', err.message, where, { cause: e });
    if (err.code === 'EACCES' || err.code === 'EISDIR' || err.code === 'ENOTDIR') {
      return new StrataError('io', err.message, where, { cause: e });
    }
    if (err.code === 'Z_DATA_ERROR' || err.code === 'Z_BUF_ERROR') {
      return new StrataError('corrupt', `corrupt compressed stream: ${err.message}`, where, { cause: e });
    }
  }
  const message = e instanceof Error ? e.message : String(e);
  return new StrataError(fallback, message, where, { cause: e });
}

/** Exit codes are a public contract (README "Exit codes"). */
export const EXIT_OK = 0;
/** Any error: bad input, network, corrupt image, missing database when a gate needs one. */
export const EXIT_ERROR = 2;
