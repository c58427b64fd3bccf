import type { BarSource, ChartPort } from '../../src/engine/ports/chart.js';
import type { Destination, OutboundMessage } from '../../src/engine/ports/destination.js';
import type { DeliveryReceipt } from '../../src/engine/ports/store.js';

/** A destination that records what it was sent; `fail` decides per call whether to throw. */
export class FakeDestination implements Destination {
  readonly sent: (OutboundMessage & { at: number })[] = [];
  calls = 0;
  fail: ((msg: OutboundMessage, call: number) => Error | undefined) | undefined;

  constructor(
    readonly platform: string,
    private readonly uploads = false,
  ) {}

  async send(msg: OutboundMessage): Promise<DeliveryReceipt> {
    const e = this.fail?.(msg, this.calls++);
    if (e) throw e;
    this.sent.push({ ...msg, at: Date.now() });
    const mediaRef = this.uploads && msg.chart?.png ? `file-${this.sent.length}` : undefined;
    return { at: Date.now(), messageId: `m${this.sent.length}`, mediaRef };
  }
}

export const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

export const fakeChart = (renders: string[] = []) => ({
  renderer: {
    renderAlert: async (req) => {
      renders.push(req.alert.id);
      return PNG;
    },
    renderRange: async () => PNG,
  } satisfies ChartPort,
  bars: { seriesAround: () => [], seriesFor: () => [] } satisfies BarSource,
});
