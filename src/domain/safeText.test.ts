import { describe, expect, it } from "vitest";
import { jsonProblem, MAX_JSON_DEPTH, textProblem } from "./safeText";

describe("stored text", () => {
  it("accepts names as people write them: Chinese, rare characters, middle dots, spaces", () => {
    for (const text of ["张三", "𠮷野家", "阿依古丽·买买提", "Anne-Marie O'Neil", "芝罘区 毓璜顶街道", ""]) {
      expect(textProblem(text)).toBeNull();
    }
  });

  it("refuses NUL, control characters, escape sequences and lone surrogates", () => {
    expect(textProblem("a\u0000b")).toBe("control_character");
    expect(textProblem("\u0007\u001b[2J")).toBe("control_character");
    expect(textProblem("line\nbreak")).toBe("control_character");
    expect(textProblem("c1\u0085")).toBe("control_character");
    expect(textProblem("del\u007f")).toBe("control_character");
    expect(textProblem("x\ud800")).toBe("lone_surrogate");
    expect(textProblem("\udc00y")).toBe("lone_surrogate");
    expect(textProblem("\ud842\udfb7")).toBeNull(); // 𠮷 as a pair
  });
});

describe("a parsed request body", () => {
  it("finds a bad string anywhere, keys included, with its path", () => {
    expect(jsonProblem({ events: [{ payload: { name: "a\u0000b" } }] })).toEqual({
      code: "bad_text",
      path: "/events/0/payload/name",
      problem: "control_character",
    });
    expect(jsonProblem({ "k\u0001": 1 })).toMatchObject({ code: "bad_text", path: "/k\u0001" });
    expect(jsonProblem({ ok: ["fine", 1, null, true, { deeper: "张三" }] })).toBeNull();
  });

  it("leaves text under an exempt path to the caller, but never depth", () => {
    const body = { deviceId: "d", events: [{ name: "a\u0000b" }] };
    expect(jsonProblem(body, { textExempt: "/events/" })).toBeNull();
    expect(jsonProblem({ ...body, deviceId: "\u0000" }, { textExempt: "/events/" })).toMatchObject({
      path: "/deviceId",
    });
    expect(jsonProblem({ events: [[[[1]]]] }, { textExempt: "/events/", maxDepth: 3 })).toMatchObject({
      code: "too_deep",
    });
  });

  it("refuses nesting deeper than the limit without recursing (a 100,000-deep bomb)", () => {
    let bomb: unknown = "x";
    for (let i = 0; i < 100_000; i++) bomb = [bomb];
    expect(jsonProblem(bomb)).toMatchObject({ code: "too_deep", maxDepth: MAX_JSON_DEPTH });
    let fine: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH; i++) fine = { a: fine };
    expect(jsonProblem(fine)).toBeNull();
    expect(jsonProblem({ a: fine })).toMatchObject({ code: "too_deep" });
  });

  it("never throws on 10,000 random values", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const randomString = () =>
      Array.from({ length: Math.floor(random() * 8) }, () => String.fromCharCode(Math.floor(random() * 0xffff))).join(
        "",
      );
    const randomValue = (depth: number): unknown => {
      const r = random();
      if (depth > 5 || r < 0.3) return randomString();
      if (r < 0.5) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(depth + 1));
      if (r < 0.7) return Object.fromEntries([[randomString(), randomValue(depth + 1)]]);
      return r < 0.85 ? random() : null;
    };
    for (let i = 0; i < 10_000; i++) expect(() => jsonProblem(randomValue(0))).not.toThrow();
  });
});
