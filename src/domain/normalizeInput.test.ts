import { describe, expect, it } from "vitest";
import { validateDocument } from "./documents";
import {
  normalizeDocNumber,
  normalizeLabel,
  normalizePhone,
  normalizeScanText,
  normalizeTypedResident,
  toHalfWidth,
} from "./normalizeInput";
import { validateMobile } from "./phone";
import { parseResidentCode } from "./residentCode";

const today = new Date("2026-11-29T00:00:00Z");

describe("toHalfWidth", () => {
  it.each([
    ["１１０１０５", "110105"],
    ["ＡＢＣｘｙｚ", "ABCxyz"],
    ["（Ｂ）", "(B)"],
    ["＋８６", "+86"],
    ["１\u3000２", "1 2"],
    ["｜", "|"],
    ["张三", "张三"],
    ["abc-123", "abc-123"],
    ["", ""],
  ])("%j → %j", (input, expected) => {
    expect(toHalfWidth(input)).toBe(expected);
  });
});

describe("normalizeDocNumber", () => {
  it.each([
    ["１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"],
    ["１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"],
    ["11010519491231002x", "11010519491231002X"],
    ["110105 19491231 002X", "11010519491231002X"],
    ["110105-19491231-002X", "11010519491231002X"],
    ["110105\u300019491231\u3000002X", "11010519491231002X"],
    ["110105–19491231—002X", "11010519491231002X"],
    ["110105－19491231－002X", "11010519491231002X"],
    ["\u200B11010519491231002X\uFEFF", "11010519491231002X"],
    [" 11010519491231002X\t", "11010519491231002X"],
    ["ｅ１２３４５６７８", "E12345678"],
    ["h 1234 5678", "H12345678"],
    ["（Ｂ）１２３", "(B)123"],
    ["", ""],
  ])("%j → %j", (input, expected) => {
    expect(normalizeDocNumber(input)).toBe(expected);
  });

  it("turns what a Chinese IME types into a number the validator accepts", () => {
    expect(validateDocument("ID", normalizeDocNumber("１１０１０５ １９４９１２３１ ００２ｘ"), { today })).toEqual({
      ok: true,
      value: "11010519491231002X",
    });
    // Without normalisation the validator refuses the same text.
    expect(validateDocument("ID", "１１０１０５１９４９１２３１００２ｘ", { today }).ok).toBe(false);
  });
});

