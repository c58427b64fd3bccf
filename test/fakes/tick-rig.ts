/**
 * Tick to chat message on loopback, the whole product path: local fake exchanges (Binance, OKX,
 * Coinbase) stream trades in their real wire formats, the real WsFeed parses them into the real Engine (default detectors), a
 * spike fires an alert, the real DeliveryPipeline renders its chart and queues it, and the
 * platform's Destination (grammY, discord.js REST) sends it to the fake platform. The benches of
 * both chat platforms drive it; they say how a message is recognised on their fake.
 */
import { EngineBarSource } from '../../src/engine/bar-source.js';
import { NATIVE_PROTOCOLS } from '../../src/engine/feeds/create-feeds.js';
import { WsFeed } from '../../src/engine/feeds/ws-feed.js';
import { BackgroundTrainer, Engine, systemClock, type AlertEvent } from '../../src/engine/index.js';
import { SENSITIVITY_PRESETS } from '../../src/engine/core/rules.js';
import type { Destination } from '../../src/engine/ports/destination.js';
import type { ChatAddress, Thresholds } from '../../src/engine/ports/store.js';
import { StoreRuleSource } from '../../src/engine/services/rule-source.js';
import { Sfc32 } from '../../src/engine/testing/synthetic-market.js';
import { DeliveryPipeline } from '../../src/delivery/pipeline.js';
import { InProcessQueueBackend } from '../../src/queue/memory.js';
import { MemoryRateLimiter } from '../../src/queue/rate-limit.js';
import { ChartRenderer } from '../../src/render/renderer.js';
import { MemoryStore } from '../../src/store/memory.js';
import { startFakeExchange, type FakeExchange, type FakeVenue } from './exchanges/index.js';

/** One stream spiked in turn. */
export interface RigStream {
  venue: FakeVenue;
  symbol: string;
}

