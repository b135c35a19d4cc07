import { describe, expect, it } from 'vitest';
import type { AffectedRange } from '../core/advisory.js';
import { affectedByFix, dpkg, evaluateRanges, golang, pep440, semver } from './index.js';

const eco = (...events: AffectedRange['events']): AffectedRange => ({ type: 'ECOSYSTEM', events });
const sem = (...events: AffectedRange['events']): AffectedRange => ({ type: 'SEMVER', events });

describe('evaluateRanges (OSV semantics)', () => {
  it('introduced/fixed: inside, at the fix, before the introduction; says which events decided', () => {
    const r = [sem({ introduced: '1.0.0' }, { fixed: '1.2.3' })];
    expect(evaluateRanges(semver, '1.2.0', r)).toEqual({ affected: true, rangeIndex: 0, introduced: '1.0.0', fixed: '1.2.3', reason: '1.2.0 >= introduced 1.0.0 and < fixed 1.2.3' });
    expect(evaluateRanges(semver, '1.2.3', r)).toMatchObject({ affected: false, reason: 'not affected: range 0 (SEMVER): 1.2.3 >= fixed 1.2.3' });
    expect(evaluateRanges(semver, '0.9.0', r)).toMatchObject({ affected: false, reason: 'not affected: range 0 (SEMVER): 0.9.0 < introduced 1.0.0' });
    expect(evaluateRanges(semver, '1.0.0', r).affected).toBe(true);
  });

  it('introduced 0 sorts before everything; a range with no fix affects everything after', () => {
    expect(evaluateRanges(dpkg, '0:0~', [eco({ introduced: '0' })])).toMatchObject({ affected: true, reason: '0:0~ >= introduced 0 (no fixed version)' });
    expect(evaluateRanges(dpkg, '1.0-1', [eco({ introduced: '0' }, { fixed: '1.0-2' })])).toMatchObject({ affected: true, fixed: '1.0-2' });
  });

  it('last_affected is inclusive', () => {
    const r = [eco({ introduced: '0' }, { last_affected: '2.1.214' })];
    expect(evaluateRanges(pep440, '2.1.214', r)).toMatchObject({ affected: true, lastAffected: '2.1.214', reason: '2.1.214 >= introduced 0 and <= last_affected 2.1.214' });
    expect(evaluateRanges(pep440, '2.1.214.post1', r).affected).toBe(false);
  });

  it('sorts unsorted events by version and handles several intervals in one range', () => {
    const r = [sem({ fixed: '3.2.5' }, { introduced: '3.0.0' }, { fixed: '1.0.2' }, { introduced: '1.0.0' })];
    expect(evaluateRanges(semver, '1.0.1', r)).toMatchObject({ affected: true, introduced: '1.0.0', fixed: '1.0.2' });
    expect(evaluateRanges(semver, '2.0.0', r).affected).toBe(false);
    expect(evaluateRanges(semver, '3.1.0', r)).toMatchObject({ affected: true, introduced: '3.0.0', fixed: '3.2.5' });
    expect(evaluateRanges(semver, '3.2.5', r).affected).toBe(false);
  });

  it('several ranges: the first that contains the version decides', () => {
    const r = [sem({ introduced: '1.0.0' }, { fixed: '1.0.2' }), sem({ introduced: '2.0.0' }, { fixed: '2.0.5' })];
    expect(evaluateRanges(semver, '2.0.1', r)).toMatchObject({ affected: true, rangeIndex: 1 });
    const no = evaluateRanges(semver, '1.5.0', r);
    expect(no.affected).toBe(false);
    expect(no.reason).toContain('range 0 (SEMVER): 1.5.0 >= fixed 1.0.2');
    expect(no.reason).toContain('range 1 (SEMVER): 1.5.0 < introduced 2.0.0');
  });

  it('limit: versions at or above every limit are outside the range; "*" is infinity', () => {
    const r = [eco({ introduced: '1.0' }, { limit: '2.0' })];
    expect(evaluateRanges(pep440, '1.5', r)).toMatchObject({ affected: true, limit: '2.0', reason: '1.5 >= introduced 1.0 and < limit 2.0 (no fixed version)' });
    expect(evaluateRanges(pep440, '2.0', r)).toMatchObject({ affected: false, reason: 'not affected: range 0 (ECOSYSTEM): 2.0 >= limit 2.0' });
    expect(evaluateRanges(pep440, '9.0', [eco({ introduced: '1.0' }, { limit: '*' })]).affected).toBe(true);
  });

  it('SEMVER ranges use SemVer precedence even for Go, whose versions carry a v', () => {
    const r = [sem({ introduced: '0' }, { fixed: '0.0.0-20220315160706-3147a52a75dd' })];
    expect(evaluateRanges(golang, 'v0.0.0-20211209124913-491a49abca63', r).affected).toBe(true);
    expect(evaluateRanges(golang, 'v0.0.0-20220315160706-3147a52a75dd', r).affected).toBe(false);
    expect(evaluateRanges(golang, 'v2.1.0+incompatible', [sem({ introduced: '2.0.0' }, { fixed: '2.1.0' })]).affected).toBe(false);
    // PyPI versions that are not SemVer cannot be evaluated in a SEMVER range: skipped, not guessed.
    const m = evaluateRanges(pep440, '1.0.post1', [sem({ introduced: '0' }, { fixed: '2.0.0' })]);
    expect(m.affected).toBe(false);
    expect(m.skipped).toEqual(['range 0 (SEMVER): installed version 1.0.post1 is not a valid SemVer 2.0 version']);
  });

  it('the explicit versions list, matching equal spellings too', () => {
    expect(evaluateRanges(pep440, '2.8.0.post1', [], ['2.8.0', '2.8.0.post1'])).toEqual({ affected: true, listed: true, reason: '2.8.0.post1 is listed as affected' });
    expect(evaluateRanges(pep440, '2.8', [], ['2.8.0'])).toMatchObject({ affected: true, listed: true, reason: '2.8 is listed as affected (as 2.8.0)' });
    expect(evaluateRanges(pep440, '2.9', [], ['2.8.0']).affected).toBe(false);
  });

  it('GIT ranges and garbled versions are skipped with a reason, never matched', () => {
    const git: AffectedRange = { type: 'GIT', repo: 'https://github.com/pikepdf/pikepdf', events: [{ introduced: '0' }, { fixed: '3f38f73218e5e782fe411ccbb3b44a793c0b343a' }] };
    const m = evaluateRanges(pep440, '2.9.0', [git, eco({ introduced: '2.8.0' }, { fixed: '2.10.0' })]);
    expect(m).toMatchObject({ affected: true, rangeIndex: 1 });
    expect(m.skipped?.[0]).toContain('GIT ranges name commits of https://github.com/pikepdf/pikepdf');
    const bad = evaluateRanges(dpkg, '1.0-1', [eco({ introduced: '0' }, { fixed: 'not-a-version' })]);
    expect(bad.affected).toBe(false);
    expect(bad.skipped).toEqual(['range 0 (ECOSYSTEM): fixed "not-a-version" is not a valid dpkg version']);
    expect(bad.reason).toBe('not evaluated: every range was skipped');
    expect(evaluateRanges(dpkg, '1.0', [eco({ fixed: '2.0' })]).skipped).toEqual(['range 0 (ECOSYSTEM): no introduced event']);
    expect(evaluateRanges(dpkg, '1.0', [eco({ introduced: '0', fixed: '2.0' })]).skipped?.[0]).toContain('exactly one of');
  });

  it('an advisory with nothing to evaluate', () => {
    expect(evaluateRanges(dpkg, '1.0', [])).toEqual({ affected: false, reason: 'the advisory has no ranges or versions' });
  });
});

describe('affectedByFix (distro advisories)', () => {
  it('below the fix, at the fix, unfixed, garbled', () => {
    expect(affectedByFix(dpkg, '1.2.3-1', '1.2.3-1+deb12u1')).toMatchObject({ affected: true, fixed: '1.2.3-1+deb12u1', reason: '1.2.3-1 < fixed 1.2.3-1+deb12u1' });
    expect(affectedByFix(dpkg, '1.2.3-1+deb12u1', '1.2.3-1+deb12u1')).toEqual({ affected: false, fixed: '1.2.3-1+deb12u1', reason: '1.2.3-1+deb12u1 >= fixed 1.2.3-1+deb12u1' });
    expect(affectedByFix(dpkg, '1.2.3-1')).toMatchObject({ affected: true, reason: '1.2.3-1: no fixed version yet' });
    expect(affectedByFix(dpkg, '1.2.3-1', '<unfixed>')).toEqual({ affected: false, reason: 'not evaluated', skipped: ['fixed "<unfixed>" is not a valid dpkg version'] });
  });
});