describe("normalizePhone", () => {
  it.each([
    ["13812345678", "13812345678"],
    ["１３８１２３４５６７８", "13812345678"],
    ["138 1234 5678", "13812345678"],
    ["138-1234-5678", "13812345678"],
    ["138\u30001234\u30005678", "13812345678"],
    ["+8613812345678", "13812345678"],
    ["+86 138 1234 5678", "13812345678"],
    ["＋８６ １３８１２３４５６７８", "13812345678"],
    ["008613812345678", "13812345678"],
    ["0086-138-1234-5678", "13812345678"],
    ["8613812345678", "13812345678"],
    ["(+86)13812345678", "13812345678"],
    ["+86.138.1234.5678", "13812345678"],
    // A country code is dropped only before a whole mobile number.
    ["861381234567", "861381234567"],
    ["86138123456789", "86138123456789"],
    ["+862012345678", "+862012345678"],
    ["", ""],
  ])("%j → %j", (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it("leaves wrong numbers for the validator to refuse precisely", () => {
    expect(validateMobile(normalizePhone("86 138 1234 567"))).toEqual({ ok: false, error: "wrong_length" });
    expect(validateMobile(normalizePhone("２３８１２３４５６７８"))).toEqual({ ok: false, error: "bad_prefix" });
    expect(validateMobile(normalizePhone("138１２３４５６７a"))).toEqual({ ok: false, error: "bad_characters" });
  });
});

describe("normalizeLabel", () => {
  it.each([
    ["ＹＴ０００００００１", "YT00000001"],
    [" yt00000001\r\n", "yt00000001"],
    ["YT 0000 0001", "YT00000001"],
    ["BOX-0001", "BOX-0001"],
  ])("%j → %j", (input, expected) => {
    expect(normalizeLabel(input)).toBe(expected);
  });
});

describe("normalizeScanText", () => {
  it.each([
    // Resident codes: numbers normalised, the name and community only trimmed.
    ["SP1|张三|ID|11010519491231002X\r\n", "SP1|张三|ID|11010519491231002X"],
    ["SP1|张三|ID|11010519491231002x", "SP1|张三|ID|11010519491231002X"],
    ["sp1|张三|id|11010519491231002x", "SP1|张三|ID|11010519491231002X"],
    ["ＳＰ１｜张三｜ＩＤ｜１１０１０５１９４９１２３１００２Ｘ", "SP1|张三|ID|11010519491231002X"],
    ["SP1|张三|ID|110105 19491231 002X|+86 138-1234-5678", "SP1|张三|ID|11010519491231002X|13812345678"],
    [
      "SP1| 张三 |ID|11010519491231002X|0086 13812345678|  幸福里社区 ",
      "SP1|张三|ID|11010519491231002X|13812345678|幸福里社区",
    ],
    ["SP1|Ｚｈａｎｇ　Ｓａｎ|PP|E12345678", "SP1|Ｚｈａｎｇ　Ｓａｎ|PP|E12345678"],
    [
      "SP1|阿依古丽·买买提|ID|11010519491231002X||一区（东）｜二",
      "SP1|阿依古丽·买买提|ID|11010519491231002X||一区（东）｜二",
    ],
    ["SP1|张三|ID|11010519491231002X|||", "SP1|张三|ID|11010519491231002X|||"],
    ["SP1|张三", "SP1|张三"],
    ["SP2|张三|ID|11010519491231002x", "SP2|张三|ID|11010519491231002X"],
    ["\uFEFFSP1|张三|ID|11010519491231002X", "SP1|张三|ID|11010519491231002X"],
    // Bare ID numbers, typed in groups or full-width.
    ["１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"],
    ["110105 1949 1231 002x", "11010519491231002X"],
    ["110105-19491231-002X", "11010519491231002X"],
    // Labels: compacted only (the classifier upper-cases).
    ["ＹＴ０００００００１\r\n", "YT00000001"],
    ["BOX-0001", "BOX-0001"],
    ["  ", ""],
    ["\u3000\u200B", ""],
    ["", ""],
  ])("%j → %j", (input, expected) => {
    expect(normalizeScanText(input)).toBe(expected);
  });

  it("makes codes typed with a full-width IME parse", () => {
    const typed = "ＳＰ１｜张三｜ＩＤ｜１１０１０５１９４９１２３１００２ｘ｜１３８ １２３４ ５６７８";
    expect(parseResidentCode(normalizeScanText(typed), today)).toEqual({
      ok: true,
      value: {
        kind: "full",
        resident: { name: "张三", docType: "ID", docNumber: "11010519491231002X", phone: "13812345678" },
      },
    });
  });

  it("never changes a name beyond trimming, whatever it holds", () => {
    for (const name of ["张三", "Ｚｈａｎｇ", "李 四", "O'Neil-Smith", "１２３", "a-b", "ｘ"]) {
      expect(normalizeScanText(`SP1|${name}|ID|11010519491231002X`).split("|")[1]).toBe(name);
    }
  });
});

describe("normalizeTypedResident", () => {
  it("normalises the number fields, trims name and community only, and leaves empty optional fields off", () => {
    expect(
      normalizeTypedResident({
        name: " 阿依古丽·买买提 ",
        docType: "ID",
        docNumber: "４４０５２４ １８８００１０１００１４",
        phone: "+86 138-1234-5678",
        community: " 幸福里 社区 ",
      }),
    ).toEqual({
      name: "阿依古丽·买买提",
      docType: "ID",
      docNumber: "440524188001010014",
      phone: "13812345678",
      community: "幸福里 社区",
    });
    expect(
      normalizeTypedResident({ name: "张三", docType: "PP", docNumber: "e 1234 5678", phone: "", community: " " }),
    ).toEqual({
      name: "张三",
      docType: "PP",
      docNumber: "E12345678",
    });
  });
});
