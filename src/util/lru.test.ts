import { describe, expect, it } from 'vitest';
import { LruCache } from './lru.js';

describe('LruCache', () => {
  it('keeps at most its capacity, dropping the least recently used', () => {
    const c = new LruCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('c', 3);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
    expect(c.size).toBe(2);
  });

  it('stays bounded over many distinct keys', () => {
    const c = new LruCache<number, number>(100);
    for (let i = 0; i < 100_000; i++) c.set(i, i);
    expect(c.size).toBe(100);
    expect(c.get(99_999)).toBe(99_999);
    expect(c.get(0)).toBeUndefined();
  });

  it('refuses a capacity below one', () => {
    expect(() => new LruCache(0)).toThrow(/at least 1/);
  });
});
