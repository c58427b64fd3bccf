// Pair page: live price chart (composite and every venue) with volume and anomaly markers, and the
// pair's alerts with their charts.
import { $, COLORS, api, median, noteServerNow, connectLive, detectorChips, directionEl, el, fmtDateTime, fmtDuration, fmtPct, fmtPrice, fmtTime, pctClass, renderTop, scoreEl, statusDetail, streamStatusEl, throttle } from './common.js';

const MINUTE = 60_000;
const RANGES = { '15m': 15 * MINUTE, '1h': 60 * MINUTE, '4h': 240 * MINUTE, '24h': 1440 * MINUTE };
/** Time-axis label spacing per range: labels on round times. */
const TICK_STEP = { '15m': 2 * MINUTE, '1h': 10 * MINUTE, '4h': 30 * MINUTE, '24h': 180 * MINUTE };
const DEFAULT_RANGE = '1h';
/** Ranges up to this use the engine's short (1 s) bars, longer ones its long (1 min) bars. */
const SHORT_RANGE_MAX = 15 * MINUTE;
/** A line breaks where a venue had no bar for this long (short bars / long bars). */
const GAP_MS = { '1s': MINUTE, '1m': 5 * MINUTE };
/** A venue's last close counts for the composite line for this long (as the server's composite). */
const COMPOSITE_FRESH_MS = 30_000;
/** When opened at an alert's moment, the alert sits this far into the window. */
const AT_POSITION = 0.75;
const MAX_ALERT_CARDS = 50;
/** The chart is redrawn at most this often while prices arrive. */
const REDRAW_MS = 1_000;

const q = new URLSearchParams(location.search);
const slug = q.get('symbol') ?? '';
let rangeName = RANGES[q.get('range')] ? q.get('range') : DEFAULT_RANGE;
const at = Number(q.get('at')) || null;

const venues = new Map();
const alerts = new Map();
let symbol = slug.replace('-', '/');
let chart = null;
let res = '1m';
let barMs = MINUTE;
let shortBarMs = 1_000;
let window0 = { from: 0, to: 0 };
let live = at === null;

renderTop('');
document.title = `tickwatch · ${symbol}`;

function venueColor(i) {
  return COLORS.venues[i % COLORS.venues.length];
}

function windowFor(now) {
  const span = RANGES[rangeName];
  if (at === null) return { from: now - span, to: now };
  const from = at - span * AT_POSITION;
  return { from, to: Math.min(now, from + span) };
}

/** Adds a bar close to a venue's series (x = bar end), merging into the newest point for long bars. */
function addPoint(v, x, close, volume) {
  const n = v.x.length;
  if (n && x === v.x[n - 1]) {
    v.y[n - 1] = close;
    v.v[n - 1] += volume;
  } else if (!n || x > v.x[n - 1]) {
    v.x.push(x);
    v.y.push(close);
    v.v.push(volume);
  }
}

function trim(from) {
  for (const v of venues.values()) {
    let k = 0;
    while (k < v.x.length && v.x[k] < from) k++;
    if (k) {
      v.x.splice(0, k);
      v.y.splice(0, k);
      v.v.splice(0, k);
    }
  }
  for (const [id, a] of alerts) if (a.ts < from) (alerts.delete(id), $(`[data-alert-card="${CSS.escape(id)}"]`)?.remove());
}

function lineWithGaps(xs, ys) {
  const out = [];
  const gap = GAP_MS[res];
  for (let i = 0; i < xs.length; i++) {
    if (i && xs[i] - xs[i - 1] > gap) out.push({ x: xs[i - 1] + barMs, y: null });
    out.push({ x: xs[i], y: ys[i] });
  }
  return out;
}

/** The median, at every bar time of any venue, of each venue's latest close that is still fresh. */
function compositeLine() {
  const list = [...venues.values()].filter((v) => v.x.length);
  const times = [...new Set(list.flatMap((v) => v.x))].sort((a, b) => a - b);
  const idx = list.map(() => -1);
  const xs = [];
  const ys = [];
  for (const t of times) {
    const vals = [];
    list.forEach((v, j) => {
      while (idx[j] + 1 < v.x.length && v.x[idx[j] + 1] <= t) idx[j]++;
      if (idx[j] >= 0 && t - v.x[idx[j]] <= Math.max(COMPOSITE_FRESH_MS, barMs)) vals.push(v.y[idx[j]]);
    });
    if (!vals.length) continue;
    xs.push(t);
    ys.push(median(vals));
  }
  return lineWithGaps(xs, ys);
}

function volumeBars() {
  const sum = new Map();
  for (const v of venues.values()) v.x.forEach((x, i) => sum.set(x, (sum.get(x) ?? 0) + v.v[i]));
  return [...sum.entries()].sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x: x - barMs / 2, y }));
}

