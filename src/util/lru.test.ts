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

  it('agrees with a reference LRU over a long mixed sequence of gets, sets and clears', () => {
    for (const capacity of [1, 2, 3, 7]) {
      const c = new LruCache<number, number>(capacity);
      const reference = new Map<number, number>();
      let seed = capacity;
      const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % 11;
      for (let i = 0; i < 2000; i++) {
        const key = next();
        const op = next();
        if (op < 5) {
          const value = reference.get(key);
          if (value !== undefined) {
            reference.delete(key);
            reference.set(key, value);
          }
          expect(c.get(key)).toBe(value);
        } else if (op < 10) {
          reference.delete(key);
          reference.set(key, i);
          if (reference.size > capacity) reference.delete(reference.keys().next().value as number);
          c.set(key, i);
        } else {
          reference.clear();
          c.clear();
        }
        expect(c.size).toBe(reference.size);
      }
      for (const [key, value] of reference) expect(c.get(key)).toBe(value);
    }
  });

  it('refuses a capacity below one', () => {
    expect(() => new LruCache(0)).toThrow(/at least 1/);
  });
});
