/**
 * Retry delays after failed syncs (network errors, timeouts, 5xx): exponential from 1 s up to 5 min, with jitter so
 * that 1,400 sampling points coming back online together do not hit the server in the same second.
 */
export const BACKOFF_FIRST_MS = 1_000;
export const BACKOFF_MAX_MS = 5 * 60_000;

/** The delay before retry number `failures` (1 = after the first failure); `random` in [0, 1). */
export function retryDelay(failures: number, random: number = Math.random()): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.max(0, failures - 1));
  // "Equal jitter": at least half the ceiling, so the delay still grows, plus a random part.
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