function markers() {
  return [...alerts.values()].filter((a) => a.ts >= window0.from && a.ts <= window0.to + barMs).map((a) => ({ x: a.ts, y: a.price, id: a.id, direction: a.direction }));
}

function timeTick(value) {
  const d = new Date(value);
  const opts = RANGES[rangeName] <= SHORT_RANGE_MAX ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false } : { hour: '2-digit', minute: '2-digit', hour12: false };
  return d.toLocaleTimeString([], opts);
}

function ensureChart() {
  if (chart) return chart;
  const Chart = window.Chart;
  Chart.defaults.color = COLORS.muted;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  chart = new Chart($('#price-chart'), {
    data: { datasets: [] },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => (items.length ? fmtDateTime(items[0].parsed.x) : ''),
            label: (item) => (item.dataset.yAxisID === 'vol' ? `${item.dataset.label}: ${item.parsed.y.toLocaleString('en-US', { maximumFractionDigits: 0 })}` : `${item.dataset.label}: ${fmtPrice(item.parsed.y)}`),
          },
        },
      },
      scales: {
        x: {
          type: 'linear',
          grid: { color: COLORS.grid },
          ticks: { callback: timeTick, maxRotation: 0, autoSkipPadding: 24 },
          afterBuildTicks: (axis) => {
            // Round times only, in the browser's time zone.
            const step = TICK_STEP[rangeName];
            const offset = new Date(axis.min).getTimezoneOffset() * MINUTE;
            const first = Math.ceil((axis.min - offset) / step) * step + offset;
            const ticks = [];
            for (let t = first; t <= axis.max; t += step) ticks.push({ value: t });
            axis.ticks = ticks;
          },
        },
        y: { position: 'right', grid: { color: COLORS.grid }, ticks: { callback: (v) => fmtPrice(v) } },
        vol: { position: 'left', display: false, beginAtZero: true, grid: { display: false } },
      },
    },
  });
  return chart;
}

let draws = 0;
function draw() {
  const c = ensureChart();
  const now = Date.now();
  if (live) window0 = windowFor(now);
  const list = [...venues.entries()].filter(([, v]) => v.x.length);
  const many = list.length > 1;
  const comp = compositeLine();
  const vol = volumeBars();
  const maxVol = vol.reduce((m, p) => Math.max(m, p.y), 0);
  const marks = markers();
  const datasets = [
    { type: 'line', label: many ? 'composite' : (list[0]?.[0] ?? symbol), data: comp, borderColor: COLORS.accent, borderWidth: 2, pointRadius: 0, spanGaps: false, yAxisID: 'y', order: 1 },
  ];
  if (many) {
    list.forEach(([name, v]) => {
      datasets.push({ type: 'line', label: name, data: lineWithGaps(v.x, v.y), borderColor: `${v.color}b3`, borderWidth: 1, pointRadius: 0, spanGaps: false, yAxisID: 'y', order: 2 });
    });
  }
  datasets.push({ type: 'bar', label: 'volume (quote)', data: vol, backgroundColor: '#2a3a4c', barPercentage: 1, categoryPercentage: 1, yAxisID: 'vol', order: 4 });
  datasets.push({
    type: 'scatter',
    label: 'anomaly',
    data: marks,
    yAxisID: 'y',
    order: 0,
    pointStyle: 'triangle',
    pointRadius: 9,
    pointHoverRadius: 11,
    pointRotation: marks.map((m) => (m.direction === 'up' ? 0 : 180)),
    backgroundColor: marks.map((m) => (m.direction === 'up' ? COLORS.up : COLORS.down)),
    borderColor: '#0b1016',
    borderWidth: 1.5,
  });
  c.data.datasets = datasets;
  c.options.scales.x.min = window0.from;
  // Live, the open bar is drawn at its end: room for it.
  c.options.scales.x.max = live ? window0.to + barMs : window0.to;
  c.options.scales.vol.max = maxVol > 0 ? maxVol * 4 : 1;
  c.update('none');
  const box = $('#chart-box');
  box.dataset.points = String(comp.filter((p) => p.y !== null).length);
  box.dataset.markers = String(marks.length);
  box.dataset.markerIds = marks.map((m) => m.id).join(' ');
  box.dataset.draws = String(++draws);
  legend(list, many);
}

function legend(list, many) {
  const items = [el('span', { style: `--c:${COLORS.accent}`, textContent: many ? 'composite (median)' : (list[0]?.[0] ?? '') })];
  if (many) for (const [name, v] of list) items.push(el('span', { textContent: name, style: `--c:${v.color}` }));
  items.push(el('span', { textContent: 'volume', style: '--c:#2a3a4c' }), el('span', { className: 'marker', textContent: 'anomaly' }));
  $('#legend').replaceChildren(...items);
}

