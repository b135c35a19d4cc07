import { describe, expect, it } from 'vitest';
import { chooseSeverity, cvssScores, scoreOf } from './severity.js';

describe('CVSS scores from vectors', () => {
  it('computes base scores the way FIRST specifies for every version', () => {
    // Reference values: NVD's calculator for these vectors.
    expect(scoreOf('3.1', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe(9.8);
    expect(scoreOf('3.0', 'CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H')).toBe(8.8);
    expect(scoreOf('3.1', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:L/A:N')).toBe(7.2);
    expect(scoreOf('4.0', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toBe(9.3);
    expect(scoreOf('2.0', 'AV:N/AC:L/Au:N/C:P/I:P/A:P')).toBe(7.5);
  });
  it('gives no score for a garbled vector instead of throwing', () => {
    expect(scoreOf('3.1', 'CVSS:3.1/AV:X')).toBeUndefined();
    expect(cvssScores([{ source: 'osv', type: 'CVSS_V3', vector: 'nonsense' }])).toEqual([{ source: 'osv', version: '3.1', vector: 'nonsense' }]);
  });
});

describe('chooseSeverity', () => {
  const nvd31 = { source: 'nvd', type: 'CVSS_V3' as const, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 };
  const nvd2 = { source: 'nvd', type: 'CVSS_V2' as const, vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', score: 7.5 };
  it("prefers the distro's own rating", () => {
    const s = chooseSeverity([{ source: 'debian', type: 'rating', rating: 'LOW', label: 'low' }], [nvd31]);
    expect(s).toMatchObject({ severity: 'LOW', source: 'debian' });
    expect(s.cvss.map((c) => c.score)).toEqual([9.8]);
  });
  it('falls back to CVSS v4, then v3.1, then v2', () => {
    expect(chooseSeverity([], [nvd2, nvd31])).toMatchObject({ severity: 'CRITICAL', source: 'nvd (CVSS 3.1)' });
    expect(chooseSeverity([], [nvd2])).toMatchObject({ severity: 'HIGH', source: 'nvd (CVSS 2.0)' });
    const v4 = { source: 'ghsa', type: 'CVSS_V4' as const, vector: 'CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N' };
    expect(chooseSeverity([], [nvd31, v4])).toMatchObject({ severity: 'MEDIUM', source: 'ghsa (CVSS 4.0)' });
  });
  it("ignores another distro's word for a package that is not its own", () => {
    expect(chooseSeverity([], [{ source: 'ubuntu', type: 'rating', rating: 'MEDIUM', label: 'medium' }])).toMatchObject({ severity: 'UNKNOWN' });
  });
  it('uses a feed word when there is no CVSS, else UNKNOWN', () => {
    expect(chooseSeverity([], [{ source: 'ghsa', type: 'rating', rating: 'HIGH', label: 'HIGH' }])).toMatchObject({ severity: 'HIGH', source: 'ghsa' });
    expect(chooseSeverity([{ source: 'debian', type: 'rating', label: 'not yet assigned' }], [])).toMatchObject({ severity: 'UNKNOWN' });
  });
});
