// Draws the screenshots in docs/images from a live market of fake exchanges:
//   npx tsx test/web/docs-screenshots.ts
import { join } from 'node:path';
import { ARTIFACTS, launchChromium } from './browser.js';
import { LiveMarket } from './live-market.js';

const DOCS = join(ARTIFACTS, '..', 'docs', 'images');
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

const market = await new LiveMarket({
  venues: ['binance', 'okx', 'bybit'],
  symbols: [
    { symbol: 'BTC/USDT', price: 64_250 },
    { symbol: 'ETH/USDT', price: 3_180 },
    { symbol: 'SOL/USDT', price: 148.2 },
  ],
  warmMinutes: 75,
  staleAfterMs: 3_000,
}).start();
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(`${market.url}/`);
  await page.waitForSelector('body[data-loaded=true][data-live=live]');
  await wait(2_000);
  for (const v of ['binance', 'okx', 'bybit']) market.spike(v, 'SOL/USDT', 10, 10_000);
  await wait(14_000);
  market.pause('okx', 'ETH/USDT');
  await wait(5_000);
  await page.screenshot({ path: join(DOCS, 'dashboard.png') });
  await page.goto(`${market.url}/pair?symbol=SOL-USDT&range=1h`);
  await page.waitForSelector('body[data-loaded=true][data-live=live]');
  await wait(3_000);
  await page.screenshot({ path: join(DOCS, 'dashboard-pair.png') });
  process.stdout.write(`alerts: ${market.alerts.length}; screenshots in ${DOCS}\n`);
} finally {
  await browser.close();
  await market.stop();
}
