import { describe, expect, it } from 'vitest';
import { compareLoose, parseCpe, ruleMatches } from './cpe.js';

describe('parseCpe', () => {
  it('reads vendor, product and version, honouring escapes', () => {
    expect(parseCpe('cpe:2.3:a:golang:go:1.20.12:*:*:*:*:*:*:*')).toEqual({ part: 'a', vendor: 'golang', product: 'go', version: '1.20.12' });
    expect(parseCpe('cpe:2.3:a:acme:tool\\:x:2.0:*:*:*:*:*:*:*')?.product).toBe('tool:x');
    expect(parseCpe('cpe:/a:old:format:1')).toBeUndefined();
  });
});

describe('compareLoose', () => {
  it('orders NVD-style versions', () => {
    expect(compareLoose('1.1.1k', '1.1.1l')).toBe(-1);
    expect(compareLoose('2.4.57', '2.4.9')).toBe(1);
    expect(compareLoose('1.0', '1.0.0')).toBe(0);
    expect(compareLoose('1.0', '1.0rc1')).toBe(1);
  });
});

describe('ruleMatches', () => {
  const rule = { vulnerability: 'CVE-2023-39325', criteria: 'cpe:2.3:a:golang:go:*:*:*:*:*:*:*:*', versionEndExcluding: '1.20.10' };
  it('applies version bounds', () => {
    expect(ruleMatches(rule, '1.20.9')).toBe(true);
    expect(ruleMatches(rule, '1.20.10')).toBe(false);
    expect(ruleMatches({ ...rule, versionStartIncluding: '1.21.0', versionEndExcluding: '1.21.3' }, '1.20.9')).toBe(false);
  });
  it('matches exact-version criteria only at that version, and never unbounded wildcards', () => {
    expect(ruleMatches({ vulnerability: 'X', criteria: 'cpe:2.3:a:a:b:1.2:*:*:*:*:*:*:*' }, '1.2')).toBe(true);
    expect(ruleMatches({ vulnerability: 'X', criteria: 'cpe:2.3:a:a:b:1.2:*:*:*:*:*:*:*' }, '1.3')).toBe(false);
    expect(ruleMatches({ vulnerability: 'X', criteria: 'cpe:2.3:a:a:b:*:*:*:*:*:*:*:*' }, '1.3')).toBe(false);
  });
});