const redraw = throttle(draw, REDRAW_MS);

function chip(v) {
  const c = v.chipEl ?? el('span', { className: 'venue-chip', 'data-venue': v.name });
  v.chipEl = c;
  c.dataset.status = v.status;
  c.replaceChildren(el('span', { className: 'swatch', style: `background:${v.color}` }), el('b', { textContent: v.name }), el('span', { className: 'p', textContent: fmtPrice(v.price) }), streamStatusEl(v));
  return c;
}

function renderChips() {
  $('#venue-chips').replaceChildren(...[...venues.values()].map(chip));
}

function renderHead(sym) {
  if (!sym) return;
  $('#pair-price').textContent = fmtPrice(sym.composite);
  $('#pair-sub').textContent = sym.venues.length > 1 ? `composite of ${sym.venues.join(', ')}` : sym.venues.length ? sym.venues[0] : 'no live venue';
}

/** The pair's changes: the median over the live venues (the composite's own change). */
function renderChanges() {
  const live = [...venues.values()].filter((v) => v.status === 'live' || v.status === 'unknown');
  for (const [id, key] of [['#pair-c5', 'change5m'], ['#pair-c1h', 'change1h']]) {
    const val = median(live.map((v) => v[key]));
    $(id).textContent = fmtPct(val);
    $(id).className = `num ${pctClass(val)}`;
  }
}

function consensusText(a) {
  if (!a.consensus) return null;
  const c = a.consensus;
  if (c.kind === 'market-wide') return `market-wide: confirmed by ${c.confirming.join(', ') || '—'} of ${c.fresh.length} fresh venues`;
  return `venue-specific: ${c.confirming.length ? `confirmed by ${c.confirming.join(', ')}` : `not confirmed by ${c.fresh.join(', ') || 'other venues'}`}`;
}

function alertCard(a) {
  const focus = at !== null && Math.abs(a.ts - at) < barMs;
  return el(
    'article',
    { className: `pair-alert${focus ? ' focus' : ''}`, 'data-alert-card': a.id },
    el('img', { src: a.links.chart, alt: `chart of the ${a.symbol} alert at ${fmtDateTime(a.ts)}`, loading: 'lazy' }),
    el(
      'div',
      { className: 'body' },
      el('div', { className: 'line' }, directionEl(a.direction), el('b', { textContent: a.venue }), el('span', { className: pctClass(a.change.pct), textContent: fmtPct(a.change.pct) }), el('span', { className: 'muted', textContent: `in ${fmtDuration(a.change.windowMs)}` }), scoreEl(a.score, false), el('span', { className: 'muted num', textContent: fmtDateTime(a.ts) })),
      el('div', { className: 'line' }, el('span', { className: 'muted', textContent: 'price' }), el('span', { className: 'num', textContent: fmtPrice(a.price) }), a.late ? el('span', { className: 'chip', textContent: 'late (after a gap)' }) : null),
      el('div', { className: 'line' }, detectorChips(a.detectors)),
      consensusText(a) ? el('div', { className: 'muted', textContent: consensusText(a) }) : null,
      el('div', { className: 'muted', textContent: a.explanation }),
    ),
  );
}

function addAlert(a) {
  if (alerts.has(a.id)) return;
  alerts.set(a.id, a);
  const box = $('#pair-alerts');
  const card = alertCard(a);
  const after = [...box.children].find((c) => (alerts.get(c.dataset.alertCard)?.ts ?? 0) < a.ts);
  box.insertBefore(card, after ?? null);
  while (box.children.length > MAX_ALERT_CARDS) {
    const last = box.lastChild;
    alerts.delete(last.dataset.alertCard);
    last.remove();
  }
  $('#pair-alerts-empty').classList.toggle('hidden', box.children.length > 0);
}

