import type { AlertEvent } from '../core/types.js';

/**
 * Where the engine hands its alerts. The engine calls publish synchronously on the tick path, so an
 * implementation must return quickly (enqueue, do not deliver) and must not throw; a rejected
 * promise is caught, counted and logged by the engine.
 */
export interface AlertSink {
  publish(alert: AlertEvent): void | Promise<void>;
}
