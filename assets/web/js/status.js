// Status: feeds, engine, queues, delivery failures and subscription counts.
import { $, api, connectLive, el, fmtAgo, fmtCompact, fmtDateTime, noteServerNow, renderTop, streamStatusEl, throttle } from './common.js';

/** The page reloads the status this often, and soon after any feed status change. */
const REFRESH_MS = 5_000;

renderTop('status');

const cell = (text, cls = 'num r') => el('td', { className: cls, textContent: String(text) });

function render(s) {
  noteServerNow(s.now);
  const f = s.feeds;
  const live = f.byStatus.live ?? 0;
  $('#s-live').textContent = `${live}/${f.streams}`;
  $('#s-live').className = `value${live < f.streams ? ' down' : ''}`;
  $('#s-live-sub').textContent = ['stale', 'reconnecting', 'backfilling'].map((k) => `${f.byStatus[k] ?? 0} ${k}`).join(' · ');
  $('#s-streams').textContent = String(s.engine.streams);
  $('#s-streams-sub').textContent = `${fmtCompact(s.engine.ticks)} trades · ${fmtCompact(s.engine.bars)} bars · ${s.live.clients} live viewers`;

  $('#venues tbody').replaceChildren(
    ...f.venues.map((v) => el('tr', {}, el('td', { className: 'pair-cell', textContent: v.venue }), cell(v.streams), cell(v.byStatus.live ?? 0), cell(v.byStatus.stale ?? 0), cell(v.byStatus.reconnecting ?? 0), cell(v.byStatus.backfilling ?? 0))),
  );
  const now = s.now;
  $('#notlive tbody').replaceChildren(
    ...f.notLive.map((r) =>
      el('tr', { 'data-stream': `${r.venue}:${r.symbol}` }, el('td', { textContent: `${r.venue} ${r.symbol}` }), el('td', {}, streamStatusEl({ status: r.status, feedStatus: r.feedStatus, statusSince: r.since, statusReason: r.reason })), el('td', { className: 'num muted', textContent: r.since ? `${fmtAgo(now - r.since)} ago` : '—' }), el('td', { className: 'reason', textContent: r.reason ?? '' })),
    ),
  );
  $('#notlive-empty').classList.toggle('hidden', f.notLive.length > 0);

  const queues = s.queues ?? [];
  $('#queues tbody').replaceChildren(
    ...queues.map((q) => el('tr', {}, el('td', { textContent: q.name }), cell(q.waiting), cell(q.active), cell(q.delayed), cell(q.failed), cell(q.deadLetters, `num r${q.deadLetters ? ' down' : ''}`))),
  );
  $('#queues-empty').classList.toggle('hidden', queues.length > 0);
  const dead = queues.flatMap((q) => q.recentDeadLetters.map((d) => ({ ...d, queue: q.name }))).sort((a, b) => b.failedAt - a.failedAt);
  $('#dead').replaceChildren(...dead.slice(0, 8).map((d) => el('li', { className: 'alert-item' }, el('span', { className: 'dir down', textContent: '✕' }), el('div', { className: 'what', textContent: d.queue }), el('div', { className: 'when', textContent: `${fmtDateTime(d.failedAt)} · ${d.attempts} tries` }), el('div', { className: 'why', textContent: d.reason }))));
  const deadTotal = queues.reduce((n, q) => n + q.deadLetters, 0);
  $('#s-dead').textContent = s.queues ? String(deadTotal) : '—';
  $('#s-dead').className = `value${deadTotal ? ' down' : ''}`;
  $('#s-dead-sub').textContent = s.queues ? `${queues.length} queues · ${queues.reduce((n, q) => n + q.waiting + q.delayed, 0)} waiting` : 'no queue in this process';

  const failures = s.deliveryFailures ?? [];
  $('#failures tbody').replaceChildren(...failures.map((x) => el('tr', {}, el('td', { textContent: x.platform }), el('td', { className: 'reason', textContent: x.reason }), cell(x.count))));
  $('#failures-empty').classList.toggle('hidden', failures.length > 0);

  const sub = s.subscriptions;
  $('#s-subs').textContent = sub ? String(sub.total) : '—';
  $('#s-subs-sub').textContent = sub ? `${sub.chats} chats · ${sub.pairs} pairs` : 'not available';
  const rows = sub
    ? [['watches', sub.watches], ['channel feeds', sub.feeds], ['paused', sub.paused], ['muted now', sub.muted], ['chats', sub.chats], ['pairs', sub.pairs], ...Object.entries(sub.byPlatform).map(([k, v]) => [`on ${k}`, v])]
    : [['subscriptions', 'not available in this process']];
  $('#subs').replaceChildren(...rows.flatMap(([k, v]) => [el('dt', { textContent: k }), el('dd', { textContent: String(v) })]));
  document.body.dataset.loaded = 'true';
}

const refresh = () => api('/api/status').then(render, (err) => console.error('status: load failed', err));
const soon = throttle(refresh, 1_000);
await refresh();
setInterval(refresh, REFRESH_MS);
connectLive('/api/events', {
  onOpen: refresh,
  onUpdate: (u) => {
    if (u.statuses.length) soon();
  },
});
