/** Wall-clock time in epoch ms. Injected so that tests and replays control time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
