import { describe, expect, it } from "vitest";
import { BACKOFF_MAX_MS, retryDelay } from "./backoff";

describe("retry delay", () => {
  it("doubles from 1 s, with jitter between half and the whole ceiling", () => {
    expect(retryDelay(1, 0)).toBe(500);
    expect(retryDelay(1, 0.999_999)).toBe(1_000);
    expect(retryDelay(2, 0)).toBe(1_000);
    expect(retryDelay(4, 0.5)).toBe(6_000);
  });

  it("never exceeds 5 minutes, however many failures", () => {
    for (const failures of [10, 20, 1_000]) {
      expect(retryDelay(failures, 0.999_999)).toBeLessThanOrEqual(BACKOFF_MAX_MS);
      expect(retryDelay(failures, 0)).toBe(BACKOFF_MAX_MS / 2);
    }
  });

  it("spreads devices that failed together", () => {
    const delays = new Set(Array.from({ length: 100 }, () => retryDelay(6)));
    expect(delays.size).toBeGreaterThan(50);
  });
});
