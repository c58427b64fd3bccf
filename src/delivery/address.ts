import type { ChatAddress } from '../engine/ports/store.js';

/** `platform:chat[:topic]`: one destination (the unit of delivery jobs and burst windows). */
export function destinationKey(to: ChatAddress): string {
  return to.threadId ? `${to.platform}:${to.chatId}:${to.threadId}` : `${to.platform}:${to.chatId}`;
}

/** URL-safe base64 without padding: job-id safe (no `:`), reversible, deterministic. */
function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

/** An alert id as a job id: as is when it only holds job-id characters (the engine's always do). */
export function alertJobId(alertId: string): string {
  return /^[A-Za-z0-9_-]+$/.test(alertId) ? alertId : `x${b64(alertId)}`;
}

/** One alert to one destination: the job id, the receipt key and the webhook idempotency key. */
export function alertDeliveryId(alertId: string, to: ChatAddress): string {
  return `${alertJobId(alertId)}.${b64(destinationKey(to))}`;
}

/** The merged message of one burst window of one destination. */
export function burstDeliveryId(to: ChatAddress, flushAt: number): string {
  return `burst.${b64(destinationKey(to))}.${flushAt}`;
}

/** Deliveries go through one queue per platform, so that one platform's outage never delays another. */
export function deliverQueueName(platform: string): string {
  return `deliver-${platform}`;
}

export const RENDER_QUEUE = 'render';
