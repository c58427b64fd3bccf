/** Every chat command, in the order help lists them. Both platforms derive their surface from this list. */
import type { AnyCommand } from './framework.js';
import { chartCommand } from './chart.js';
import { feedCommand } from './feed.js';
import { helpCommand } from './help.js';
import { historyCommand } from './history.js';
import { listCommand } from './list.js';
import { muteCommand } from './mute.js';
import { previewCommand } from './preview.js';
import { priceCommand } from './price.js';
import { quietCommand } from './quiet.js';
import { resumeCommand } from './resume.js';
import { sensitivityCommand } from './sensitivity.js';
import { setCommand } from './set.js';
import { statusCommand } from './status.js';
import { unfeedCommand } from './unfeed.js';
import { unwatchCommand } from './unwatch.js';
import { watchCommand } from './watch.js';

export const COMMANDS: readonly AnyCommand[] = Object.freeze([
  watchCommand,
  unwatchCommand,
  listCommand,
  setCommand,
  sensitivityCommand,
  priceCommand,
  chartCommand,
  historyCommand,
  previewCommand,
  muteCommand,
  quietCommand,
  feedCommand,
  unfeedCommand,
  resumeCommand,
  statusCommand,
  helpCommand,
]);

export function findCommand(name: string, list: readonly AnyCommand[] = COMMANDS): AnyCommand | undefined {
  const n = name.replace(/^\//, '').toLowerCase();
  return list.find((c) => c.name === n);
}

export * from './framework.js';
export { CHART_RANGE_CHOICES, DEFAULT_CHART_RANGE, chartReply } from './chart.js';
