/**
 * Writes sample charts so that a person can look at them:
 *
 *   npx tsx src/render/gallery.ts [outdir]        (from the sources)
 *   node dist/src/render/gallery.js [outdir]      (after npm run build)
 *
 * The default folder is docs/images/gallery.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ChartRenderer } from './renderer.js';
import { sampleAlertRequest, sampleRangeRequest, type SampleName } from './samples.js';

export const DEFAULT_GALLERY_DIR = join('docs', 'images', 'gallery');
/** Kept files are compressed hard: size matters more than the milliseconds. */
const GALLERY_PNG_LEVEL = 9;

/** Renders every sample into `dir` and returns the files written. */
export function writeGallery(dir: string, renderer = new ChartRenderer({ pngLevel: GALLERY_PNG_LEVEL })): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, Uint8Array][] = [];
  const alerts: SampleName[] = ['spike', 'dump', 'flat', 'gap', 'venues', 'single'];
  for (const name of alerts) files.push([`alert-${name}.png`, renderer.drawAlert(sampleAlertRequest(name)).png]);
  files.push(['alert-spike-light.png', renderer.drawAlert(sampleAlertRequest('spike', { theme: 'light' })).png]);
  files.push(['alert-spike-berlin.png', renderer.drawAlert(sampleAlertRequest('spike', { timeZone: 'Europe/Berlin', n: 360 })).png]);
  files.push(['range-24h.png', renderer.drawRange(sampleRangeRequest()).png]);
  files.push(['range-24h-light.png', renderer.drawRange(sampleRangeRequest({ theme: 'light' })).png]);
  files.push(['range-empty.png', renderer.drawRange({ symbol: 'ETH/USDT', range: '1h', series: [], alerts: [] }).png]);
  return files.map(([name, png]) => {
    const path = join(dir, name);
    writeFileSync(path, png);
    return path;
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  for (const f of writeGallery(process.argv[2] ?? DEFAULT_GALLERY_DIR)) console.log(f);
}
