import { describe, expect, it } from 'vitest';
import { bold, code, mention, plain, reply, rich } from '../../../commands/framework.js';
import type { AlertEvent } from '../../engine/core/types.js';
import type { OutboundMessage } from '../../engine/ports/destination.js';
import { alertDiscordMessage } from './alert.js';
import { buttonRows, DISCORD_LIMITS, interactionOptions, markdown, replyMessage, restMessage } from './message.js';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);

const alert = (over: Partial<AlertEvent> = {}): AlertEvent => ({
  id: 'binance-BTCUSDT-1754923923000-up-0000abcd',
  venue: 'binance',
  symbol: 'BTC/USDT',
  ts: 1_754_923_923_000,
  barTs: 1_754_923_922_000,
  price: 63_870.5,
  direction: 'up',
  change: { pct: 6.4, windowMs: 120_000, fromPrice: 60_000, fromTs: 1_754_923_803_000 },
  score: 0.98,
  detectors: [],
  explanation: 'moved',
  rules: [],
  quoteVolume: 1,
  late: false,
  ...over,
});

describe('Discord message shapes', () => {
  it('escapes Markdown in every span, keeps styles, and writes mentions as <@id>', () => {
    expect(markdown(rich('a *b* _c_ ', bold('x**y'), ' ', code('t`ick'), ' ', mention('123', 'bob')))).toBe('a \\*b\\* \\_c\\_ **x\\*\\*y** `tˋick` <@123>');
    expect(markdown([plain('# not a heading\n- not a list')])).toBe('\\# not a heading\n\\- not a list');
    // A label is shown, never turned into a mention, when the id is not a Discord id.
    expect(markdown([mention('not-an-id', '@everyone')])).toBe('@everyone');
  });

  it('a reply with a chart is an embed showing the attached PNG; a long text moves to an embed; errors are private', () => {
    const withChart = replyMessage(reply(rich(bold('BTC/USDT'), ', last 24h'), { chart: { png: PNG, fileName: 'BTC-USDT-24h.png' } }));
    expect(withChart.content).toBe('');
    expect(withChart.embeds[0]).toMatchObject({ description: '**BTC/USDT**, last 24h', image: { url: 'attachment://BTC-USDT-24h.png' } });
    expect(withChart.files.map((f) => f.name)).toEqual(['BTC-USDT-24h.png']);

    const long = replyMessage(reply('x'.repeat(DISCORD_LIMITS.content + 1)));
    expect(long.content).toBe('');
    expect(long.embeds[0]?.description?.length).toBe(DISCORD_LIMITS.content + 1);

    const err = replyMessage(reply('nope', { private: true, error: true }));
    expect(interactionOptions(err).flags).toBe(64);
    expect(interactionOptions(replyMessage(reply('ok'))).flags).toBeUndefined();
  });

  it('buttons become action rows; an action that does not fit a custom id is left out', () => {
    const rows = buttonRows([[{ label: 'Snooze', action: { type: 'snooze', alertId: 'a1' } }, { label: 'Too long', action: { type: 'chart', alertId: 'x'.repeat(90) } }]]);
    expect(rows).toEqual([{ type: 1, components: [{ type: 2, style: 2, label: 'Snooze', custom_id: 'sz:a1' }] }]);
  });

  it('an alert: mentions in the content, the headline as title, the block as description, the PNG attached and shown, five buttons', () => {
    const msg: OutboundMessage = {
      deliveryId: 'd',
      to: { platform: 'discord', chatId: '1', chatType: 'group' },
      kind: 'alert',
      alerts: [alert()],
      text: '[ALERT] BTC/USDT anomaly detected!\nPrice Change: +6.4% in 2 minutes\nWhy: a *bold* claim',
      mentions: ['111', '222'],
      chart: { png: PNG, fileName: 'a.png' },
    };
    const m = alertDiscordMessage(msg);
    expect(m.content).toBe('🔔 <@111> <@222>');
    expect(m.mentionUsers).toEqual(['111', '222']);
    expect(m.embeds[0]).toMatchObject({
      title: '[ALERT] BTC/USDT anomaly detected!',
      description: 'Price Change: +6.4% in 2 minutes\nWhy: a \\*bold\\* claim',
      color: 0x2ecc71,
      image: { url: 'attachment://a.png' },
      timestamp: new Date(1_754_923_923_000).toISOString(),
    });
    expect(m.components.flatMap((r) => r.components).map((b) => b.custom_id.slice(0, 3))).toEqual(['sz:', 'uw:', 'ch:', 'up:', 'dn:']);
    const rest = restMessage(m);
    expect(rest.body.attachments).toEqual([{ id: 0, filename: 'a.png' }]);
    expect(rest.body.allowed_mentions).toEqual({ parse: [], users: ['111', '222'] });
    expect(rest.files[0]).toMatchObject({ name: 'a.png', contentType: 'image/png' });
  });

  it('a burst has no buttons and a neutral colour; a chart known only by URL is linked, not attached', () => {
    const m = alertDiscordMessage({
      deliveryId: 'd',
      to: { platform: 'discord', chatId: '1' },
      kind: 'burst',
      alerts: [alert(), alert({ symbol: 'ETH/USDT', direction: 'down' })],
      text: '[MARKET-WIDE MOVE] 2 pairs moved within 5 seconds\nBTC/USDT +6.4%',
      mentions: [],
      chart: { url: 'https://charts.example/a.png', fileName: 'a.png' },
    });
    expect(m.components).toEqual([]);
    expect(m.files).toEqual([]);
    expect(m.embeds[0]).toMatchObject({ color: 0xf1c40f, image: { url: 'https://charts.example/a.png' } });
  });
});
