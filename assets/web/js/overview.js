// Overview: every stream, each symbol's composite, the latest alerts, all live.
import { $, alertItem, api, connectLive, drawSpark, drawTrail, el, fmtPct, formatScore, fmtPrice, noteServerNow, pairUrl, pctClass, renderTop, scoreEl, statusDetail, streamStatusEl, throttle } from './common.js';

/** Alerts listed beside the table. */
const SIDEBAR_ALERTS = 8;
/** Rows are re-sorted at most this often while prices move (a table that jumps cannot be read). */
const RESORT_MS = 2_000;
const HOUR = 3_600_000;
/** Alert times kept for the "last hour" count; beyond, the count shows this many. */
const MAX_HOUR_ALERTS = 500;
/** A score this high is "hot" for the filter. */
const HOT_SCORE = 0.9;

const rows = new Map();
const symbolCards = new Map();
/** Alert id -> time, for the last-hour count. */
const hourAlerts = new Map();
let meta = { longBarMs: 60_000, shortBarMs: 1_000, scoreTrailBucketMs: 5_000, sparkPoints: 60, trailPoints: 60 };
const view = { key: 'symbol', dir: 1, text: '', status: '', hot: false };

renderTop('overview');
const tbody = $('#streams tbody');

function idOf(d) {
  return `${d.venue}:${d.symbol}`;
}

function makeRow(d) {
  const cells = {
    pair: el('td', { className: 'pair-cell' }, el('a', { href: pairUrl(d.symbol), textContent: d.symbol })),
    venue: el('td', { className: 'venue-cell', textContent: d.venue }),
    status: el('td', { className: 'status-cell' }),
    price: el('td', { className: 'price r' }),
    c5: el('td', { className: 'num r' }),
    c1h: el('td', { className: 'num r' }),
    spark: el('td', {}, el('canvas', { className: 'spark', width: 110, height: 26 })),
    score: el('td', { className: 'r score-cell' }),
    trail: el('td', {}, el('canvas', { className: 'trail', width: 90, height: 22 })),
  };
  const tr = el('tr', { className: 'row-link', 'data-stream': idOf(d) }, ...Object.values(cells));
  tr.addEventListener('click', (e) => {
    if (e.target.tagName !== 'A') location.href = pairUrl(d.symbol);
  });
  const row = { d: { ...d }, tr, cells, sparkBucket: null, trailBucket: null, shownPrice: null };
  row.sparkBucket = d.ts === null ? null : Math.floor((d.ts - meta.shortBarMs) / meta.longBarMs);
  row.trailBucket = d.ts === null || !d.scoreTrail.length ? null : Math.floor(d.ts / meta.scoreTrailBucketMs);
  rows.set(idOf(d), row);
  tbody.append(tr);
  paint(row, false);
  return row;
}

function paint(row, flash) {
  const d = row.d;
  const c = row.cells;
  c.status.replaceChildren(streamStatusEl(d));
  row.tr.dataset.status = d.status;
  if (d.price !== row.shownPrice) {
    if (flash && row.shownPrice !== null && d.price !== null) {
      c.price.classList.remove('flash-up', 'flash-down');
      void c.price.offsetWidth;
      c.price.classList.add(d.price > row.shownPrice ? 'flash-up' : 'flash-down');
    }
    c.price.textContent = fmtPrice(d.price);
    row.shownPrice = d.price;
  }
  c.c5.textContent = fmtPct(d.change5m);
  c.c5.className = `num r ${pctClass(d.change5m)}`;
  c.c1h.textContent = fmtPct(d.change1h);
  c.c1h.className = `num r ${pctClass(d.change1h)}`;
  c.score.replaceChildren(scoreEl(d.score, d.warmingUp));
  drawSpark(c.spark.firstChild, d.spark);
  drawTrail(c.trail.firstChild, d.scoreTrail);
}

