import { EwStats, alphaForHalfLife } from './core/math.js';
import type { Bar, BarOrigin, Evaluation, Side } from './core/types.js';
import { AlertState } from './alerts/alert-rules.js';
import { BurstDetector } from './detectors/burst.js';
import { DiscordDetector } from './detectors/discord.js';
import { DriftDetector } from './detectors/drift.js';
import { FEATURE_COUNT, MIN_RETURN_STD, type BarInput, type Detector } from './detectors/detector.js';
import { Ensemble } from './detectors/ensemble.js';
import { IForestDetector, OcSvmDetector } from './detectors/learned.js';
import { LevelDetector } from './detectors/level.js';
import type { RandomFourierFeatures } from './detectors/ocsvm.js';
import { RobustDetector } from './detectors/robust.js';
import { VolRatioDetector } from './detectors/volratio.js';
import { ZScoreDetector } from './detectors/zscore.js';
import { GAP_SPACING_HALF_LIFE, WARMUP_MIN_BARS, isDataGap, type EngineOptions } from './options.js';
import type { IngestOutcome } from './ports/tick-sink.js';
import type { Trainer } from './ports/trainer.js';
import type { AlertRule } from './core/rules.js';
import { BarBuilder, BarRing } from './windows/bar-ring.js';
import { emptyMove, windowMove, yardstick, type WindowMove } from './windows/move.js';
import { BidAskBounce, HorizonSpread } from './windows/horizon.js';

/** Half-life, in bars, of the running statistics behind the feature vector. */
const FEATURE_HALF_LIFE = 300;
/** Bars of history before the feature vector is meaningful. */
const FEATURES_MIN_BARS = 30;
/**
 * Alert rules measure a move in the stream's per-bar spread as it stood this long before the
 * newest bar, or when the move began if that was later (`WindowMove.upSigma`, `downSigma`): the
 * bars of a flash crash must not widen the yardstick the crash is measured with, while a move
 * that grows with a volatility burst is measured in the burst.
 */
const YARDSTICK_LAG_MS = 15_000;
/**
 * The yardstick's second horizon. Per-bar returns of a market whose trades bounce between bid and
 * ask are mostly that bounce, which does not add up over time: scaled by the square root of the
 * time a move took (a random walk's rule) they overstate what a calm minute does many times over
 * where the spread is wide (a thin alt, a coarse tick), and a real pump there never passes the
 * sigma gate. The spread of returns over this horizon is measured too, and a move is measured in
 * the smaller of the two yardsticks (`moveSigmas`). A random walk gives both the same.
 */
const YARDSTICK_HORIZON_MS = 30_000;
/**
 * Half-life, in bars, of the horizon spread, and how many horizons its samples must span before it
 * is trusted: horizon returns overlap (one per bar), so a minute of 30-s returns is two
 * independent readings, and the spread needs many before the smaller-yardstick rule can trust it
 * not to be low by chance.
 */
const HORIZON_HALF_LIFE = 1_800;
const HORIZON_MIN_SPAN = 20;
/**
 * The horizon spread is used inflated by this factor: the rule takes the smaller yardstick, and an
 * estimate that is low by chance would otherwise win on an ordinary market, where the two agree.
 * Where bounce fills the per-bar spread the horizon's is several times smaller and still wins.
 */
const HORIZON_MARGIN = 1.25;
/** A change between two trades' prices smaller than this share of the price is rounding, not a price step. */
const PRICE_STEP_NOISE = 1e-12;
/** Features are clipped to +-this many standard deviations, so one wild bar cannot dominate a model. */
const FEATURE_CLIP = 10;

export interface StreamCounters {
  ticks: number;
  duplicates: number;
  late: number;
  invalid: number;
  bars: number;
}

export interface SharedModels {
  fourier: RandomFourierFeatures;
  trainer: Trainer;
}

/**
 * Everything the engine keeps for one (venue, symbol): the open bars, the short and long rings,
 * the feature statistics, the detectors with their ensemble, and the alert state. Its memory is
 * fixed at creation (see byteSize).
 */
export class StreamState {
  readonly short: BarRing;
  readonly long: BarRing;
  readonly alerts = new AlertState();
  readonly counters: StreamCounters = { ticks: 0, duplicates: 0, late: 0, invalid: 0, bars: 0 };
  /** Rules cached for this stream and the RuleSource version they came from. */
  rules: readonly AlertRule[] = [];
  rulesVersion = -1;
  /**
   * The latest evaluation. One object per stream, overwritten at every bar close: listeners copy
   * what they keep (copyEvaluation).
   */
  readonly evaluation: Evaluation;

