/**
 * The package entry point (`import … from 'strata'`, resolved through
 * package.json "exports" to dist/) scans an image end to end, the way a
 * library user would call it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { debianImage } from './support/images.js';

describe('library entry point', () => {
  it('opens, scans and reports an image through the public API', async () => {
    // Self-reference by package name: what `npm install strata` users import.
    const strata = await import('strata');
    const img = debianImage();
    const image = await strata.openImage(img.ociLayout, { from: 'local' });
    let result;
    try {
      result = await strata.scanImage(image, { cache: null });
    } finally {
      await image.close();
    }
    const expected = readFileSync(path.join(img.expected, 'dpkg-query.tsv'), 'utf8').trim().split('\n').length;
    expect(result.os?.ecosystem).toBe('Debian:12');
    expect(result.packages.filter((p) => p.foundBy === 'dpkg')).toHaveLength(expected);
    expect(result.warnings.join('\n')).toMatch(/no vulnerability database/);
    const doc = JSON.parse(await strata.renderReport('json', [result])) as { schemaVersion: number; artifact: { digest: string } };
    expect(doc.schemaVersion).toBe(strata.REPORT_SCHEMA_VERSION);
    const index = JSON.parse(readFileSync(path.join(img.ociLayout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    expect(doc.artifact.digest).toBe(index.manifests[0]?.digest);
  });
});