function applyUpdate(u) {
  const id = idOf(u);
  let row = rows.get(id);
  if (!row) row = makeRow({ ...u, status: 'unknown', feedStatus: 'unknown', statusSince: null, statusReason: null, spark: [], scoreTrail: [], slug: '' });
  const d = row.d;
  if (d.ts !== null && u.ts < d.ts) return;
  Object.assign(d, { price: u.price, ts: u.ts, score: u.score, sign: u.sign, warmingUp: u.warmingUp, change5m: u.change5m, change1h: u.change1h });
  const bucket = Math.floor((u.ts - meta.shortBarMs) / meta.longBarMs);
  if (row.sparkBucket === bucket && d.spark.length) d.spark[d.spark.length - 1] = u.price;
  else {
    d.spark.push(u.price);
    if (d.spark.length > meta.sparkPoints) d.spark.splice(0, d.spark.length - meta.sparkPoints);
  }
  row.sparkBucket = bucket;
  if (!u.warmingUp) {
    const tb = Math.floor(u.ts / meta.scoreTrailBucketMs);
    if (row.trailBucket === null || !d.scoreTrail.length) d.scoreTrail = [u.score];
    else if (tb === row.trailBucket) d.scoreTrail[d.scoreTrail.length - 1] = Math.max(d.scoreTrail[d.scoreTrail.length - 1], u.score);
    else if (tb > row.trailBucket) {
      for (let i = row.trailBucket + 1; i < tb && i < row.trailBucket + meta.trailPoints; i++) d.scoreTrail.push(0);
      d.scoreTrail.push(u.score);
    }
    if (d.scoreTrail.length > meta.trailPoints) d.scoreTrail.splice(0, d.scoreTrail.length - meta.trailPoints);
    row.trailBucket = Math.max(row.trailBucket ?? tb, tb);
  }
  paint(row, true);
}

function applyStatus(s) {
  const row = rows.get(idOf(s));
  if (!row) return;
  Object.assign(row.d, { status: s.status, feedStatus: s.feedStatus, statusSince: s.since, statusReason: s.reason });
  paint(row, false);
}

function renderSymbol(s) {
  let card = symbolCards.get(s.symbol);
  if (!card) {
    card = el('a', { className: 'symbol-card', href: pairUrl(s.symbol), 'data-symbol': s.symbol });
    symbolCards.set(s.symbol, card);
    const box = $('#symbols');
    const after = [...box.children].find((c) => c.dataset.symbol > s.symbol);
    box.insertBefore(card, after ?? null);
  }
  const note = s.diverging
    ? el('div', { className: 'diverging', textContent: `⚠ ${s.diverging.venue} ${fmtPct(s.diverging.pct, 2)} from composite` })
    : el('div', { className: 'agree', textContent: s.venues.length > 1 ? 'venues agree' : s.venues.length === 1 ? 'one live venue' : 'no live venue' });
  card.replaceChildren(
    el('div', { className: 'name' }, el('span', { textContent: s.symbol })),
    el('div', { className: 'price', textContent: fmtPrice(s.composite) }),
    el('div', { className: 'venues', textContent: s.venues.length ? s.venues.join(' · ') : '—' }),
    note,
  );
}

function addAlert(a, fresh) {
  countAlert(a);
  const list = $('#latest');
  if (list.querySelector(`[data-alert="${CSS.escape(a.id)}"]`)) return;
  const oldest = list.lastElementChild;
  if (list.children.length >= SIDEBAR_ALERTS && oldest && Number(oldest.dataset.ts) >= a.ts) return;
  const item = alertItem(a, { fresh });
  item.dataset.ts = String(a.ts);
  const after = [...list.children].find((li) => Number(li.dataset.ts) < a.ts);
  list.insertBefore(item, after ?? null);
  while (list.children.length > SIDEBAR_ALERTS) list.lastChild.remove();
  $('#latest-empty').classList.add('hidden');
}

function countAlert(a) {
  hourAlerts.set(a.id, a.ts);
  while (hourAlerts.size > MAX_HOUR_ALERTS) hourAlerts.delete(hourAlerts.keys().next().value);
}

function compare(a, b) {
  const k = view.key;
  const x = a.d[k];
  const y = b.d[k];
  if (x === y) return a.d.symbol < b.d.symbol ? -1 : a.d.symbol > b.d.symbol ? 1 : a.d.venue < b.d.venue ? -1 : 1;
  if (x === null || x === undefined) return 1;
  if (y === null || y === undefined) return -1;
  return (x < y ? -1 : 1) * view.dir;
}

function arrange() {
  const all = [...rows.values()].sort(compare);
  const text = view.text.toLowerCase();
  let shown = 0;
  for (const r of all) {
    const ok = (!text || r.d.symbol.toLowerCase().includes(text) || r.d.venue.includes(text)) && (!view.status || r.d.status === view.status) && (!view.hot || r.d.score >= HOT_SCORE);
    r.tr.classList.toggle('hidden', !ok);
    if (ok) shown++;
    tbody.append(r.tr);
  }
  $('#streams-empty').classList.toggle('hidden', shown > 0 || rows.size === 0);
  for (const th of document.querySelectorAll('th[data-sort]')) {
    th.classList.toggle('sorted-asc', th.dataset.sort === view.key && view.dir === 1);
    th.classList.toggle('sorted-desc', th.dataset.sort === view.key && view.dir === -1);
  }
}