  private cur = new BarBuilder();
  private pend = new BarBuilder();
  private hasCur = false;
  private hasPend = false;
  private curLive = false;
  private pendLive = false;
  private readonly longB = new BarBuilder();
  private hasLong = false;
  /** Newest tick time seen (event time) and the coarse local time it arrived at. */
  watermark = -Infinity;
  arrivedAt = 0;

  private readonly ids: (string | number | undefined)[];
  private idHead = 0;

  private readonly ensemble: Ensemble;
  /** Whether a detector reads the bar's level (the log of the close costs a little on every bar). */
  private readonly usesLevel: boolean;
  private readonly input: BarInput;
  private readonly retStats = new EwStats(alphaForHalfLife(FEATURE_HALF_LIFE));
  private readonly volStats = new EwStats(alphaForHalfLife(FEATURE_HALF_LIFE));
  private readonly tradeStats = new EwStats(alphaForHalfLife(FEATURE_HALF_LIFE));
  private readonly rangeStats = new EwStats(alphaForHalfLife(FEATURE_HALF_LIFE));
  private readonly spacing = new EwStats(alphaForHalfLife(GAP_SPACING_HALF_LIFE));
  /** Start of the first bar after the latest gap: moves are never measured across it. */
  gapTs = -Infinity;
  private readonly move: WindowMove = emptyMove();
  /** Per-bar return spread before the newest bar was learned. */
  private sigmaPast = MIN_RETURN_STD;
  /** The same as it stood before each bar of the short ring was learned, by slot. */
  private readonly sigmaAt: Float32Array;
  /** The spread of YARDSTICK_HORIZON_MS returns (0 while unknown), now and by slot as for sigmaAt. */
  private sigmaHPast = 0;
  private readonly sigmaHAt: Float32Array;
  private readonly horizonSpread = new HorizonSpread(YARDSTICK_HORIZON_MS, HORIZON_HALF_LIFE, HORIZON_MIN_SPAN * YARDSTICK_HORIZON_MS, HORIZON_MARGIN);
  /** Bid-ask bounce in the per-bar returns of prices (settled closes), and its spread (on the horizon spread's scale) as it stood before the newest bar. */
  private readonly bounce = new BidAskBounce(HORIZON_HALF_LIFE);
  private bouncePast = 0;
  /**
   * Settled low, high and close (BarBuilder's) of the short ring's bars by slot,
   * which the alert rules measure moves in. Prices only: a series has one value per bar.
   */
  private readonly settled: { low: Float64Array; high: Float64Array; close: Float64Array } | undefined;
  /** Per-bar returns of the settled closes: the rules' per-bar spread (prices). */
  private readonly settledRet = new EwStats(alphaForHalfLife(FEATURE_HALF_LIFE));
  /** Start of the stream's first bar. */
  private firstBarTs = NaN;
  /** The previous trade's price, and the smallest change seen between two trades' prices. */
  private lastPrice = NaN;
  private priceStep = Infinity;

