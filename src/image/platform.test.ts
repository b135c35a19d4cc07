import { describe, expect, it } from 'vitest';
import { StrataError } from '../core/errors.js';
import { MediaTypes, type Descriptor, type ImageIndex } from './manifest.js';
import { choosePlatform, hostPlatform, normalizePlatform, parsePlatform, selectPlatform } from './platform.js';

const entry = (n: number, platform?: Descriptor['platform'], annotations?: Record<string, string>): Descriptor => ({
  mediaType: MediaTypes.ociManifest,
  digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
  size: 500,
  ...(platform ? { platform } : {}),
  ...(annotations ? { annotations } : {}),
});

const amd64 = entry(1, { os: 'linux', architecture: 'amd64' });
const arm64 = entry(2, { os: 'linux', architecture: 'arm64', variant: 'v8' });
const armv7 = entry(3, { os: 'linux', architecture: 'arm', variant: 'v7' });
const armv6 = entry(4, { os: 'linux', architecture: 'arm', variant: 'v6' });
const attestation = entry(5, { os: 'unknown', architecture: 'unknown' }, { 'vnd.docker.reference.type': 'attestation-manifest' });
const index = (...manifests: Descriptor[]): ImageIndex => ({ kind: 'index', mediaType: MediaTypes.ociIndex, manifests });

describe('hostPlatform', () => {
  it('maps Node names to Go names', () => {
    expect(hostPlatform({ platform: 'linux', arch: 'x64' })).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(hostPlatform({ platform: 'linux', arch: 'arm64' })).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(hostPlatform({ platform: 'linux', arch: 'arm', armVersion: '6' })).toEqual({ os: 'linux', architecture: 'arm', variant: 'v6' });
    expect(hostPlatform({ platform: 'linux', arch: 'arm' })).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(hostPlatform({ platform: 'linux', arch: 'ia32' })).toEqual({ os: 'linux', architecture: '386' });
    expect(hostPlatform({ platform: 'linux', arch: 'ppc64', endianness: 'LE' })).toEqual({ os: 'linux', architecture: 'ppc64le' });
    expect(hostPlatform({ platform: 'linux', arch: 's390x' })).toEqual({ os: 'linux', architecture: 's390x' });
    // Docker Desktop runs Linux containers on macOS and Windows
    expect(hostPlatform({ platform: 'darwin', arch: 'arm64' })).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(hostPlatform({ platform: 'win32', arch: 'x64' })).toEqual({ os: 'linux', architecture: 'amd64' });
  });

  it('describes this machine', () => {
    const p = hostPlatform();
    expect(p.os).toBe('linux');
    expect(p.architecture).toBe(process.arch === 'x64' ? 'amd64' : p.architecture);
  });
});

describe('parsePlatform / normalizePlatform', () => {
  it('parses and normalises', () => {
    expect(parsePlatform('linux/amd64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(parsePlatform('linux/arm')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(parsePlatform('Linux/x86_64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(normalizePlatform({ os: 'linux', architecture: 'aarch64' })).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(normalizePlatform({ os: 'linux', architecture: 'armhf' })).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
  });

  it('rejects malformed platforms', () => {
    for (const bad of ['amd64', 'linux/', 'linux/amd64/v1/x', 'linux amd64']) {
      expect(() => parsePlatform(bad)).toThrow(StrataError);
    }
  });
});

describe('selectPlatform', () => {
  const all = index(amd64, arm64, armv7, armv6, attestation);

  it('picks the entry for the wanted platform', () => {
    expect(selectPlatform(all, { os: 'linux', architecture: 'amd64' })).toBe(amd64);
    expect(selectPlatform(all, { os: 'linux', architecture: 'arm64' })).toBe(arm64); // arm64 ≡ arm64/v8
    expect(selectPlatform(all, parsePlatform('linux/arm64/v8'))).toBe(arm64);
    expect(selectPlatform(all, parsePlatform('linux/arm/v7'))).toBe(armv7);
    expect(selectPlatform(all, parsePlatform('linux/arm/v6'))).toBe(armv6);
  });

  it('lets an ARM host run an older variant, never a newer one', () => {
    expect(selectPlatform(index(armv6, amd64), parsePlatform('linux/arm/v7'))).toBe(armv6);
    expect(() => selectPlatform(index(armv7), parsePlatform('linux/arm/v6'))).toThrow(/no manifest for platform linux\/arm\/v6/);
  });

  it('never chooses attestations, and lists what there is', () => {
    const e = (() => {
      try {
        selectPlatform(index(amd64, attestation), { os: 'unknown', architecture: 'unknown' }, { image: 'x' });
      } catch (err) {
        return err as StrataError;
      }
      throw new Error('expected an error');
    })();
    expect(e.code).toBe('not-found');
    expect(e.message).toBe('image x: no manifest for platform unknown/unknown in the image index; it has: linux/amd64 (choose one with --platform)');
  });

  it('takes the only entry when it records no platform', () => {
    const bare = entry(6);
    expect(selectPlatform(index(bare), { os: 'linux', architecture: 'arm64' })).toBe(bare);
  });

  it('falls back to linux/amd64 only when no platform was asked for', () => {
    const warnings: string[] = [];
    const chosen = choosePlatform(index(amd64), undefined, { image: 'x' }, (m) => warnings.push(m), { os: 'linux', architecture: 'arm64' });
    expect(chosen).toBe(amd64);
    expect(warnings[0]).toContain('has no linux/arm64 image; using linux/amd64');
    expect(() => choosePlatform(index(amd64), { os: 'linux', architecture: 'arm64' }, {}, () => undefined)).toThrow(StrataError);
  });
});
