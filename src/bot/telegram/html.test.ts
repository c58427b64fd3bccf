import { describe, expect, it } from 'vitest';
import { bold, code, mention, plain, rich } from '../../../commands/framework.js';
import { readTelegramHtml } from '../../../test/fakes/telegram/html.js';
import { toTelegramHtml, truncateRich, visibleLength } from './html.js';

describe('Telegram HTML', () => {
  it('escapes every span and renders styles and mentions as the Bot API reads them', () => {
    const html = toTelegramHtml(rich('a < b & c > d ', bold('<b>'), ' ', code('x&y'), ' ', mention('42', 'Bob <admin>'), ' ', mention('not-a-number', 'x')));
    expect(html).toBe('a &lt; b &amp; c &gt; d <b>&lt;b&gt;</b> <code>x&amp;y</code> <a href="tg://user?id=42">Bob &lt;admin&gt;</a> x');
    expect(readTelegramHtml(html)).toEqual({ ok: true, text: 'a < b & c > d <b> x&y Bob <admin> x', links: ['tg://user?id=42'] });
  });

  it('truncates to a visible length with an ellipsis, keeping styles', () => {
    const t = truncateRich([bold('abcdef'), plain('ghij')], 5);
    expect(t).toEqual([bold('abcd'), plain('…')]);
    expect(visibleLength(t)).toBe(5);
    const short = [plain('ok')];
    expect(truncateRich(short, 5)).toBe(short);
  });
});
