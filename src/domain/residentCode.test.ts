import { describe, expect, it } from "vitest";
import { encodeResidentCode, parseResidentCode, type Resident } from "./residentCode";

const today = new Date("2026-11-29T00:00:00Z");
const parse = (text: string) => parseResidentCode(text, today);

describe("resident code v1", () => {
  const residents: Resident[] = [
    { name: "𠮷野家", docType: "ID", docNumber: "11010519491231002X", phone: "13812345678", community: "幸福里社区" },
    { name: "阿依古丽·买买提", docType: "ID", docNumber: "440524188001010014" },
    { name: "JOHN O'NEIL-SMITH", docType: "PP", docNumber: "E12345678", community: "芝罘区 3号楼" },
    { name: "陈大文", docType: "HKMO", docNumber: "H12345678", phone: "13912345678" },
    { name: "林美", docType: "HMTR", docNumber: "830000198512120008" },
  ];

  it.each(residents)("round-trips $name", (resident) => {
    const encoded = encodeResidentCode(resident);
    if (!encoded.ok) throw new Error(JSON.stringify(encoded.error));
    expect(parse(encoded.value)).toEqual({ ok: true, value: { kind: "full", resident } });
  });

  it("leaves trailing empty fields off and accepts them present", () => {
    const encoded = encodeResidentCode({ name: "张三", docType: "ID", docNumber: "11010519491231002X" });
    expect(encoded).toEqual({ ok: true, value: "SP1|张三|ID|11010519491231002X" });
    expect(parse("SP1|张三|ID|11010519491231002X||")).toEqual(parse("SP1|张三|ID|11010519491231002X"));
    expect(parse("SP1|张三|ID|11010519491231002X||社区")).toMatchObject({
      ok: true,
      value: { resident: { community: "社区" } },
    });
  });

  it("normalises a lower-case x in the document number", () => {
    expect(parse("SP1|张三|ID|11010519491231002x")).toMatchObject({
      ok: true,
      value: { resident: { docNumber: "11010519491231002X" } },
    });
  });

  it("accepts a bare resident ID number", () => {
    expect(parse("11010519491231002x")).toEqual({
      ok: true,
      value: { kind: "bare-id", docType: "ID", docNumber: "11010519491231002X" },
    });
    expect(parse("110105194912310021")).toEqual({
      ok: false,
      error: { code: "bad_document", docType: "ID", reason: "bad_check_digit" },
    });
  });

  it.each([
    ["", "empty"],
    ["hello", "not_resident_code"],
    ["SP2|张三|ID|11010519491231002X", "unsupported_version"],
    ["SP1|张三|ID", "missing_fields"],
    ["SP1|张三|ID|11010519491231002X|13812345678|社区|extra", "too_many_fields"],
    ["SP1||ID|11010519491231002X", "bad_name"],
    ["SP1|张三3|ID|11010519491231002X", "bad_name"],
    ["SP1| 张三|ID|11010519491231002X", "bad_field"],
    ["SP1|张\u0007三|ID|11010519491231002X", "bad_field"],
    ["SP1|张三|XX|11010519491231002X", "unknown_doc_type"],
    ["SP1|张三|ID|110105194912310021", "bad_document"],
    ["SP1|张三|ID|11010519491231002X|12345", "bad_phone"],
    [`SP1|张三|ID|11010519491231002X||${"社".repeat(101)}`, "community_too_long"],
    [`SP1|${"张".repeat(65)}|ID|11010519491231002X`, "name_too_long"],
    [`SP1|张三|ID|11010519491231002X||${"社".repeat(600)}`, "too_long"],
  ])("refuses %j with %s", (text, code) => {
    const result = parse(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });

  it("refuses to encode a field holding the separator", () => {
    expect(
      encodeResidentCode({ name: "张三", docType: "ID", docNumber: "11010519491231002X", community: "a|b" }),
    ).toEqual({
      ok: false,
      error: { code: "bad_field", field: "community", problem: "separator" },
    });
  });

  it("never throws on 10,000 random strings", () => {
    // A seeded generator so a failure can be replayed; strings mix the code's own alphabet with arbitrary code points.
    let seed = 0x5eed;
    const next = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed;
    };
    const pieces = ["SP1|", "SP", "|", "ID", "X", "x", "1", "0", "·", "𠮷", " ", "\n", "\u0000", "张"];
    for (let i = 0; i < 10_000; i++) {
      let s = "";
      const length = next() % 40;
      for (let j = 0; j < length; j++) {
        const r = next();
        s += r % 3 === 0 ? pieces[r % pieces.length] : String.fromCodePoint(r % 0x2ffff);
      }
      const result = parse(s);
      expect(typeof result.ok).toBe("boolean");
    }
  });
});
