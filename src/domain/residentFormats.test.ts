import { describe, expect, it } from "vitest";
import { idCheckCharacter } from "./documents";
import { ResidentFormatsFileSchema } from "./residentFormatSchema";
import { formatProblem, formatsForSite, parseWithFormats, type ResidentFormat } from "./residentFormats";

const id = (first17: string) => first17 + idCheckCharacter(first17);
const ZHANG = id("11010519491231002");
const LI = id("37060219800101123");

/** The README's two worked examples, as a deployment's file declares them. */
const FILE = ResidentFormatsFileSchema.parse({
  formats: [
    {
      kind: "delimited",
      label: "烟台一码通",
      prefix: "YTM:",
      separator: "#",
      fields: { name: 0, docType: 1, docNumber: 2, phone: 3 },
      docTypeCodes: { "01": "ID", "02": "PP" },
    },
    {
      kind: "json",
      label: "核酸码（JSON）",
      fields: { name: "p.xm", docNumber: "p.zjhm", phone: "p.sjh", community: "sq" },
      docType: "ID",
      sites: ["ZF01"],
    },
    {
      kind: "regex",
      label: "旧系统",
      pattern: "HS(?<docNumber>\\d{17}[\\dX])N(?<name>[\\p{L}·]+)",
      docType: "ID",
    },
  ],
});
const formats = FILE.formats as ResidentFormat[];

describe("other systems' resident codes", () => {
  it("reads a delimited code, mapping its document type codes", () => {
    expect(parseWithFormats(`YTM:张三#01#${ZHANG}#13800138000`, formats)).toEqual({
      ok: true,
      value: { kind: "full", resident: { name: "张三", docType: "ID", docNumber: ZHANG, phone: "13800138000" } },
    });
  });

  it("reads a JSON code by key paths, with a fixed document type", () => {
    const code = JSON.stringify({ p: { xm: "李四", zjhm: LI.toLowerCase(), sjh: "139 0013 9000" }, sq: "幸福里社区" });
    expect(parseWithFormats(code, formats)).toEqual({
      ok: true,
      value: {
        kind: "full",
        resident: { name: "李四", docType: "ID", docNumber: LI, phone: "13900139000", community: "幸福里社区" },
      },
    });
  });

  it("reads a code by a regular expression's named groups", () => {
    expect(parseWithFormats(`HS${ZHANG}N阿依古丽·买买提`, formats)).toMatchObject({
      ok: true,
      value: { resident: { name: "阿依古丽·买买提", docNumber: ZHANG } },
    });
  });

  it("checks what a recognised code holds as an SP1 code's fields are checked", () => {
    expect(parseWithFormats(`YTM:张三#01#${ZHANG.slice(0, 17)}0#`, formats)).toMatchObject({
      ok: false,
      error: { code: "bad_document", reason: "bad_check_digit" },
    });
    expect(parseWithFormats(`YTM:张三#99#${ZHANG}`, formats)).toMatchObject({
      ok: false,
      error: { code: "unknown_doc_type", docType: "99" },
    });
    expect(parseWithFormats(`YTM:#01#${ZHANG}`, formats)).toMatchObject({ ok: false, error: { code: "bad_name" } });
  });

  it("leaves a code no format recognises alone (null), as before", () => {
    expect(parseWithFormats("YT00000001", formats)).toBeNull();
    expect(parseWithFormats('{"other": 1}', formats)).toBeNull();
    expect(parseWithFormats("", formats)).toBeNull();
    expect(parseWithFormats(`YTM:张三#01#${ZHANG}`, [])).toBeNull();
  });

  it("applies a format to its sites only", () => {
    expect(formatsForSite(formats, "ZF01").map((f) => f.label)).toEqual(["烟台一码通", "核酸码（JSON）", "旧系统"]);
    expect(formatsForSite(formats, "LS01").map((f) => f.label)).toEqual(["烟台一码通", "旧系统"]);
  });

  it("finds a broken declaration before it is used", () => {
    const regex = (pattern: string, docType?: "ID") =>
      ({ kind: "regex", label: "x", pattern, ...(docType ? { docType } : {}) }) as ResidentFormat;
    expect(formatProblem(regex("(?<name>.+"))).toMatch(/not a valid regular expression/);
    expect(formatProblem(regex("(?<name>\\p{L}+)(?<id>\\d+)", "ID"))).toMatch(/docNumber/);
    expect(formatProblem(regex("(?<name>\\p{L}+)(?<docNumber>\\d+)"))).toMatch(/docType/);
    expect(formatProblem(regex("(?<name>\\p{L}+)(?<docNumber>\\d+)", "ID"))).toBeNull();
    expect(ResidentFormatsFileSchema.safeParse({ formats: [{ kind: "csv" }] }).success).toBe(false);
  });

  it("never throws on 10,000 random strings", () => {
    let seed = 0xf0a7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed;
    };
    const pieces = ["YTM:", "#", "01", "{", "}", '"p"', ":", ".", "HS", "N", "1", "X", "张", "𠮷", "\u0000", "\\"];
    for (let i = 0; i < 10_000; i++) {
      let s = "";
      const length = next() % 60;
      for (let j = 0; j < length; j++) {
        const r = next();
        s += r % 3 === 0 ? pieces[r % pieces.length] : String.fromCodePoint(r % 0x2ffff);
      }
      const result = parseWithFormats(s, formats);
      expect(result === null || typeof result.ok === "boolean").toBe(true);
    }
  });
});