  constructor(
    readonly venue: string,
    readonly symbol: string,
    private readonly opt: EngineOptions,
    shared: SharedModels,
    private readonly onClose: (s: StreamState, ev: Evaluation) => void,
  ) {
    this.short = new BarRing(opt.shortBars, opt.shortBarMs);
    this.sigmaAt = new Float32Array(opt.shortBars);
    this.sigmaHAt = new Float32Array(opt.shortBars);
    this.settled = opt.returns === 'log' ? { low: new Float64Array(opt.shortBars), high: new Float64Array(opt.shortBars), close: new Float64Array(opt.shortBars) } : undefined;
    this.long = new BarRing(opt.longBars, opt.longBarMs);
    this.ids = new Array(opt.dedupIds);
    const detectors: Detector[] = [];
    this.usesLevel = opt.detectors.some((n) => n === 'level' || n === 'discord' || n === 'discord-long');
    for (const name of opt.detectors) {
      switch (name) {
        case 'zscore':
          detectors.push(new ZScoreDetector(opt.zscore));
          break;
        case 'robust':
          detectors.push(new RobustDetector(opt.robust));
          break;
        case 'volratio':
          detectors.push(new VolRatioDetector(opt.volratio));
          break;
        case 'burst':
          detectors.push(new BurstDetector(opt.burst));
          break;
        case 'drift':
          detectors.push(new DriftDetector());
          break;
        case 'level':
          detectors.push(new LevelDetector(opt.level));
          break;
        case 'discord':
          detectors.push(new DiscordDetector(opt.discord, 'discord'));
          break;
        case 'discord-long':
          detectors.push(new DiscordDetector(opt.discordLong, 'discord-long'));
          break;
        case 'iforest':
          detectors.push(new IForestDetector(`${venue}:${symbol}`, shared.trainer, opt.iforest));
          break;
        case 'ocsvm':
          detectors.push(new OcSvmDetector(shared.fourier, opt.ocsvm));
          break;
      }
    }
    this.ensemble = new Ensemble(detectors, { ...opt.ensemble, calibrator: opt.calibrator });
    this.evaluation = {
      venue,
      symbol,
      barTs: 0,
      ts: 0,
      price: 0,
      score: 0,
      surprise: 0,
      sign: 0,
      detectors: this.ensemble.scores,
      quoteVolume: 0,
      origin: 'live',
      afterGap: false,
      warmingUp: true,
    };
    this.input = {
      ring: this.short,
      slot: 0,
      ts: 0,
      close: 0,
      trades: 0,
      buyVolume: 0,
      sellVolume: 0,
      maxSameMs: 0,
      logReturn: 0,
      dtBars: 1,
      ret: 0,
      level: NaN,
      afterGap: false,
      first: true,
      features: new Float64Array(FEATURE_COUNT),
      featuresReady: false,
    };
  }

  /** Short bars closed so far. */
  get barsSeen(): number {
    return this.counters.bars;
  }

  /** Adds one trade. Closes bars that the trade's time shows to be complete. */
  add(ts: number, price: number, qty: number, side: Side | undefined, id: string | number | undefined, origin: BarOrigin, arrivedAt: number): IngestOutcome {
    if (id !== undefined) {
      const ids = this.ids;
      for (let i = 0; i < ids.length; i++) {
        if (ids[i] === id) {
          this.counters.duplicates++;
          return 'duplicate';
        }
      }
      ids[this.idHead] = id;
      this.idHead = this.idHead + 1 === ids.length ? 0 : this.idHead + 1;
    }
    const barMs = this.opt.shortBarMs;
    const start = ts - (ts % barMs);
    if (this.hasCur && start === this.cur.ts) {
      // The common case: the trade belongs to the open bar.
    } else if (!this.hasCur || start > this.cur.ts) {
      if (this.hasPend) this.closePending();
      if (this.hasCur) {
        // The open bar moves to pending: it may still take late trades during the grace period.
        const t = this.pend;
        this.pend = this.cur;
        this.cur = t;
        this.hasPend = true;
        this.pendLive = this.curLive;
      }
      if (start <= this.short.lastTs) {
        this.counters.late++;
        return 'late';
      }
      this.cur.start(start);
      this.hasCur = true;
      this.curLive = false;
    } else if (this.hasPend && start === this.pend.ts) {
      this.pend.add(ts, price, qty, side);
      if (origin === 'live') this.pendLive = true;
      this.step(price);
      this.counters.ticks++;
      this.bump(ts, arrivedAt);
      return 'ok';
    } else {
      this.counters.late++;
      return 'late';
    }
    this.cur.add(ts, price, qty, side);
    if (origin === 'live') this.curLive = true;
    this.step(price);
    this.counters.ticks++;
    this.bump(ts, arrivedAt);
    // A pending bar whose grace has passed in event time closes now.
    if (this.hasPend && ts >= this.pend.ts + barMs + this.opt.lateTickGraceMs) this.closePending();
    return 'ok';
  }

  private bump(ts: number, arrivedAt: number): void {
    if (ts > this.watermark) {
      this.watermark = ts;
      this.arrivedAt = arrivedAt;
    }
  }

  /**
   * Closes every open bar whose end plus grace lies before `eventNow` (the venue's time now, as
   * estimated from its newest tick plus the local time since it arrived).
   */
  closeDue(eventNow: number): void {
    const barMs = this.opt.shortBarMs;
    const grace = this.opt.lateTickGraceMs;
    if (this.hasPend && eventNow >= this.pend.ts + barMs + grace) this.closePending();
    if (this.hasCur && !this.hasPend && eventNow >= this.cur.ts + barMs + grace) {
      this.hasCur = false;
      this.closeBar(this.cur, this.curLive ? 'live' : 'backfill');
    }
  }

