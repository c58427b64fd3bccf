import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Destination, OutboundMessage } from '../../engine/ports/destination.js';
import type { DeliveryReceipt } from '../../engine/ports/store.js';

export interface ConsoleDestinationOptions {
  /** Where text goes (a line writer: process.stdout.write, a logger). */
  write: (text: string) => void;
  /** Directory for chart PNGs (`./alerts/` by default in the product); absent: no files. */
  chartDir?: string | undefined;
}

/** Alerts printed in their text form, charts written as files: the sink with no chat token set. */
export class ConsoleDestination implements Destination {
  readonly platform = 'console';

  constructor(private readonly opts: ConsoleDestinationOptions) {}

  async send(msg: OutboundMessage): Promise<DeliveryReceipt> {
    let text = msg.text;
    const png = msg.chart?.png;
    if (this.opts.chartDir && png) {
      await mkdir(this.opts.chartDir, { recursive: true });
      const file = join(this.opts.chartDir, msg.chart?.fileName ?? `${msg.deliveryId}.png`);
      await writeFile(file, png);
      text += `\nChart: ${file}`;
    }
    this.opts.write(`${text}\n\n`);
    return { at: Date.now() };
  }
}
