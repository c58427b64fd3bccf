// Shared by every page: DOM helpers, formatting, the API client and the live event stream.
// Plain ES modules, no build step. Text from the server is only ever set as textContent.
// shared-format.js is written by tickwatch from its own code (formatScore: scores read as in chat).
import { formatScore } from './shared-format.js';

export { formatScore };

/** Longest wait between two attempts to reopen the live event stream. */
const MAX_RECONNECT_MS = 30_000;
const FIRST_RECONNECT_MS = 1_000;

export const COLORS = {
  accent: '#4da3ff',
  up: '#22c55e',
  down: '#f43f5e',
  warn: '#f5b942',
  muted: '#8b98a5',
  grid: '#1c2631',
  venues: ['#f5b942', '#c98bff', '#4fd1c5', '#ff8fa3', '#a3e635', '#fb923c', '#94a3b8'],
};

/** Creates an element: props are properties (className, textContent, href...) or `data-*`/`aria-*` attributes. */
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null) continue;
    if (k.startsWith('data-') || k.startsWith('aria-')) e.setAttribute(k, String(v));
    else e[k] = v;
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

export const $ = (sel, root = document) => root.querySelector(sel);

export function slug(symbol) {
  return symbol.replace('/', '-');
}

export function pairUrl(symbol, extra = {}) {
  const q = new URLSearchParams({ symbol: slug(symbol), ...extra });
  return `/pair?${q}`;
}

/** The top bar: brand, navigation, live indicator, clock. */
export function renderTop(active) {
  const top = document.getElementById('top');
  const logo = el('img', { src: '/assets/favicon.svg', className: 'logo', alt: '' });
  const links = [
    ['/', 'Overview', 'overview'],
    ['/alerts', 'Alerts', 'alerts'],
    ['/status', 'Status', 'status'],
  ].map(([href, text, key]) => el('a', { href, textContent: text, className: key === active ? 'active' : '' }));
  const clock = el('span', { className: 'clock', id: 'clock' });
  const tick = () => (clock.textContent = new Date().toLocaleTimeString([], { hour12: false }) + ' ' + timeZoneName());
  tick();
  setInterval(tick, 1000);
  top.replaceChildren(
    el('a', { href: '/', className: 'brand' }, logo, 'tickwatch'),
    el('nav', { className: 'nav' }, ...links),
    el('span', { className: 'spacer' }),
    clock,
    el('span', { className: 'conn', id: 'conn', textContent: 'Connecting…' }),
  );
}

function timeZoneName() {
  const part = new Intl.DateTimeFormat([], { timeZoneName: 'short' }).formatToParts(new Date()).find((p) => p.type === 'timeZoneName');
  return part ? part.value : '';
}

/** GETs JSON from the API; a missing login sends the browser to the login form. */
export async function api(path) {
  const r = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  if (r.status === 401) {
    location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
    throw new Error('login needed');
  }
  if (!r.ok) {
    let msg = `${r.status}`;
    try {
      msg = (await r.json()).message ?? msg;
    } catch {
      // not JSON
    }
    throw new Error(msg);
  }
  return r.json();
}

/**
 * The live event stream. The browser's EventSource reconnects by itself after a network error;
 * when the server answered with an error (or went away for good) this reopens it with backoff.
 * `onOpen` runs every time the stream opens, the first time included: a page loads its snapshot
 * only once events flow, so nothing that happens between the two is missed.
 */
export function connectLive(path, { onUpdate, onOpen }) {
  const pill = () => document.getElementById('conn');
  let es;
  let wait = FIRST_RECONNECT_MS;
  const state = (s) => {
    const p = pill();
    if (p) {
      p.className = `conn ${s}`;
      p.textContent = s === 'live' ? 'Live' : 'Reconnecting…';
    }
    document.body.dataset.live = s;
  };
  const open = () => {
    es = new EventSource(path);
    es.onopen = () => {
      wait = FIRST_RECONNECT_MS;
      state('live');
      if (onOpen) onOpen();
    };
    es.addEventListener('update', (e) => {
      try {
        const u = JSON.parse(e.data);
        noteServerNow(u.now);
        onUpdate(u);
      } catch (err) {
        console.error('bad live update', err);
      }
    });
    es.onerror = () => {
      state('reconnecting');
      if (es.readyState !== EventSource.CLOSED) return;
      es.close();
      setTimeout(async () => {
        try {
          await api('/api/status');
        } catch {
          // still down: try the stream anyway, the backoff grows
        }
        open();
      }, wait);
      wait = Math.min(wait * 2, MAX_RECONNECT_MS);
    };
  };
  open();
  window.addEventListener('pagehide', () => es.close());
}