  /** Closes every open bar (end of a replay, shutdown). */
  flush(): void {
    if (this.hasPend) this.closePending();
    if (this.hasCur) {
      this.hasCur = false;
      this.closeBar(this.cur, this.curLive ? 'live' : 'backfill');
    }
    if (this.hasLong) {
      this.hasLong = false;
      this.longB.pushTo(this.long);
    }
  }

  private closePending(): void {
    this.hasPend = false;
    this.closeBar(this.pend, this.pendLive ? 'live' : 'backfill');
  }

  /** Adds a finished short bar (from REST history, or a series row). */
  addShortBar(b: Bar, origin: BarOrigin): boolean {
    if (this.hasCur && b.ts >= this.cur.ts) return false;
    if (this.hasPend) this.closePending();
    if (b.ts <= this.short.lastTs) return false;
    const tmp = new BarBuilder();
    tmp.start(b.ts);
    tmp.addBar(b.open, b.high, b.low, b.close, b.volume, b.quoteVolume, b.buyVolume, b.sellVolume, b.trades);
    this.closeBar(tmp, origin);
    return true;
  }

  /** Adds a finished long bar from history; only bars older than anything the long ring holds. */
  addLongBar(b: Bar): boolean {
    const cutoff = this.hasLong ? this.longB.ts : Infinity;
    if (b.ts <= this.long.lastTs || b.ts >= cutoff) return false;
    this.long.pushBar(b);
    return true;
  }

  private closeBar(b: BarBuilder, origin: BarOrigin): void {
    const opt = this.opt;
    const ring = this.short;
    const first = ring.length === 0;
    const prevTs = first ? 0 : ring.lastTs;
    const prevClose = first ? 0 : ring.close[ring.slot(0)];
    const slot = b.pushTo(ring);
    const settled = this.settled;
    if (settled) {
      settled.low[slot] = b.settledLow;
      settled.high[slot] = b.settledHigh;
      settled.close[slot] = b.settledClose;
    }
    this.counters.bars++;
    this.foldLong(b);

    const inp = this.input;
    inp.slot = slot;
    inp.ts = b.ts;
    inp.close = b.close;
    inp.trades = b.trades;
    inp.buyVolume = b.buyVolume;
    inp.sellVolume = b.sellVolume;
    inp.maxSameMs = b.maxSameMs > 0 ? b.maxSameMs : b.trades > 0 ? 1 : 0;
    inp.first = first;
    if (this.usesLevel) inp.level = opt.returns === 'diff' ? b.close : b.close > 0 ? Math.log(b.close) : NaN;
    if (first) {
      inp.logReturn = 0;
      inp.dtBars = 1;
      inp.ret = 0;
      inp.afterGap = false;
    } else {
      const dt = Math.max(1, Math.round((b.ts - prevTs) / opt.shortBarMs));
      const usual = this.spacing.n > 0 ? this.spacing.mean : 1;
      inp.afterGap = isDataGap(prevTs, b.ts, dt, usual, opt);
      if (inp.afterGap) this.gapTs = b.ts;
      else this.spacing.update(dt);
      inp.logReturn = this.diff(b.close, prevClose);
      inp.dtBars = dt;
      inp.ret = inp.logReturn / Math.sqrt(dt);
    }
    this.learnSpreads(b, slot, first || inp.afterGap);
    this.features(b, first || inp.afterGap);
    if (first) this.firstBarTs = b.ts;
    // Not yet trusted during warm-up: a move that began then is measured in today's spread.
    const trusted = this.warm(b.ts);
    this.sigmaAt[slot] = trusted ? this.sigmaPast : NaN;
    this.sigmaHAt[slot] = trusted ? this.sigmaHPast : NaN;
    const v = this.ensemble.evaluate(inp);
    const ev = this.evaluation;
    ev.barTs = b.ts;
    ev.ts = b.ts + opt.shortBarMs;
    ev.price = b.close;
    ev.score = v.score;
    ev.surprise = v.surprise;
    ev.sign = v.sign;
    ev.quoteVolume = b.quoteVolume;
    ev.origin = origin;
    ev.afterGap = inp.afterGap;
    ev.warmingUp = !trusted;
    this.onClose(this, ev);
  }

