import { describe, expect, it } from "vitest";
import { fill } from "./i18n";

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
