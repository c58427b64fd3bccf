import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../store/memory.js';
import { WindowSnapshots, type SnapshotSource } from './snapshots.js';

describe('WindowSnapshots', () => {
  it('GIVEN windows saved on shutdown THEN the next start restores them and drops bytes the engine cannot use', async () => {
    const store = new MemoryStore();
    const before: SnapshotSource = {
      collect: () => [
        { stream: 'binance:BTC/USDT', data: new Uint8Array([1, 2, 3]) },
        { stream: 'okx:BTC/USDT', data: new Uint8Array([9]) },
      ],
      restore: () => true,
    };
    const first = new WindowSnapshots(store, before);
    first.start(60_000);
    expect(await first.stop()).toBe(2);

    const restored = new Map<string, number[]>();
    const after: SnapshotSource = {
      collect: () => [],
      restore: (stream, data) => {
        if (data.length < 2) return false;
        restored.set(stream, [...data]);
        return true;
      },
    };
    const report = await new WindowSnapshots(store, after).restoreAll();
    expect(report).toEqual({ restored: 1, unusable: ['okx:BTC/USDT'] });
    expect(restored.get('binance:BTC/USDT')).toEqual([1, 2, 3]);
    expect(await store.listSnapshots()).toEqual(['binance:BTC/USDT']);
  });
});
