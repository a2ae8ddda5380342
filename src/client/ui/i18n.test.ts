import { describe, expect, it } from "vitest";
import { fill, formatDateTime, formatTime, formatTimeSeconds } from "./i18n";

describe("message templates", () => {
  it("fills values", () => {
    expect(fill("已封管 {tube}（{count}人）", { tube: "YT1", count: 3 })).toBe("已封管 YT1（3人）");
  });

  it("gives English its plurals: no '1 tubes'", () => {
    const template = "{n, plural, one {# person} other {# people}} / {tubes, plural, one {# tube} other {# tubes}}";
    expect(fill(template, { n: 1, tubes: 1 })).toBe("1 person / 1 tube");
    expect(fill(template, { n: 0, tubes: 2 })).toBe("0 people / 2 tubes");
  });
});

describe("times and dates", () => {
  // 14:05:09 on 3 December, in the test machine's time zone.
  const at = new Date(2026, 11, 3, 14, 5, 9);

  it("uses a 24-hour clock in both languages, the same form on every screen", () => {
    expect(formatTime(at, "en")).toBe("14:05");
    expect(formatTime(at, "zh")).toBe("14:05");
    expect(formatTimeSeconds(at, "en")).toBe("14:05:09");
    expect(formatTimeSeconds(at, "zh")).toBe("14:05:09");
    expect(formatDateTime(at, "en")).toBe("03/12, 14:05");
    expect(formatDateTime(at, "zh")).toBe("12/03 14:05");
  });
});