  private readonly diffOf = (a: number, b: number): number => this.diff(a, b);

  private diff(a: number, b: number): number {
    if (this.opt.returns === 'diff') return a - b;
    return a > 0 && b > 0 ? Math.log(a / b) : 0;
  }

  /** Fills the feature vector for this bar from statistics of the past, then updates them. */
  private features(b: BarBuilder, skipReturn: boolean): void {
    const inp = this.input;
    const f = inp.features;
    const sd = Math.max(this.retStats.std, MIN_RETURN_STD);
    const lv = Math.log1p(b.volume);
    const lt = Math.log1p(b.trades);
    const range = this.diff(b.high, b.low);
    f[0] = (inp.ret - this.retStats.mean) / sd;
    f[1] = this.horizon(5, b, sd);
    f[2] = this.horizon(30, b, sd);
    f[3] = this.volStats.z(lv, 0.1);
    f[4] = this.tradeStats.z(lt, 0.1);
    f[5] = this.rangeStats.z(range / sd, 0.5);
    for (let i = 0; i < FEATURE_COUNT; i++) {
      const x = f[i];
      f[i] = x > FEATURE_CLIP ? FEATURE_CLIP : x < -FEATURE_CLIP ? -FEATURE_CLIP : x === x ? x : 0;
    }
    inp.featuresReady = this.retStats.n >= FEATURES_MIN_BARS && !skipReturn;
    if (!skipReturn) this.retStats.update(inp.ret);
    this.volStats.update(lv);
    this.tradeStats.update(lt);
    this.rangeStats.update(range / sd);
  }

  /** Past warm-up: enough bars, or (a stream that trades rarely) enough time and a few bars. */
  private warm(ts: number): boolean {
    const bars = this.counters.bars;
    return bars > this.opt.warmupBars || (bars > WARMUP_MIN_BARS && ts - this.firstBarTs >= this.opt.warmupMs);
  }

  /**
   * The rules' yardsticks, read as they stood before this bar, then taught it: the spread of
   * per-bar returns and of returns over YARDSTICK_HORIZON_MS (the close against the newest bar at
   * least that much older, never across a gap). For prices both are of settled closes, the prices
   * the rules measure moves in: the wicks of orders that swept the book do not widen them.
   */
  private learnSpreads(b: BarBuilder, slot: number, skip: boolean): void {
    const ring = this.short;
    const settled = this.settled;
    const closes = settled ? settled.close : ring.close;
    const perBar = settled ? this.settledRet : this.retStats;
    this.sigmaPast = Math.max(perBar.std, MIN_RETURN_STD);
    this.sigmaHPast = this.horizonSpread.spread(b.ts, MIN_RETURN_STD);
    this.bouncePast = this.sigmaHPast > 0 ? this.horizonSpread.scaled(this.bounce.variance) : 0;
    if (skip) {
      this.bounce.learn(NaN);
      return;
    }
    // (The detectors' own return statistics, which series also use here, learn in features().)
    if (settled) {
      const r = this.diff(closes[slot], closes[ring.slot(1)]);
      this.settledRet.update(r / Math.sqrt(this.input.dtBars));
      this.bounce.learn(r);
    }
    const newest = this.counters.bars - 1;
    this.horizonSpread.learn(ring, closes, newest, b.ts, this.gapTs, this.diffOf);
  }

  /**
   * Return over the last k bars, in units of the spread of returns over the time it covers: the
   * smaller of the per-bar spread scaled to that time and the horizon spread (as the alert rules'
   * yardstick, `moveSigmas`), so that bid-ask bounce does not hide a steady climb.
   */
  private horizon(k: number, b: BarBuilder, sd: number): number {
    const ring = this.short;
    if (ring.length <= k) return 0;
    const s = ring.slot(k);
    if (ring.ts[s] < this.gapTs) return 0;
    return this.diff(b.close, ring.close[s]) / yardstick(b.ts - ring.ts[s], sd, this.opt.shortBarMs, this.sigmaHPast, YARDSTICK_HORIZON_MS, this.bouncePast);
  }

  private foldLong(b: BarBuilder): void {
    const lb = this.opt.longBarMs;
    const start = b.ts - (b.ts % lb);
    if (this.hasLong && start !== this.longB.ts) {
      this.hasLong = false;
      if (this.longB.ts > this.long.lastTs) this.longB.pushTo(this.long);
    }
    if (!this.hasLong) {
      this.longB.start(start);
      this.hasLong = true;
    }
    this.longB.addBar(b.open, b.high, b.low, b.close, b.volume, b.quoteVolume, b.buyVolume, b.sellVolume, b.trades);
  }

