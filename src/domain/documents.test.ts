import { describe, expect, it } from "vitest";
import { type DocType, idCheckCharacter, maskDocumentNumber, validateDocument } from "./documents";

const today = new Date("2026-11-29T00:00:00Z");
const check = (type: DocType, raw: string) => validateDocument(type, raw, { today });
const reason = (type: DocType, raw: string) => {
  const r = check(type, raw);
  return r.ok ? "ok" : r.error.reason;
};

describe("mainland resident ID (GB 11643)", () => {
  it("accepts the standard's examples, including check character X", () => {
    expect(check("ID", "11010519491231002X")).toEqual({ ok: true, value: "11010519491231002X" });
    expect(check("ID", "440524188001010014")).toEqual({ ok: true, value: "440524188001010014" });
  });
  it("accepts lower-case x and normalises it, and strips spaces", () => {
    expect(check("ID", "11010519491231002x")).toEqual({ ok: true, value: "11010519491231002X" });
    expect(check("ID", " 110105 19491231 002X ")).toEqual({ ok: true, value: "11010519491231002X" });
  });
  it("computes the MOD 11-2 check character", () => {
    expect(idCheckCharacter("11010519491231002")).toBe("X");
    expect(idCheckCharacter("44052418800101001")).toBe("4");
  });
  it.each([
    ["", "empty"],
    ["1101051949123100", "wrong_length"],
    ["11010519491231002X1", "wrong_length"],
    ["11010519491231002A", "bad_characters"],
    ["1101051949123100X2", "bad_characters"],
    ["110105194912310021", "bad_check_digit"],
    ["320102199902301237", "impossible_date"], // 1999-02-30, with a correct check digit
    ["320102199913011235", "impossible_date"],
    ["320102202712010011", "future_date"],
    ["990102199001011237", "bad_region"],
    ["110000199001011235", "bad_region"],
    ["810000199001011230", "is_residence_permit"],
  ])("refuses %s: %s", (raw, expected) => {
    if (
      expected === "impossible_date" ||
      expected === "future_date" ||
      expected === "bad_region" ||
      expected === "is_residence_permit"
    ) {
      // Vectors are built with a correct check character, so only the named rule can fail.
      expect(idCheckCharacter(raw.slice(0, 17))).toBe(raw[17]);
    }
    expect(reason("ID", raw)).toBe(expected);
  });
  it("knows leap years", () => {
    expect(reason("ID", "11010120000229" + "123")).toBe("wrong_length");
    const leap = "11010120000229123";
    expect(reason("ID", leap + idCheckCharacter(leap))).toBe("ok");
    const notLeap = "11010119000229123";
    expect(reason("ID", notLeap + idCheckCharacter(notLeap))).toBe("impossible_date");
  });
});

describe("HK/Macau/Taiwan residence permit", () => {
  it.each(["810000199001011230", "820000200002290005", "830000198512120008"])("accepts %s", (raw) => {
    expect(reason("HMTR", raw)).toBe("ok");
  });
  it.each([
    ["110101200001011232", "bad_prefix"],
    ["810000199001011231", "bad_check_digit"],
    ["81000019900101123", "wrong_length"],
    ["820000200102290000", "impossible_date"],
  ])("refuses %s: %s", (raw, expected) => expect(reason("HMTR", raw)).toBe(expected));
});

describe("other documents", () => {
  it.each([
    ["HKMO", "H12345678", "ok"],
    ["HKMO", "m1234567801", "ok"],
    ["HKMO", "X12345678", "bad_prefix"],
    ["HKMO", "H1234567", "wrong_length"],
    ["HKMO", "H1234567A", "bad_characters"],
    ["TW", "12345678", "ok"],
    ["TW", "1234567890", "ok"],
    ["TW", "1234567890B", "ok"],
    ["TW", "1234567", "wrong_length"],
    ["TW", "1234567A", "bad_characters"],
    ["FPR", "USA110012345678", "ok"],
    ["FPR", "US1110012345678", "bad_characters"],
    ["FPR", "911156198801010014", "ok"],
    ["FPR", "911156198801010015", "bad_check_digit"],
    ["FPR", "111156198801010014", "bad_prefix"],
    ["FPR", "91115619880101001", "wrong_length"],
    ["PP", "E12345678", "ok"],
    ["PP", "e1234567 8", "ok"],
    ["PP", "E12", "wrong_length"],
    ["PP", "E1234_678", "bad_characters"],
    ["OT", "军官证123", "ok"],
    ["OT", "A".repeat(33), "wrong_length"],
    ["OT", "ABC#1", "bad_characters"],
  ] as [DocType, string, string][])("%s %s: %s", (type, raw, expected) => expect(reason(type, raw)).toBe(expected));
});

describe("masking", () => {
  it("shows the first 6 and last 4 characters", () => {
    expect(maskDocumentNumber("11010519491231002X")).toBe("110105********002X");
    expect(maskDocumentNumber("E12345678")).toBe("*****5678");
  });
});
