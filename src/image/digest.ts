/**
 * Content digests (`sha256:<64 hex>`) as the OCI image spec defines them:
 * parsing, hashing bytes, and verifying small blobs (manifests, configs)
 * that are read whole. Layer blobs are verified while streaming by src/layer/.
 */
import { createHash } from 'node:crypto';
import { StrataError, type ErrorWhere } from '../core/errors.js';

/** Registered algorithms and the length of their hex encoding. */
const ALGORITHMS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
const DIGEST_RE = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;

export interface ParsedDigest {
  digest: string;
  algorithm: 'sha256' | 'sha384' | 'sha512';
  hex: string;
}

export function parseDigest(digest: string, where: ErrorWhere = {}): ParsedDigest {
  const m = DIGEST_RE.exec(digest);
  if (!m) throw new StrataError('corrupt', `malformed digest "${digest}" (expected algorithm:hex)`, where);
  const algorithm = m[1] as string;
  const hex = m[2] as string;
  const length = ALGORITHMS[algorithm];
  if (length === undefined) throw new StrataError('unsupported', `unsupported digest algorithm "${algorithm}" in "${digest}"`, where);
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex)) {
    throw new StrataError('corrupt', `malformed ${algorithm} digest "${digest}" (expected ${length} lowercase hex digits)`, where);
  }
  return { digest, algorithm: algorithm as ParsedDigest['algorithm'], hex };
}

export function isDigest(s: string): boolean {
  try {
    parseDigest(s);
    return true;
  } catch {
    return false;
  }
}

/** The digest of `bytes` with the given algorithm (sha256 by default). */
export function digestOf(bytes: Uint8Array, algorithm: ParsedDigest['algorithm'] = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/**
 * Throws `digest-mismatch` unless `bytes` hash to `expected`. `what` names the
 * content in the message ("manifest", "config blob").
 */
export function verifyDigest(bytes: Uint8Array, expected: string, what: string, where: ErrorWhere = {}): void {
  const { algorithm } = parseDigest(expected, where);
  const actual = digestOf(bytes, algorithm);
  if (actual !== expected) {
    throw new StrataError('digest-mismatch', `${what} digest mismatch: expected ${expected}, got ${actual}`, where);
  }
}

/** Throws unless `bytes.length` equals the descriptor's size (when one is known). */
export function verifySize(bytes: Uint8Array, expected: number | undefined, what: string, where: ErrorWhere = {}): void {
  if (expected !== undefined && expected >= 0 && bytes.length !== expected) {
    throw new StrataError('digest-mismatch', `${what} size mismatch: descriptor says ${expected} bytes, got ${bytes.length}`, where);
  }
}
