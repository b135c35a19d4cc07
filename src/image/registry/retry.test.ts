import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryableStatus, parseRetryAfter, retryDelay, sleep } from './retry.js';

const policy = { retries: 4, baseDelayMs: 100, maxDelayMs: 2000 };

describe('parseRetryAfter', () => {
  const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads HTTP dates relative to now, never negative', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
  });
});

describe('backoff', () => {
  it('grows exponentially with jitter inside the step, capped', () => {
    expect(backoffDelay(0, policy, () => 0)).toBe(10);
    expect(backoffDelay(0, policy, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, () => 1)).toBe(800);
    expect(backoffDelay(10, policy, () => 1)).toBe(2000);
    for (let i = 0; i < 50; i++) {
      const v = backoffDelay(2, policy);
      expect(v).toBeGreaterThanOrEqual(40);
      expect(v).toBeLessThanOrEqual(400);
    }
  });

  it('prefers the server Retry-After, capped', () => {
    expect(retryDelay(0, policy, 1500)).toBe(1500);
    expect(retryDelay(0, policy, 3_600_000)).toBe(2000);
    expect(retryDelay(0, policy, 0)).toBe(0);
  });

  it('retries throttling and server errors only', () => {
    for (const s of [429, 500, 502, 503, 504, 408]) expect(isRetryableStatus(s)).toBe(true);
    for (const s of [200, 400, 401, 403, 404, 501]) expect(isRetryableStatus(s)).toBe(false);
  });

  it('sleep stops when aborted', async () => {
    const ac = new AbortController();
    const p = sleep(10_000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });
});
