import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeAlert } from '../../../test/store/conformance.js';
import { ConsoleDestination } from './console.js';

describe('ConsoleDestination', () => {
  it('prints the alert text and writes the chart PNG into the chart directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tw-console-'));
    const out: string[] = [];
    const alert = makeAlert();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    try {
      await new ConsoleDestination({ write: (t) => out.push(t), chartDir: join(dir, 'alerts') }).send({
        deliveryId: 'd1',
        to: { platform: 'console', chatId: 'stdout' },
        kind: 'alert',
        alerts: [alert],
        text: '[ALERT] BTC/USDT anomaly detected!',
        mentions: [],
        chart: { png, fileName: `${alert.id}.png` },
      });
      const file = join(dir, 'alerts', `${alert.id}.png`);
      expect(new Uint8Array(await readFile(file))).toEqual(png);
      expect(out.join('')).toBe(`[ALERT] BTC/USDT anomaly detected!\nChart: ${file}\n\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
