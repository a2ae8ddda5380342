import { describe, expect, it } from "vitest";
import { MAX_PUSH_EVENTS } from "../../domain/protocol";
import { INITIAL_PUSH_BATCH, MIN_PUSH_BATCH, nextBatchSize } from "./batchSize";

describe("adaptive push batch", () => {
  it("grows on quick pushes up to the server's maximum", () => {
    let size = INITIAL_PUSH_BATCH;
    for (let i = 0; i < 10; i++) size = nextBatchSize(size, { ok: true, ms: 120 });
    expect(size).toBe(MAX_PUSH_EVENTS);
  });

  it("halves on slow or failed pushes, never below the minimum", () => {
    expect(nextBatchSize(200, { ok: true, ms: 5_000 })).toBe(100);
    expect(nextBatchSize(200, { ok: false })).toBe(100);
    let size = 200;
    for (let i = 0; i < 20; i++) size = nextBatchSize(size, { ok: false });
    expect(size).toBe(MIN_PUSH_BATCH);
  });

  it("keeps its size in between", () => {
    expect(nextBatchSize(200, { ok: true, ms: 1_500 })).toBe(200);
  });
});
