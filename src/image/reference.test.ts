import { describe, expect, it } from 'vitest';
import { StrataError } from '../core/errors.js';
import { manifestReference, parseReference, sameReference } from './reference.js';

const D = `sha256:${'a'.repeat(64)}`;

function usageError(input: string): StrataError {
  try {
    parseReference(input);
  } catch (e) {
    expect(e).toBeInstanceOf(StrataError);
    expect((e as StrataError).code).toBe('usage');
    return e as StrataError;
  }
  throw new Error(`"${input}" parsed but should not`);
}

describe('parseReference', () => {
  it('puts short names on Docker Hub under library/ with the latest tag', () => {
    const r = parseReference('debian');
    expect(r).toMatchObject({ registry: 'docker.io', repository: 'library/debian', tag: 'latest', apiHost: 'registry-1.docker.io' });
    expect(r.name).toBe('docker.io/library/debian:latest');
    expect(parseReference('debian:12').name).toBe('docker.io/library/debian:12');
    expect(parseReference('library/debian:12').name).toBe('docker.io/library/debian:12');
    expect(parseReference('docker.io/debian:12').name).toBe('docker.io/library/debian:12');
    expect(parseReference('index.docker.io/bitnami/redis:7').name).toBe('docker.io/bitnami/redis:7');
    expect(parseReference('bitnami/redis').repository).toBe('bitnami/redis');
  });

  it('treats a first segment with a dot, a port or "localhost" as the registry', () => {
    expect(parseReference('127.0.0.1:5000/test/debian:12')).toMatchObject({
      registry: '127.0.0.1:5000',
      repository: 'test/debian',
      tag: '12',
      apiHost: '127.0.0.1:5000',
      name: '127.0.0.1:5000/test/debian:12',
    });
    expect(parseReference('localhost:5000/x')).toMatchObject({ registry: 'localhost:5000', repository: 'x', tag: 'latest' });
    expect(parseReference('localhost/x')).toMatchObject({ registry: 'localhost', repository: 'x' });
    expect(parseReference('registry.example.com/team/app:1.0')).toMatchObject({ registry: 'registry.example.com', repository: 'team/app' });
    expect(parseReference('[::1]:5000/x:1')).toMatchObject({ registry: '[::1]:5000', repository: 'x', tag: '1' });
    // no slash: "foo:5000" is the image foo with tag 5000, as in Docker
    expect(parseReference('foo:5000').name).toBe('docker.io/library/foo:5000');
  });

  it('keeps digests, with or without a tag; the digest decides what is pulled', () => {
    const byDigest = parseReference(`registry.example.com/team/app@${D}`);
    expect(byDigest.digest).toBe(D);
    expect(byDigest.tag).toBeUndefined();
    expect(byDigest.name).toBe(`registry.example.com/team/app@${D}`);
    expect(manifestReference(byDigest)).toBe(D);
    const both = parseReference(`debian:12@${D}`);
    expect(both).toMatchObject({ tag: '12', digest: D, name: `docker.io/library/debian:12@${D}` });
    expect(manifestReference(both)).toBe(D);
    expect(manifestReference(parseReference('debian:12'))).toBe('12');
  });

  it('accepts the separators of the grammar', () => {
    expect(parseReference('x/a.b_c__d-e---f/g:T_1.x-y').repository).toBe('x/a.b_c__d-e---f/g');
  });

  it('rejects bad references with a usage error that quotes the input', () => {
    expect(usageError('').message).toContain('empty');
    expect(usageError('Debian:12').message).toContain('lowercase');
    expect(usageError('team/App').message).toContain('lowercase');
    expect(usageError('debian:').message).toContain('bad tag');
    expect(usageError('debian:-rc').message).toContain('bad tag');
    expect(usageError(`debian:${'x'.repeat(129)}`).message).toContain('bad tag');
    expect(usageError('debian@sha256:abc').message).toContain('sha256');
    expect(usageError(`debian@md5:${'a'.repeat(32)}`).message).toContain('unsupported digest algorithm');
    expect(usageError('a//b').message).toContain('path component');
    expect(usageError('a/-b').message).toContain('path component');
    expect(usageError('https://registry.example.com/app').message).toContain('scheme');
    expect(usageError('deb ian').message).toContain('white space');
    expect(usageError('a'.repeat(64)).message).toContain('image ID');
    expect(usageError(`registry.example.com/${'a'.repeat(250)}`).message).toContain('255');
    expect(usageError('my_host:5000/x').message).toContain('registry host');
  });
});

describe('sameReference', () => {
  it('compares normalised names', () => {
    expect(sameReference('docker.io/test/debian:12', 'test/debian:12')).toBe(true);
    expect(sameReference('docker.io/library/debian:latest', 'debian')).toBe(true);
    expect(sameReference('test/debian:12', 'test/debian:13')).toBe(false);
    expect(sameReference('NOT A REF', 'debian')).toBe(false);
  });
});