/** Median of numbers; null for none. */
export function median(values) {
  const v = values.filter((x) => x !== null && x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function decimalsFor(p) {
  const a = Math.abs(p);
  if (a >= 10) return 2;
  if (a >= 1) return 4;
  if (a === 0) return 2;
  return Math.min(10, 3 - Math.floor(Math.log10(a)) + 1);
}

export function fmtPrice(p) {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  const d = decimalsFor(p);
  return p.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

export function fmtPct(x, digits = 2) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x).toFixed(digits)}%`;
}

export function pctClass(x) {
  return x > 0 ? 'up' : x < 0 ? 'down' : '';
}

export function fmtTime(ts) {
  return new Date(ts).toLocaleTimeString([], { hour12: false });
}

export function fmtDateTime(ts) {
  const d = new Date(ts);
  return `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${d.toLocaleTimeString([], { hour12: false })}`;
}

export function fmtAgo(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  const h = Math.floor(s / 3600);
  return h < 48 ? `${h}h ${Math.floor((s % 3600) / 60)}m` : `${Math.floor(h / 24)}d`;
}

export function fmtDuration(ms) {
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 90 ? `${m} min` : `${(m / 60).toFixed(1)} h`;
}

export function fmtCompact(x) {
  return Number.isFinite(x) ? x.toLocaleString('en-US', { notation: 'compact', maximumFractionDigits: 1 }) : '—';
}

export function scoreEl(score, warmingUp) {
  const cls = warmingUp ? 'warm' : score >= 0.99 ? 's99' : score >= 0.95 ? 's95' : score >= 0.9 ? 's90' : '';
  return el('span', { className: `score ${cls}`, textContent: warmingUp ? 'warm-up' : formatScore(score), title: warmingUp ? 'not enough history to score yet' : 'anomaly score' });
}

export function statusEl(status, title) {
  return el('span', { className: `status ${status}`, textContent: status, title: title ?? '' });
}

/** The server's clock as its latest answer or update told it: ages are counted on it, not on this machine's. */
let serverSkewMs = 0;
export function noteServerNow(now) {
  if (Number.isFinite(now)) serverSkewMs = now - Date.now();
}
export function serverNow() {
  return Date.now() + serverSkewMs;
}

/**
 * The feed's own state and for how long, when it differs from what the stream is shown as (a
 * stream gone stale while its feed reconnects): ` · reconnecting 12s`; empty otherwise.
 * `d` has status, feedStatus and statusSince, as /api/streams rows do.
 */
export function statusDetail(d) {
  if (!d.feedStatus || d.feedStatus === 'unknown' || d.feedStatus === d.status) return '';
  return ` · ${d.feedStatus}${d.statusSince ? ` ${fmtAgo(serverNow() - d.statusSince)}` : ''}`;
}

/** A stream's status: the pill, and the feed's state beside it when they differ ("stale · reconnecting 12s"). */
export function streamStatusEl(d) {
  const pill = statusEl(d.status, d.statusReason ?? '');
  const detail = statusDetail(d);
  return el('span', { className: 'stream-status' }, pill, detail ? el('span', { className: 'status-detail', textContent: detail }) : null);
}

function sizeCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || canvas.width;
  const h = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(w * dpr)) canvas.width = Math.round(w * dpr);
  if (canvas.height !== Math.round(h * dpr)) canvas.height = Math.round(h * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h };
}

/** A price sparkline: a line with a soft fill, green when it ends above where it began. */
export function drawSpark(canvas, values) {
  const { ctx, w, h } = sizeCanvas(canvas);
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length < 2) return;
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  const span = hi - lo || Math.abs(hi) * 1e-6 || 1;
  const x = (i) => 1 + (i / (v.length - 1)) * (w - 2);
  const y = (p) => h - 2 - ((p - lo) / span) * (h - 4);
  const color = v[v.length - 1] >= v[0] ? COLORS.up : COLORS.down;
  ctx.beginPath();
  v.forEach((p, i) => (i ? ctx.lineTo(x(i), y(p)) : ctx.moveTo(x(i), y(p))));
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.4;
  ctx.stroke();
  ctx.lineTo(x(v.length - 1), h);
  ctx.lineTo(x(0), h);
  ctx.closePath();
  ctx.globalAlpha = 0.14;
  ctx.fillStyle = color;
  ctx.fill();
  ctx.globalAlpha = 1;
}

/** The score trail: one bar per bucket, coloured by how unusual it was. */
export function drawTrail(canvas, values) {
  const { ctx, w, h } = sizeCanvas(canvas);
  if (!values.length) return;
  const bw = w / values.length;
  values.forEach((s, i) => {
    const bh = Math.max(1, s * (h - 1));
    ctx.fillStyle = s >= 0.99 ? COLORS.down : s >= 0.95 ? COLORS.warn : s >= 0.9 ? '#7aa7d9' : '#2b3a4b';
    ctx.fillRect(i * bw, h - bh, Math.max(1, bw - 1), bh);
  });
}

/** Keeps `fn` from running more often than every `ms` (trailing call kept). */
export function throttle(fn, ms) {
  let timer = null;
  let last = 0;
  return () => {
    const wait = last + ms - Date.now();
    if (wait <= 0 && !timer) {
      last = Date.now();
      fn();
    } else if (!timer) {
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        fn();
      }, Math.max(0, wait));
    }
  };
}

export function directionEl(direction) {
  return el('span', { className: `dir ${direction === 'up' ? 'up' : 'down'}`, textContent: direction === 'up' ? '▲' : '▼', title: direction });
}

export function detectorChips(detectors) {
  return el('span', { className: 'chips' }, ...detectors.map((d) => el('span', { className: 'chip', title: d.explanation }, `${d.name} `, el('b', { textContent: formatScore(d.score) }))));
}

/** One alert as a list item: direction, pair and venue, change, score, when, and why. */
export function alertItem(a, { fresh = false } = {}) {
  const link = el('a', { href: a.links.pair, textContent: a.symbol, title: 'open the pair at this moment' });
  const li = el(
    'li',
    { className: `alert-item${fresh ? ' new' : ''}`, 'data-alert': a.id },
    directionEl(a.direction),
    el('div', { className: 'what' }, link, ' ', el('span', { className: 'muted', textContent: a.venue }), ' ', el('span', { className: pctClass(a.change.pct), textContent: fmtPct(a.change.pct) }), el('span', { className: 'muted', textContent: ` in ${fmtDuration(a.change.windowMs)}` })),
    el('div', {}, scoreEl(a.score, false)),
    el('div', { className: 'why', textContent: a.explanation }),
    el('div', { className: 'when', textContent: fmtDateTime(a.ts) }),
  );
  return li;
}
