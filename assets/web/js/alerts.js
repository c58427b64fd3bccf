// Alert feed: live, newest first, filterable by pair, venue, direction and score.
import { $, api, connectLive, detectorChips, directionEl, el, fmtDateTime, fmtDuration, fmtPct, fmtPrice, pctClass, renderTop, scoreEl } from './common.js';

/** Alerts kept on the page; older ones leave as new ones arrive. */
const MAX_FEED = 200;

renderTop('alerts');
const tbody = $('#feed tbody');
const f = { symbol: '', venue: '', direction: '', minScore: 0 };
const shown = new Set();

function matches(a) {
  return (!f.symbol || a.symbol === f.symbol) && (!f.venue || a.venue === f.venue) && (!f.direction || a.direction === f.direction) && a.score >= f.minScore;
}

function row(a, fresh) {
  const consensus = a.consensus ? (a.consensus.kind === 'market-wide' ? `market-wide ${a.consensus.confirming.length}/${a.consensus.fresh.length}` : 'this venue only') : null;
  // Another venue's alert reported this move first: followers of the pair were told once.
  const echo = a.echoOf
    ? el('span', {
        className: 'chip echo-chip',
        textContent: a.echoOf.breakaway ? `part of ${a.echoOf.venue}'s breakaway` : `same move as ${a.echoOf.venue}`,
        title: 'reported before; not sent again to followers of every venue',
      })
    : null;
  return el(
    'tr',
    { className: `alert-row${fresh ? ' new' : ''}${a.echoOf ? ' echo' : ''}`, 'data-alert': a.id },
    el('td', { className: 'num muted', textContent: fmtDateTime(a.ts) }),
    el('td', { className: 'pair-cell' }, el('a', { href: a.links.pair, textContent: a.symbol, title: 'open the pair at this moment' })),
    el('td', { className: 'venue-cell', textContent: a.venue }),
    el('td', {}, directionEl(a.direction)),
    el('td', { className: `num r ${pctClass(a.change.pct)}`, textContent: `${fmtPct(a.change.pct)} / ${fmtDuration(a.change.windowMs)}` }),
    el('td', { className: 'num r', textContent: fmtPrice(a.price) }),
    el('td', { className: 'r' }, scoreEl(a.score, false)),
    el('td', {}, detectorChips(a.detectors.slice(0, 3))),
    el('td', { className: 'why' }, consensus ? el('span', { className: 'chip', textContent: consensus }) : null, consensus ? ' ' : null, echo, echo ? ' ' : null, a.explanation),
  );
}

function add(a, fresh) {
  if (shown.has(a.id) || !matches(a)) return;
  shown.add(a.id);
  const tr = row(a, fresh);
  const before = [...tbody.children].find((r) => Number(r.dataset.ts) < a.ts);
  tr.dataset.ts = String(a.ts);
  tbody.insertBefore(tr, before ?? null);
  while (tbody.children.length > MAX_FEED) {
    shown.delete(tbody.lastChild.dataset.alert);
    tbody.lastChild.remove();
  }
  $('#feed-empty').classList.toggle('hidden', tbody.children.length > 0);
}

/** The snapshot for the filters; `reset` (new filters) empties the list first. Live alerts arriving meanwhile are kept. */
async function load(reset = false) {
  if (reset) {
    tbody.replaceChildren();
    shown.clear();
  }
  const p = new URLSearchParams({ limit: String(MAX_FEED) });
  if (f.symbol) p.set('symbol', f.symbol.replace('/', '-'));
  if (f.venue) p.set('venue', f.venue);
  if (f.direction) p.set('direction', f.direction);
  if (f.minScore > 0) p.set('minScore', String(f.minScore));
  const { alerts } = await api(`/api/alerts?${p}`);
  for (const a of alerts) add(a, false);
  $('#feed-empty').classList.toggle('hidden', tbody.children.length > 0);
  document.body.dataset.loaded = 'true';
}

async function loadChoices() {
  const { streams } = await api('/api/streams');
  const fill = (sel, values) => {
    const cur = sel.value;
    sel.replaceChildren(sel.firstElementChild, ...values.map((v) => el('option', { value: v, textContent: v })));
    sel.value = cur;
  };
  fill($('#f-symbol'), [...new Set(streams.map((s) => s.symbol))].sort());
  fill($('#f-venue'), [...new Set(streams.map((s) => s.venue))].sort());
}

const params = new URLSearchParams(location.search);
f.symbol = (params.get('symbol') ?? '').replace('-', '/');
f.venue = params.get('venue') ?? '';
await loadChoices().catch((err) => console.error('alerts: choices failed', err));
$('#f-symbol').value = f.symbol;
$('#f-venue').value = f.venue;
$('#filters').addEventListener('change', () => {
  f.symbol = $('#f-symbol').value;
  f.venue = $('#f-venue').value;
  f.direction = $('#f-direction').value;
  f.minScore = Math.min(1, Math.max(0, Number($('#f-score').value) || 0));
  load(true).catch((err) => console.error('alerts: load failed', err));
});
$('#filters').addEventListener('submit', (e) => e.preventDefault());

await load().catch((err) => console.error('alerts: load failed', err));
connectLive('/api/events', {
  onOpen: () => load().catch((err) => console.error('alerts: resync failed', err)),
  onUpdate: (u) => {
    for (const a of u.alerts) add(a, true);
  },
});
