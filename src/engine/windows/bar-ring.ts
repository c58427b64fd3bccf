import type { Bar } from '../core/types.js';

/**
 * The bars of one stream at one resolution, newest last, in a ring of typed arrays.
 *
 * Only bars with trades are stored (quiet seconds cost nothing), so a ring sized for N bars always
 * covers at least N bar lengths of time. Prices are Float64 (a Float32 cannot hold BTC to the
 * cent); volumes are Float32 (seven significant digits is plenty for a volume).
 *
 * Memory: BAR_RING_BYTES_PER_BAR bytes a bar, allocated once.
 */
export const BAR_RING_BYTES_PER_BAR = 8 /* ts */ + 4 * 8 /* ohlc */ + 4 * 4 /* volumes */ + 4 /* trades */;

export class BarRing {
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float32Array;
  readonly quoteVolume: Float32Array;
  readonly buyVolume: Float32Array;
  readonly sellVolume: Float32Array;
  readonly trades: Uint32Array;
  /** Slot of the newest bar, -1 when empty. */
  private head = -1;
  private n = 0;

  constructor(
    readonly capacity: number,
    readonly barMs: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`ring capacity must be an integer >= 2, got ${capacity}`);
    if (!(barMs > 0)) throw new RangeError(`bar length must be > 0 ms, got ${barMs}`);
    this.ts = new Float64Array(capacity);
    this.open = new Float64Array(capacity);
    this.high = new Float64Array(capacity);
    this.low = new Float64Array(capacity);
    this.close = new Float64Array(capacity);
    this.volume = new Float32Array(capacity);
    this.quoteVolume = new Float32Array(capacity);
    this.buyVolume = new Float32Array(capacity);
    this.sellVolume = new Float32Array(capacity);
    this.trades = new Uint32Array(capacity);
  }

  /** Number of bars held (at most capacity). */
  get length(): number {
    return this.n;
  }

  /** Start time of the newest bar, or -Infinity when empty. */
  get lastTs(): number {
    return this.n === 0 ? -Infinity : this.ts[this.head];
  }

  /** Slot of the bar `back` bars before the newest (0 = newest). Caller keeps back < length. */
  slot(back: number): number {
    let s = this.head - back;
    if (s < 0) s += this.capacity;
    return s;
  }

  /** Appends a bar; its start must be later than the newest bar's. Returns its slot. */
  push(ts: number, open: number, high: number, low: number, close: number, volume: number, quoteVolume: number, buyVolume: number, sellVolume: number, trades: number): number {
    if (this.n > 0 && !(ts > this.ts[this.head])) {
      throw new RangeError(`bar at ${ts} is not after the newest bar at ${this.ts[this.head]}`);
    }
    const s = this.head + 1 === this.capacity ? 0 : this.head + 1;
    this.head = s;
    if (this.n < this.capacity) this.n++;
    this.ts[s] = ts;
    this.open[s] = open;
    this.high[s] = high;
    this.low[s] = low;
    this.close[s] = close;
    this.volume[s] = volume;
    this.quoteVolume[s] = quoteVolume;
    this.buyVolume[s] = buyVolume;
    this.sellVolume[s] = sellVolume;
    this.trades[s] = trades;
    return s;
  }

  pushBar(b: Bar): number {
    return this.push(b.ts, b.open, b.high, b.low, b.close, b.volume, b.quoteVolume, b.buyVolume, b.sellVolume, b.trades);
  }

  /** The bar in a slot, as a plain object (allocates: not for the hot path). */
  bar(slot: number): Bar {
    return {
      ts: this.ts[slot],
      open: this.open[slot],
      high: this.high[slot],
      low: this.low[slot],
      close: this.close[slot],
      volume: this.volume[slot],
      quoteVolume: this.quoteVolume[slot],
      buyVolume: this.buyVolume[slot],
      sellVolume: this.sellVolume[slot],
      trades: this.trades[slot],
    };
  }

  /** Bars with start >= fromTs (and < toTs), oldest first. */
  range(fromTs = -Infinity, toTs = Infinity): Bar[] {
    const out: Bar[] = [];
    for (let back = this.n - 1; back >= 0; back--) {
      const s = this.slot(back);
      const t = this.ts[s];
      if (t >= fromTs && t < toTs) out.push(this.bar(s));
    }
    return out;
  }

  /** Forgets every bar. */
  clear(): void {
    this.head = -1;
    this.n = 0;
  }

  byteSize(): number {
    return this.capacity * BAR_RING_BYTES_PER_BAR;
  }
}

