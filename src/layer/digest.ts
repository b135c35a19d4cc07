/** Streaming digests of layer blobs and diffIDs (`algorithm:hex`, OCI registered algorithms). */
import { createHash, type Hash } from 'node:crypto';
import { StrataError, type ErrorWhere } from '../core/errors.js';

const HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

export interface ExpectedDigest {
  algorithm: string;
  digest: string;
}

export function expectDigest(digest: string, what: string, where: ErrorWhere): ExpectedDigest {
  const colon = digest.indexOf(':');
  const algorithm = colon > 0 ? digest.slice(0, colon) : '';
  const hex = digest.slice(colon + 1);
  const length = HEX_LENGTH[algorithm];
  if (colon <= 0) throw new StrataError('corrupt', `malformed ${what} "${digest}" (expected algorithm:hex)`, where);
  if (length === undefined) throw new StrataError('unsupported', `unsupported digest algorithm "${algorithm}" in ${what} ${digest}`, where);
  if (hex.length !== length || !/^[0-9a-f]+$/.test(hex)) {
    throw new StrataError('corrupt', `malformed ${what} "${digest}" (expected ${length} lowercase hex digits)`, where);
  }
  return { algorithm, digest };
}

export function newHash(expected: ExpectedDigest): Hash {
  return createHash(expected.algorithm);
}

/** The finished digest of `hash` as `algorithm:hex` (a Hash can be finished once). */
export function finishHash(hash: Hash, expected: ExpectedDigest): string {
  return `${expected.algorithm}:${hash.digest('hex')}`;
}

/** Throws `digest-mismatch` naming both digests unless they are equal. */
export function checkDigest(actual: string, expected: ExpectedDigest, what: string, where: ErrorWhere): void {
  if (actual !== expected.digest) {
    throw new StrataError('digest-mismatch', `${what} mismatch: expected ${expected.digest}, actual ${actual}`, where);
  }
}