async function load() {
  const now = Date.now();
  window0 = windowFor(now);
  res = RANGES[rangeName] <= SHORT_RANGE_MAX && (at === null || now - window0.from <= SHORT_RANGE_MAX) ? '1s' : '1m';
  const wanted = res;
  // Alerts arriving while this loads are kept (the list dedupes); the old range's go now.
  alerts.clear();
  $('#pair-alerts').replaceChildren();
  const info = await api(`/api/streams?symbol=${encodeURIComponent(slug)}`);
  noteServerNow(info.now);
  barMs = res === '1s' ? info.shortBarMs : info.longBarMs;
  shortBarMs = info.shortBarMs;
  if (info.streams.length) symbol = info.streams[0].symbol;
  $('#pair-name').textContent = symbol;
  document.title = `tickwatch · ${symbol}`;
  $('#res-note').textContent = res === '1s' ? '1-second bars' : '1-minute bars';
  renderHead(info.symbols[0]);
  const from = Math.floor(window0.from - barMs);
  const to = Math.ceil(window0.to + barMs);
  const [bars, hist] = await Promise.all([
    Promise.all(info.streams.map((s) => api(`/api/streams/${encodeURIComponent(s.venue)}/${encodeURIComponent(slug)}/bars?res=${res}&from=${from}&to=${to}`).catch(() => null))),
    api(`/api/alerts?symbol=${encodeURIComponent(slug)}&since=${from}&limit=${MAX_ALERT_CARDS}`),
  ]);
  // The new series replace the old; points that arrived live while loading (newer than the bars) are kept.
  const old = new Map(venues);
  venues.clear();
  info.streams.forEach((s, i) => {
    const o = old.get(s.venue);
    venues.set(s.venue, { name: s.venue, color: venueColor(i), res: wanted, x: [], y: [], v: [], price: o?.price ?? s.price, ts: Math.max(o?.ts ?? 0, s.ts ?? 0), status: s.status, feedStatus: s.feedStatus, statusSince: s.statusSince, statusReason: s.statusReason, change5m: s.change5m, change1h: s.change1h });
  });
  for (const b of bars) {
    if (!b) continue;
    const v = venues.get(b.venue);
    b.bars.ts.forEach((t, i) => addPoint(v, t + b.barMs, b.bars.close[i], b.bars.quoteVolume[i]));
  }
  for (const [name, o] of old) {
    const v = venues.get(name);
    if (v && o.res === wanted) o.x.forEach((x, i) => addPoint(v, x, o.y[i], o.v[i]));
  }
  renderChips();
  renderChanges();
  for (const a of hist.alerts.filter((x) => x.ts <= to)) addAlert(a);
  $('#pair-alerts-empty').classList.toggle('hidden', alerts.size > 0);
  $('#alerts-note').textContent = `since ${fmtTime(from)}`;
  draw();
  document.body.dataset.loaded = 'true';
}

/** A venue the page has not seen starts streaming the pair: load again, at most this often. */
const reload = throttle(() => load().catch((err) => console.error('pair: reload failed', err)), 5_000);

function onStream(u) {
  const v = venues.get(u.venue);
  if (!v) return void reload();
  Object.assign(v, { price: u.price, ts: u.ts, change5m: u.change5m, change1h: u.change1h });
  chip(v);
  renderChanges();
  if (!live) return;
  if (res === '1s') addPoint(v, u.ts, u.price, u.quoteVolume);
  else addPoint(v, Math.floor((u.ts - shortBarMs) / barMs) * barMs + barMs, u.price, u.quoteVolume);
  trim(Date.now() - RANGES[rangeName] - barMs);
  redraw();
}

function onStatus(s) {
  const v = venues.get(s.venue);
  if (!v) return;
  Object.assign(v, { status: s.status, feedStatus: s.feedStatus, statusSince: s.since, statusReason: s.reason });
  chip(v);
}

function setRange(name) {
  rangeName = name;
  for (const b of document.querySelectorAll('#ranges button')) b.classList.toggle('active', b.dataset.range === name);
  const u = new URL(location.href);
  u.searchParams.set('range', name);
  history.replaceState(null, '', u);
  load().catch((err) => console.error('pair: load failed', err));
}

for (const b of document.querySelectorAll('#ranges button')) b.addEventListener('click', () => setRange(b.dataset.range));
for (const b of document.querySelectorAll('#ranges button')) b.classList.toggle('active', b.dataset.range === rangeName);
if (at !== null) {
  const u = new URL(location.href);
  u.searchParams.delete('at');
  $('#at-banner').replaceChildren(`Showing ${fmtDateTime(at)}, the moment of an alert. `, el('a', { href: u.pathname + u.search, textContent: 'Back to live →' }));
  $('#at-banner').classList.remove('hidden');
}

await load().catch((err) => console.error('pair: load failed', err));
connectLive(`/api/events?symbol=${encodeURIComponent(slug)}`, {
  onOpen: () => load().catch((err) => console.error('pair: resync failed', err)),
  onUpdate: (u) => {
    for (const s of u.streams) onStream(s);
    for (const s of u.statuses) onStatus(s);
    if (u.symbols.length) renderHead(u.symbols[0]);
    for (const a of u.alerts) {
      addAlert(a);
      redraw();
    }
  },
});
// "stale · reconnecting 12s": the feed's time in its state counts up.
setInterval(() => {
  for (const v of venues.values()) if (statusDetail(v)) chip(v);
}, 1_000);