function summary() {
  const all = [...rows.values()].map((r) => r.d);
  const live = all.filter((d) => d.status === 'live').length;
  const notLive = all.filter((d) => d.status !== 'live' && d.status !== 'unknown');
  $('#c-streams').textContent = String(all.length);
  $('#c-streams-sub').textContent = `${live} live · ${new Set(all.map((d) => d.venue)).size} venues`;
  $('#c-notlive').textContent = String(notLive.length);
  $('#c-notlive').className = `value${notLive.length ? ' down' : ''}`;
  $('#c-notlive-sub').textContent = notLive.length ? notLive.slice(0, 2).map((d) => `${d.venue} ${d.symbol} ${d.status}`).join(', ') : 'every feed live';
  const since = Date.now() - HOUR;
  for (const [id, t] of hourAlerts) if (t < since) hourAlerts.delete(id);
  $('#c-alerts').textContent = hourAlerts.size >= MAX_HOUR_ALERTS ? `${MAX_HOUR_ALERTS}+` : String(hourAlerts.size);
  $('#c-alerts-sub').textContent = hourAlerts.size ? `latest ${new Date(Math.max(...hourAlerts.values())).toLocaleTimeString([], { hour12: false })}` : 'quiet';
  const top = all.filter((d) => !d.warmingUp).sort((a, b) => b.score - a.score)[0];
  $('#c-top').textContent = top ? formatScore(top.score) : '—';
  $('#c-top-sub').textContent = top ? `${top.symbol} on ${top.venue}` : 'warming up';
}

const rearrange = throttle(arrange, RESORT_MS);
const resummarise = throttle(summary, 1_000);

async function load() {
  const [data, recent] = await Promise.all([api('/api/streams'), api(`/api/alerts?since=${Date.now() - HOUR}&limit=${MAX_HOUR_ALERTS}`)]);
  noteServerNow(data.now);
  meta = { longBarMs: data.longBarMs, shortBarMs: data.shortBarMs, scoreTrailBucketMs: data.scoreTrailBucketMs, sparkPoints: data.sparkPoints, trailPoints: data.scoreTrailPoints };
  const seen = new Set();
  for (const d of data.streams) {
    const id = idOf(d);
    seen.add(id);
    const row = rows.get(id);
    if (row) {
      if (row.d.ts !== null && d.ts !== null && d.ts < row.d.ts) continue;
      row.d = { ...d };
      row.sparkBucket = d.ts === null ? null : Math.floor((d.ts - meta.shortBarMs) / meta.longBarMs);
      row.trailBucket = d.ts === null || !d.scoreTrail.length ? null : Math.floor(d.ts / meta.scoreTrailBucketMs);
      paint(row, false);
    } else makeRow(d);
  }
  for (const [id, row] of rows) if (!seen.has(id)) (row.tr.remove(), rows.delete(id));
  for (const s of data.symbols) renderSymbol(s);
  for (const a of [...recent.alerts].reverse()) addAlert(a, false);
  arrange();
  summary();
  document.body.dataset.loaded = 'true';
}

for (const th of document.querySelectorAll('th[data-sort]')) {
  th.addEventListener('click', () => {
    view.dir = view.key === th.dataset.sort ? -view.dir : th.dataset.sort === 'score' ? -1 : 1;
    view.key = th.dataset.sort;
    arrange();
  });
}
$('#filter').addEventListener('input', (e) => ((view.text = e.target.value.trim()), arrange()));
$('#status-filter').addEventListener('change', (e) => ((view.status = e.target.value), arrange()));
$('#hot-only').addEventListener('change', (e) => ((view.hot = e.target.checked), arrange()));

await load().catch((err) => console.error('overview: load failed', err));
connectLive('/api/events', {
  onOpen: () => load().catch((err) => console.error('overview: resync failed', err)),
  onUpdate: (u) => {
    for (const s of u.streams) applyUpdate(s);
    for (const s of u.statuses) applyStatus(s);
    for (const s of u.symbols) renderSymbol(s);
    for (const a of u.alerts) addAlert(a, true);
    if (u.streams.length || u.statuses.length) rearrange();
    resummarise();
  },
});
setInterval(summary, 10_000);
// "stale · reconnecting 12s": the feed's time in its state counts up.
setInterval(() => {
  for (const r of rows.values()) {
    const detail = statusDetail(r.d);
    const span = detail && r.cells.status.querySelector('.status-detail');
    if (span) span.textContent = detail;
  }
}, 1_000);
