import { describe, expect, it } from "vitest";
import { KeystrokeBurst } from "./keyboardWedge";

const timing = { maxGapMs: 30, minLength: 4 };

function typed(times: number[]): KeystrokeBurst {
  const burst = new KeystrokeBurst(timing);
  for (const time of times) burst.key(time);
  return burst;
}

describe("KeystrokeBurst", () => {
  it("takes keys a few ms apart, then a quick Enter, for a gun's scan", () => {
    const burst = typed([0, 8, 16, 24, 32, 40]);
    expect(burst.endsScan(48)).toBe(true);
  });

  it("does not take a person's typing (keys 80 ms or more apart) for a scan", () => {
    const burst = typed([0, 120, 260, 350, 470]);
    expect(burst.endsScan(560)).toBe(false);
  });

  it("needs enough keys: two quick keys and Enter are not a code", () => {
    expect(typed([0, 5]).endsScan(10)).toBe(false);
    expect(typed([0, 5, 10, 15]).endsScan(20)).toBe(true);
  });

  it("a pause before Enter means a person pressed it", () => {
    expect(typed([0, 8, 16, 24]).endsScan(400)).toBe(false);
  });

  it("tolerates a late key in a gun's burst (a busy phone), not a person's steady typing", () => {
    expect(typed([0, 8, 16, 70, 78, 86, 94]).endsScan(100)).toBe(true);
    expect(typed([0, 60, 120, 180, 240]).endsScan(300)).toBe(false);
  });

  it("a slow start followed by a gun's burst counts only the burst", () => {
    const burst = typed([0, 500, 1000, 1008, 1016, 1024]);
    expect(burst.endsScan(1030)).toBe(true);
    expect(burst.continues(1040)).toBe(true);
    expect(burst.continues(1200)).toBe(false);
  });

  it("the gap is configurable for slow Bluetooth guns", () => {
    const slow = new KeystrokeBurst({ maxGapMs: 60, minLength: 4 });
    for (const time of [0, 50, 100, 150]) slow.key(time);
    expect(slow.endsScan(200)).toBe(true);
    expect(typed([0, 50, 100, 150]).endsScan(200)).toBe(false);
  });

  it("reset forgets the run", () => {
    const burst = typed([0, 8, 16, 24]);
    burst.reset();
    expect(burst.endsScan(30)).toBe(false);
    expect(burst.continues(30)).toBe(false);
  });
});
