import { describe, expect, it } from 'vitest';
import { PngCache } from './png-cache.js';

const png = (n: number) => new Uint8Array([n]);

describe('PngCache', () => {
  it('GIVEN many asks for one key at once THEN it renders once and all get the same bytes', async () => {
    const cache = new PngCache(4);
    let renders = 0;
    const render = async () => {
      renders++;
      return png(1);
    };
    const all = await Promise.all(Array.from({ length: 5 }, () => cache.get('a', render)));
    expect(renders).toBe(1);
    expect(new Set(all).size).toBe(1);
    expect(cache.stats()).toEqual({ entries: 1, hits: 4, misses: 1 });
  });

  it('drops the least recently used entry first', async () => {
    const cache = new PngCache(2);
    await cache.get('a', async () => png(1));
    await cache.get('b', async () => png(2));
    await cache.get('a', async () => png(9)); // a is now the most recent
    await cache.get('c', async () => png(3)); // b goes
    expect((await cache.get('a', async () => png(0)))[0]).toBe(1);
    let rendered = false;
    await cache.get('b', async () => {
      rendered = true;
      return png(2);
    });
    expect(rendered).toBe(true);
  });

  it('GIVEN a failed render THEN nothing is cached and the next ask tries again', async () => {
    const cache = new PngCache(2);
    await expect(cache.get('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect((await cache.get('a', async () => png(5)))[0]).toBe(5);
  });
});
