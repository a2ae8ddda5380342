/**
 * The push batch adapts to the link and the server: it grows while pushes come back quickly (a phone with a day's
 * queue drains in fewer round trips) and shrinks when they are slow, time out, fail with 5xx or are too large, so that
 * a push on a weak mobile link still finishes and a busy server answers sooner.
 */
import { DEFAULT_PUSH_BATCH, MAX_PUSH_EVENTS } from "../../domain/limits";

export const MIN_PUSH_BATCH = 10;
/** Pushes quicker than this grow the batch; slower than SLOW_PUSH_MS shrink it. */
export const FAST_PUSH_MS = 500;
export const SLOW_PUSH_MS = 3_000;

export type PushOutcome = { ok: true; ms: number } | { ok: false };

export function nextBatchSize(current: number, outcome: PushOutcome): number {
  if (!outcome.ok || outcome.ms > SLOW_PUSH_MS) return Math.max(MIN_PUSH_BATCH, Math.floor(current / 2));
  if (outcome.ms < FAST_PUSH_MS) return Math.min(MAX_PUSH_EVENTS, Math.ceil(current * 1.5));
  return current;
}

export const INITIAL_PUSH_BATCH = DEFAULT_PUSH_BATCH;
