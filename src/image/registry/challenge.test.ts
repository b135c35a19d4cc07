import { describe, expect, it } from 'vitest';
import { parseChallenges } from './challenge.js';

describe('parseChallenges', () => {
  it("reads Docker Hub's bearer challenge", () => {
    const h = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/debian:pull"';
    expect(parseChallenges(h)).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/debian:pull' } },
    ]);
  });

  it('reads several challenges, spaces, escapes and unquoted values', () => {
    const h = 'Basic realm="scanner \\"test\\" registry", Bearer realm=https://x/token, service="a,b" ,scope="repository:a/b:pull,push"';
    expect(parseChallenges(h)).toEqual([
      { scheme: 'basic', params: { realm: 'scanner "test" registry' } },
      { scheme: 'bearer', params: { realm: 'https://x/token', service: 'a,b', scope: 'repository:a/b:pull,push' } },
    ]);
  });

  it('handles empty and odd headers', () => {
    expect(parseChallenges(null)).toEqual([]);
    expect(parseChallenges('')).toEqual([]);
    expect(parseChallenges('Basic')).toEqual([{ scheme: 'basic', params: {} }]);
    expect(parseChallenges('BEARER Realm="r"')).toEqual([{ scheme: 'bearer', params: { realm: 'r' } }]);
  });
});
