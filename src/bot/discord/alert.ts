import type { APIEmbed } from 'discord.js';
import type { OutboundMessage } from '../../engine/ports/destination.js';
import { alertButtons } from '../shared/alert-message.js';
import { buttonRows, clip, DISCORD_LIMITS, EMBED_COLORS, escapeText, type DiscordMessage } from './message.js';

/**
 * An alert (or a burst) as a Discord message: the watchers to notify in the content (mentions in
 * an embed never notify anyone), an embed titled with the headline, the rest of the `[ALERT]`
 * block as its description and the chart PNG attached and shown as its image; under it the
 * buttons of a single alert (Snooze 1h, Unwatch, Chart 24h, 👍/👎).
 */
export function alertDiscordMessage(msg: OutboundMessage): DiscordMessage {
  const [headline = '', ...rest] = msg.text.split('\n');
  const lead = msg.alerts[0];
  const single = msg.kind === 'alert' && msg.alerts.length === 1 ? lead : undefined;
  const { content, mentioned: mentions } = mentionContent(msg.mentions.filter((id) => /^\d{1,20}$/.test(id)));
  const embed: APIEmbed = {
    title: clip(headline, DISCORD_LIMITS.embedTitle),
    description: clip(rest.map(escapeText).join('\n'), DISCORD_LIMITS.embedDescription),
    color: single ? EMBED_COLORS[single.direction] : EMBED_COLORS.neutral,
  };
  if (lead) embed.timestamp = new Date(lead.ts).toISOString();
  const m: DiscordMessage = {
    content,
    embeds: [embed],
    components: single ? buttonRows(alertButtons(single.id)) : [],
    files: [],
    mentionUsers: mentions,
    ephemeral: false,
  };
  const chart = msg.chart;
  if (chart?.png) {
    m.files.push({ name: chart.fileName, data: Buffer.from(chart.png) });
    embed.image = { url: `attachment://${chart.fileName}` };
  } else if (chart?.url) {
    embed.image = { url: chart.url };
  }
  return m;
}

/** Room kept at the end of the content for the count of watchers left out. */
const MORE_RESERVE = 24;

/**
 * The bell and the watchers to notify, as many as Discord takes in one message (2,000 characters
 * of content, 100 users allowed to be pinged); the rest are counted ("+12 more watchers") rather
 * than left to make Discord refuse the whole alert.
 */
export function mentionContent(ids: readonly string[]): { content: string; mentioned: string[] } {
  if (ids.length === 0) return { content: '', mentioned: [] };
  let content = '🔔';
  const mentioned: string[] = [];
  for (const id of ids) {
    const next = ` <@${id}>`;
    const room = DISCORD_LIMITS.content - (mentioned.length + 1 < ids.length ? MORE_RESERVE : 0);
    if (mentioned.length >= DISCORD_LIMITS.allowedMentionUsers || content.length + next.length > room) break;
    content += next;
    mentioned.push(id);
  }
  const left = ids.length - mentioned.length;
  if (left > 0) content += ` +${left} more watcher${left === 1 ? '' : 's'}`;
  return { content, mentioned };
}