/** The pairs the fake venues list in every checkout (their fixtures), with a starting price. */
const PRICES: Readonly<Record<string, number>> = { 'BTC/USDT': 60_000, 'BTC/USD': 60_000, 'ETH/USDT': 3_000, 'ETH/USD': 3_000, 'SOL/USDT': 150, 'SOL/USD': 150, 'ETH/BTC': 0.05 };
const STREAMS: readonly RigStream[] = [
  ...['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'ETH/BTC'].map((symbol) => ({ venue: 'binance' as const, symbol })),
  ...['BTC/USDT', 'ETH/USDT', 'SOL/USDT'].map((symbol) => ({ venue: 'okx' as const, symbol })),
  ...['BTC/USD', 'ETH/USD', 'BTC/USDT', 'SOL/USD'].map((symbol) => ({ venue: 'coinbase' as const, symbol })),
];
const VENUES = [...new Set(STREAMS.map((s) => s.venue))];
const key = (s: RigStream) => `${s.venue}:${s.symbol}`;
/** Calm history fed to the engine before the feed starts: its detectors need it to score. */
const WARM_MINUTES = 30;
/** Calm trading: trades per second per pair, per-second volatility of log price, driver period. */
const CALM_RATE = 3;
const CALM_VOL = 0.0003;
const DRIVE_MS = 100;
/**
 * A spike: this many aggressive trades in one 1-second bar, moving the price by SPIKE_PCT +
 * k * SPIKE_STEP_PCT, up and down in turn: the k-th spike of a stream is larger than the ones
 * before, so that it is still the rarest bar of its history.
 */
const SPIKE_TRADES = 40;
const SPIKE_PCT = 3;
const SPIKE_STEP_PCT = 0.5;
/** The spike's trades start this far into a bar, so that all of them fall in it. */
const BAR_LEAD_MS = 20;
/** The closing trade is sent this long after the spike's bar end plus the engine's late-trade grace. */
const CLOSE_MARGIN_MS = 15;
/** A spike with no alert or no message within this is counted as missed. */
const SAMPLE_TIMEOUT_MS = 10_000;

export interface TickSample {
  /** From the fake exchange sending the trade that closes the spike's bar to the fake platform holding the message. */
  fromClosingTradeMs: number;
  /** From the spike's first trade: adds the rest of the 1-second bar and the late-trade grace the engine waits by design. */
  fromFirstSpikeTradeMs: number;
}

export interface TickRigOptions {
  /** The platform's real destination (grammY bot's, discord.js REST's). */
  destination: Destination;
  /** Where the operator route sends every alert. */
  to: ChatAddress;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export class TickToMessageRig {
  /**
   * The route every alert takes: the normal preset (score 0.99, a 1 % move) without its two guards
   * against repeats, so that every spike is a sample: the fakes list few pairs, so each stream is
   * spiked several times within minutes, which the cooldown would silence and which widen the
   * spread the move is measured against (the sigma test). Both are arithmetic on the same path;
   * leaving them out changes what fires, not how fast.
   */
  static readonly THRESHOLDS: Thresholds = { ...SENSITIVITY_PRESETS.normal, cooldownMs: 0, minMoveSigma: 0 };

  readonly engine: Engine;
  readonly pipeline: DeliveryPipeline;
  private readonly store = new MemoryStore(systemClock);
  private readonly queues = new InProcessQueueBackend();
  private readonly rng = new Sfc32(17);
  private readonly logP = new Map<string, number>();
  private readonly spikes = new Map<string, number>();
  private readonly spiking = new Set<string>();
  private readonly fakes = new Map<string, FakeExchange>();
  private readonly feeds: WsFeed[] = [];
  private driver: NodeJS.Timeout | undefined;
  private waiting: { stream: string; resolve: (a: AlertEvent) => void } | undefined;

  private constructor(o: TickRigOptions) {
    let pipeline: DeliveryPipeline | undefined;
    this.engine = new Engine({
      clock: systemClock,
      rules: new StoreRuleSource(this.store, { everywhere: [TickToMessageRig.THRESHOLDS] }),
      sink: { publish: (a: AlertEvent) => pipeline!.sink.publish(a) },
      // As in production: models are trained off the tick path.
      trainer: new BackgroundTrainer(),
    });
    this.pipeline = pipeline = new DeliveryPipeline({
      store: this.store,
      queues: this.queues,
      limiter: new MemoryRateLimiter(),
      clock: systemClock,
      destinations: [o.destination],
      routes: [{ to: o.to, thresholds: TickToMessageRig.THRESHOLDS }],
      chart: { renderer: new ChartRenderer(), bars: new EngineBarSource(this.engine) },
      options: { rates: {} },
    });
    this.engine.onAlert((a) => {
      if (this.waiting && `${a.venue}:${a.symbol}` === this.waiting.stream) this.waiting.resolve(a);
    });
  }

  static async start(o: TickRigOptions): Promise<TickToMessageRig> {
    const rig = new TickToMessageRig(o);
    await rig.open();
    return rig;
  }

  /** The streams, spiked in turn. */
  get streams(): readonly RigStream[] {
    return STREAMS;
  }

  private async open(): Promise<void> {
    for (const v of VENUES) this.fakes.set(v, await startFakeExchange(v));
    const now = Date.now();
    const start = now - WARM_MINUTES * 60_000;
    for (const s of STREAMS) {
      let lp = Math.log(PRICES[s.symbol]!);
      for (let t = start + this.rng.next() * 300; t < now - 500; t += -Math.log(1 - this.rng.next()) * (1000 / CALM_RATE)) {
        lp += this.rng.normal() * (CALM_VOL / Math.sqrt(CALM_RATE));
        this.engine.ingest({ venue: s.venue, symbol: s.symbol, ts: Math.floor(t), price: this.round(Math.exp(lp)), qty: this.qty(), side: this.rng.next() < 0.5 ? 'buy' : 'sell' }, 'backfill');
      }
      this.logP.set(key(s), lp);
    }
    this.pipeline.start();
    for (const v of VENUES) {
      const symbols = STREAMS.filter((s) => s.venue === v).map((s) => s.symbol);
      this.feeds.push(new WsFeed({ protocol: NATIVE_PROTOCOLS[v], symbols, sink: this.engine, clock: systemClock, wsUrl: this.fakes.get(v)!.wsUrl }));
    }
    await Promise.all(this.feeds.map((f) => f.start()));
    const deadline = Date.now() + SAMPLE_TIMEOUT_MS;
    const live = () => this.feeds.flatMap((f) => f.statuses()).filter((s) => s.status === 'live').length;
    while (live() < STREAMS.length) {
      if (Date.now() > deadline) throw new Error(`the feeds did not go live: ${JSON.stringify(this.feeds.flatMap((f) => f.statuses()))}`);
      await sleep(20);
    }
    this.driver = setInterval(() => this.drive(), DRIVE_MS);
  }

  private round(p: number): number {
    return p >= 100 ? Math.round(p * 100) / 100 : Number(p.toPrecision(6));
  }

  private qty(): number {
    return Math.round((this.rng.next() * 0.5 + 0.001) * 1e5) / 1e5;
  }

  /** Calm trades of every stream not being spiked, at the current time (what keeps bars closing). */
  private drive(): void {
    for (const s of STREAMS) {
      const k = key(s);
      if (this.spiking.has(k) || this.rng.next() > (CALM_RATE * DRIVE_MS) / 1000) continue;
      let lp = this.logP.get(k)!;
      lp += this.rng.normal() * (CALM_VOL / Math.sqrt(CALM_RATE));
      this.logP.set(k, lp);
      this.fakes.get(s.venue)!.trade(s.symbol, [{ ts: Date.now(), price: this.round(Math.exp(lp)), qty: this.qty(), side: this.rng.next() < 0.5 ? 'buy' : 'sell' }]);
    }
  }

  /**
   * `warmup + count` samples over the streams in turn; the first `warmup` warm the path up and are
   * not kept. `arrivalFor(stream)` gives the `arrival` of one sample (see `sample`).
   */
  async run(count: number, warmup: number, arrivalFor: (stream: RigStream) => () => Promise<number>): Promise<{ ticks: TickSample[]; missed: string[] }> {
    const ticks: TickSample[] = [];
    const missed: string[] = [];
    for (let i = 0; i < warmup + count; i++) {
      const stream = this.streams[i % this.streams.length]!;
      const x = await this.sample(stream, arrivalFor(stream));
      if (i < warmup) continue;
      if ('missed' in x) missed.push(x.missed);
      else ticks.push(x);
    }
    return { ticks, missed };
  }

  /**
   * One sample: a spike on `symbol` within one bar, then, once the bar's end plus the engine's
   * late-trade grace has passed, the ordinary trade that closes the bar, the moment the engine can
   * judge it. `arrival` is called just before that trade is sent and resolves when the fake
   * platform holds the pair's alert message (performance.now()). A spike that gave no alert or no
   * message is a miss, with what the engine made of the bar.
   */
  async sample(stream: RigStream, arrival: () => Promise<number>): Promise<TickSample | { missed: string }> {
    const id = key(stream);
    const { symbol } = stream;
    const fake = this.fakes.get(stream.venue)!;
    this.spiking.add(id);
    try {
      const k = this.spikes.get(id) ?? 0;
      this.spikes.set(id, k + 1);
      const pct = (k % 2 ? -1 : 1) * (SPIKE_PCT + k * SPIKE_STEP_PCT);
      const barMs = this.engine.options.shortBarMs;
      // Just after a bar starts, so that the whole spike falls in one bar.
      await sleep(barMs - (Date.now() % barMs) + BAR_LEAD_MS);
      const barStart = Date.now() - (Date.now() % barMs);
      const from = Math.exp(this.logP.get(id)!);
      const to = from * (1 + pct / 100);
      const now = Date.now();
      // One aggressive order a millisecond: a run of orders, each confirming the level the last one
      // reached (the fills of one order sharing a millisecond would read as one sweep, settled only
      // by the next bar).
      const spike = Array.from({ length: SPIKE_TRADES }, (_, i) => ({ ts: now + i, price: this.round(from + ((to - from) * (i + 1)) / SPIKE_TRADES), qty: 0.5 + this.qty() * 4, side: pct > 0 ? ('buy' as const) : ('sell' as const) }));
      this.logP.set(id, Math.log(to));
      const alert = new Promise<AlertEvent | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), SAMPLE_TIMEOUT_MS);
        this.waiting = { stream: id, resolve: (a) => (clearTimeout(timer), resolve(a)) };
      });
      const tFirst = performance.now();
      fake.trade(symbol, spike);
      await sleep(barStart + barMs + this.engine.options.lateTickGraceMs + CLOSE_MARGIN_MS - Date.now());
      const arrived = arrival().catch(() => null);
      const t0 = performance.now();
      fake.trade(symbol, [{ ts: Date.now(), price: this.round(to), qty: this.qty(), side: pct > 0 ? 'buy' : 'sell' }]);
      const a = await alert;
      this.waiting = undefined;
      if (!a) {
        const ev = this.engine.find(stream.venue, symbol)!.evaluation;
        return { missed: `no alert for a ${pct.toFixed(2)}% spike on ${id} (bar ${ev.barTs === barStart ? 'judged' : `not judged, newest ${ev.barTs - barStart} ms from it`}: score ${ev.score.toFixed(4)}, sign ${ev.sign}, price ${ev.price}${ev.afterGap ? ', after a gap' : ''}${ev.warmingUp ? ', warming up' : ''}, origin ${ev.origin}, detectors ${ev.detectors.map((d) => `${d.name} ${d.score.toFixed(3)}`).join(' ')})` };
      }
      const t1 = await Promise.race([arrived, sleep(SAMPLE_TIMEOUT_MS).then(() => null)]);
      if (t1 === null) return { missed: `no message for alert ${a.id}` };
      return { fromClosingTradeMs: t1 - t0, fromFirstSpikeTradeMs: t1 - tFirst };
    } finally {
      this.spiking.delete(id);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.driver);
    await Promise.all(this.feeds.map((f) => f.stop()));
    await this.pipeline.close();
    await this.queues.close();
    await Promise.all([...this.fakes.values()].map((f) => f.close()));
  }
}
