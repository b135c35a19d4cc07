/**
 * A cache with a fixed number of entries, least recently used out first.
 * Long-lived stores keep decoded rows in one, so a server re-matching
 * thousands of inventories decodes each hot package once, and memory stays
 * flat however long it runs.
 *
 * Recency is a doubly linked list through the entries (oldest at `head`): a
 * hit moves its entry to the tail by relinking it, without touching the Map
 * (a Map delete+set per hit costs a hash, a tombstone and periodic rehashing).
 */
interface Entry<K, V> {
  readonly key: K;
  value: V;
  prev: Entry<K, V> | undefined;
  next: Entry<K, V> | undefined;
}

export class LruCache<K, V> {
  private readonly entries = new Map<K, Entry<K, V>>();
  private head: Entry<K, V> | undefined;
  private tail: Entry<K, V> | undefined;

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`LruCache capacity must be at least 1, not ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.touch(entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    const known = this.entries.get(key);
    if (known !== undefined) {
      known.value = value;
      this.touch(known);
      return;
    }
    const entry: Entry<K, V> = { key, value, prev: this.tail, next: undefined };
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    this.entries.set(key, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.head;
      if (oldest) {
        this.unlink(oldest);
        this.entries.delete(oldest.key);
      }
    }
  }

  clear(): void {
    this.entries.clear();
    this.head = this.tail = undefined;
  }

  /** Makes the entry the most recent. */
  private touch(entry: Entry<K, V>): void {
    if (entry === this.tail) return;
    this.unlink(entry);
    entry.prev = this.tail;
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
  }

  private unlink(entry: Entry<K, V>): void {
    if (entry.prev) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    entry.prev = entry.next = undefined;
  }
}