  /**
   * Learns the price grid from consecutive trades: the smallest change between two prices. A change
   * below PRICE_STEP_NOISE of the price is floating-point noise, not a step. One trade off the grid
   * only makes the step smaller (the tick rule then asks for less, never more).
   */
  private step(price: number): void {
    const last = this.lastPrice;
    this.lastPrice = price;
    if (price === last) return;
    const d = price > last ? price - last : last - price;
    if (d < this.priceStep && d > Math.abs(price) * PRICE_STEP_NOISE) this.priceStep = d;
  }

  /** The move over the last windowMs up to the newest bar, never across the latest gap. */
  moveOver(windowMs: number): WindowMove {
    const end = this.short.lastTs + this.opt.shortBarMs;
    const from = Math.max(end - windowMs, this.gapTs);
    const m = windowMove(this.short, this.long, from, this.move, this.settled);
    // The spread as it stood before the newest bar: a jump must not widen its own yardstick.
    m.sigma = this.sigmaPast;
    // ...nor the bars of a fast move before it: each move in the spread of YARDSTICK_LAG_MS ago,
    // or of when it began if that was later.
    const lag = this.lagSlot();
    const upAt = this.later(m.upFromSlot, lag);
    const downAt = this.later(m.downFromSlot, lag);
    m.upSigma = this.spreadAt(upAt);
    m.downSigma = this.spreadAt(downAt);
    m.sigmaH = this.sigmaHPast;
    m.upSigmaH = this.horizonSpreadAt(upAt);
    m.downSigmaH = this.horizonSpreadAt(downAt);
    m.horizonMs = YARDSTICK_HORIZON_MS;
    m.bounce = this.bouncePast;
    m.barMs = this.opt.shortBarMs;
    m.priceStep = this.priceStep < Infinity ? this.priceStep : 0;
    m.returns = this.opt.returns;
    return m;
  }

  /** Slot of the newest short bar at least YARDSTICK_LAG_MS older than the newest one; -1 if none. */
  private lagSlot(): number {
    const ring = this.short;
    const since = ring.lastTs - YARDSTICK_LAG_MS;
    for (let back = 0; back < ring.length; back++) {
      const s = ring.slot(back);
      if (ring.ts[s] <= since) return s;
    }
    return -1;
  }

  /** Of two short-ring slots (-1: none), the one holding the newer bar. */
  private later(a: number, b: number): number {
    if (a < 0) return b;
    if (b < 0) return a;
    return this.short.ts[a] > this.short.ts[b] ? a : b;
  }

  /** The spread as it stood before the bar in `slot` was learned; the current one where unknown. */
  private spreadAt(slot: number): number {
    const sd = slot >= 0 ? this.sigmaAt[slot] : NaN;
    return sd === sd ? sd : this.sigmaPast;
  }

  /** The same for the horizon spread. */
  private horizonSpreadAt(slot: number): number {
    const sd = slot >= 0 ? this.sigmaHAt[slot] : NaN;
    return sd === sd ? sd : this.sigmaHPast;
  }

  /** Bars of both resolutions with start >= fromTs, including the open long bar. */
  bars(resolution: 'short' | 'long', fromTs = -Infinity, toTs = Infinity): Bar[] {
    if (resolution === 'short') return this.short.range(fromTs, toTs);
    const out = this.long.range(fromTs, toTs);
    if (this.hasLong && this.longB.ts >= fromTs && this.longB.ts < toTs && this.longB.ts > this.long.lastTs) out.push(this.longB.toBar());
    return out;
  }

  /** Bytes this stream holds, all included: rings, detectors and models, bookkeeping. */
  byteSize(): number {
    return (
      this.short.byteSize() +
      this.sigmaAt.byteLength +
      this.sigmaHAt.byteLength +
      (this.settled ? this.settled.low.byteLength + this.settled.high.byteLength + this.settled.close.byteLength : 0) +
      this.long.byteSize() +
      this.ensemble.byteSize() +
      this.input.features.byteLength +
      this.ids.length * 16 +
      // Bar builders, running statistics, the object itself and its maps (measured, rounded up).
      2048
    );
  }
}