/** The bar being built from ticks. One object per open bar, reused. */
export class BarBuilder {
  ts = 0;
  open = 0;
  high = 0;
  low = 0;
  close = 0;
  volume = 0;
  quoteVolume = 0;
  buyVolume = 0;
  sellVolume = 0;
  trades = 0;
  /** Largest number of trades sharing one millisecond timestamp (one order sweeping the book). */
  maxSameMs = 0;
  /**
   * Low, high and close of the bar's settled prices: the first fill of each millisecond's trades
   * (where one order met the book), leaving out the deeper fills of an order that swept several
   * levels. One market order in a thin book prints a wick that the next order does not confirm.
   */
  settledLow = 0;
  settledHigh = 0;
  settledClose = 0;
  private runTs = -1;
  private run = 0;

  get empty(): boolean {
    return this.trades === 0;
  }

  start(ts: number): void {
    this.ts = ts;
    this.trades = 0;
    this.volume = 0;
    this.quoteVolume = 0;
    this.buyVolume = 0;
    this.sellVolume = 0;
    this.maxSameMs = 0;
    this.run = 0;
    this.runTs = -1;
  }

  add(ts: number, price: number, qty: number, side: 'buy' | 'sell' | undefined): void {
    if (this.trades === 0) {
      this.open = price;
      this.high = price;
      this.low = price;
      this.settledLow = price;
      this.settledHigh = price;
    } else {
      if (price > this.high) this.high = price;
      if (price < this.low) this.low = price;
      if (ts !== this.runTs) {
        if (price > this.settledHigh) this.settledHigh = price;
        if (price < this.settledLow) this.settledLow = price;
      }
    }
    if (ts > this.runTs) this.settledClose = price;
    // A late tick (earlier than the last one) still updates the close only if it is the latest.
    if (ts >= this.runTs) this.close = price;
    this.trades++;
    this.volume += qty;
    this.quoteVolume += qty * price;
    if (side === 'buy') this.buyVolume += qty;
    else if (side === 'sell') this.sellVolume += qty;
    if (ts === this.runTs) {
      this.run++;
    } else if (ts > this.runTs) {
      this.runTs = ts;
      this.run = 1;
    }
    if (this.run > this.maxSameMs) this.maxSameMs = this.run;
  }

  /** Folds a whole bar in (used to build a long bar from short ones). */
  addBar(open: number, high: number, low: number, close: number, volume: number, quoteVolume: number, buyVolume: number, sellVolume: number, trades: number): void {
    if (this.trades === 0) {
      this.open = open;
      this.high = high;
      this.low = low;
      this.settledLow = low;
      this.settledHigh = high;
    } else {
      if (high > this.high) this.high = high;
      if (low < this.low) this.low = low;
      if (high > this.settledHigh) this.settledHigh = high;
      if (low < this.settledLow) this.settledLow = low;
    }
    this.close = close;
    this.settledClose = close;
    this.trades += trades;
    this.volume += volume;
    this.quoteVolume += quoteVolume;
    this.buyVolume += buyVolume;
    this.sellVolume += sellVolume;
  }

  pushTo(ring: BarRing): number {
    return ring.push(this.ts, this.open, this.high, this.low, this.close, this.volume, this.quoteVolume, this.buyVolume, this.sellVolume, this.trades);
  }

  toBar(): Bar {
    return {
      ts: this.ts,
      open: this.open,
      high: this.high,
      low: this.low,
      close: this.close,
      volume: this.volume,
      quoteVolume: this.quoteVolume,
      buyVolume: this.buyVolume,
      sellVolume: this.sellVolume,
      trades: this.trades,
    };
  }
}
