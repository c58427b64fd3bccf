/**
 * PNGs by key, least recently used dropped first, and one render per key at a time: an alert
 * delivered to fifty chats is drawn once, even when the fifty ask at the same moment.
 */
export class PngCache {
  private readonly done = new Map<string, Uint8Array>();
  private readonly pending = new Map<string, Promise<Uint8Array>>();
  private hits = 0;
  private misses = 0;

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) throw new RangeError(`PngCache: maxEntries must be a whole number >= 0, got ${maxEntries}`);
  }

  /** The cached PNG for `key`, or the one `render` makes (not cached when it fails). */
  get(key: string, render: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const hit = this.done.get(key);
    if (hit) {
      this.hits++;
      this.done.delete(key);
      this.done.set(key, hit);
      return Promise.resolve(hit);
    }
    const inFlight = this.pending.get(key);
    if (inFlight) {
      this.hits++;
      return inFlight;
    }
    this.misses++;
    const p = render().then(
      (png) => {
        this.pending.delete(key);
        this.put(key, png);
        return png;
      },
      (err: unknown) => {
        this.pending.delete(key);
        throw err;
      },
    );
    this.pending.set(key, p);
    return p;
  }

  private put(key: string, png: Uint8Array): void {
    if (this.maxEntries === 0) return;
    this.done.set(key, png);
    while (this.done.size > this.maxEntries) this.done.delete(this.done.keys().next().value!);
  }

  stats(): { entries: number; hits: number; misses: number } {
    return { entries: this.done.size, hits: this.hits, misses: this.misses };
  }
}
