import { describe, expect, it } from 'vitest';
import { checkJobId } from '../queue/outcome.js';
import { alertDeliveryId, alertJobId, burstDeliveryId, destinationKey } from './address.js';

describe('delivery ids', () => {
  const to = { platform: 'telegram', chatId: '-100123', threadId: '7' };

  it('are deterministic, distinct per destination and free of the colon BullMQ forbids', () => {
    const a = alertDeliveryId('binance-BTCUSDT-1-up-0000abcd', to);
    expect(a).toBe(alertDeliveryId('binance-BTCUSDT-1-up-0000abcd', { ...to }));
    expect(a).not.toBe(alertDeliveryId('binance-BTCUSDT-1-up-0000abcd', { ...to, threadId: undefined }));
    expect(destinationKey(to)).toBe('telegram:-100123:7');
    for (const id of [a, burstDeliveryId(to, 1_000), alertJobId('odd id: with/slashes')]) expect(checkJobId(id)).toBe(id);
  });

  it('keep an engine alert id as it is and encode any other', () => {
    expect(alertJobId('divergence-okx-BTCUSDT-1-up-00ff')).toBe('divergence-okx-BTCUSDT-1-up-00ff');
    expect(alertJobId('a:b')).not.toBe(alertJobId('a/b'));
  });
});
