import { describe, expect, it } from "vitest";
import { checkCodePattern, createScanClassifier, isGarbledResidentCode } from "./scanCodes";

const scanner = createScanClassifier(undefined, () => new Date("2026-11-29T00:00:00Z"));

describe("scan classification", () => {
  it("tells residents, tubes and boxes apart", () => {
    expect(scanner.classify("SP1|张三|ID|11010519491231002X").kind).toBe("resident");
    expect(scanner.classify("11010519491231002X").kind).toBe("resident");
    expect(scanner.classify("YT20210801")).toEqual({ kind: "tube", code: "YT20210801" });
    expect(scanner.classify("yt20210801\r\n")).toEqual({ kind: "tube", code: "YT20210801" });
    expect(scanner.classify("BOX-0001")).toEqual({ kind: "box", code: "BOX-0001" });
    expect(scanner.classify("BOX12345")).toEqual({ kind: "box", code: "BOX12345" });
    expect(scanner.classify("https://example.com").kind).toBe("unknown");
  });

  it("never takes an 18-character ID number for a tube, even an invalid one", () => {
    expect(scanner.classify("110105194912310021")).toMatchObject({ kind: "invalid-resident" });
  });

  it("refuses a resident code where a tube is expected, naming what was expected", () => {
    expect(scanner.expect("SP1|张三|ID|11010519491231002X", "tube")).toEqual({
      ok: false,
      error: { code: "wrong_kind", expected: "tube", got: "resident" },
    });
    expect(scanner.expect("YT20210801", "resident")).toEqual({
      ok: false,
      error: { code: "wrong_kind", expected: "resident", got: "tube" },
    });
    expect(scanner.expect("BOX-0001", "tube")).toMatchObject({ ok: false, error: { got: "box" } });
    expect(scanner.expect("???", "tube")).toMatchObject({ ok: false, error: { code: "unrecognised_code" } });
    expect(scanner.expect("  ", "tube")).toEqual({ ok: false, error: { code: "empty_scan" } });
    expect(scanner.expect("110105194912310021", "resident")).toMatchObject({
      ok: false,
      error: { code: "invalid_resident_code", error: { reason: "bad_check_digit" } },
    });
  });

  it("uses per-site patterns", () => {
    const site = createScanClassifier({ tubePattern: "^YT\\d{10}$", boxPattern: "^XB\\d{4}$" });
    expect(site.classify("YT0000000001").kind).toBe("tube");
    expect(site.classify("YT20210801").kind).toBe("unknown");
    expect(site.classify("XB0001").kind).toBe("box");
  });

  it("checks that patterns compile and are anchored", () => {
    expect(checkCodePattern("^[A-Z]{8}$").ok).toBe(true);
    expect(checkCodePattern("[A-Z]{8}")).toEqual({ ok: false, error: "unanchored_pattern" });
    expect(checkCodePattern("^[A-Z{8}$")).toEqual({ ok: false, error: "invalid_pattern" });
  });

  it("classifies what a full-width IME or a grouped number typed", () => {
    expect(scanner.classify("ＹＴ２０２１０８０１")).toEqual({ kind: "tube", code: "YT20210801" });
    expect(scanner.classify("１１０１０５ １９４９１２３１ ００２ｘ")).toEqual({
      kind: "resident",
      parsed: { kind: "bare-id", docType: "ID", docNumber: "11010519491231002X" },
    });
    expect(scanner.classify("sp1|张三|id|11010519491231002x|+86 138 1234 5678")).toEqual({
      kind: "resident",
      parsed: {
        kind: "full",
        resident: { name: "张三", docType: "ID", docNumber: "11010519491231002X", phone: "13812345678" },
      },
    });
  });
});

describe("garbled resident codes (a scanner gun that cannot type Chinese)", () => {
  it.each([
    ["SP1||ID|11010519491231002X", true],
    ["SP1| |ID|11010519491231002X", true],
    ["SP1|??|ID|11010519491231002X", true],
    ["SP1|？？|ID|11010519491231002X", true],
    ["SP1|\uFFFD\uFFFD|ID|11010519491231002X", true],
    ["SP1|\u0000\u0000|ID|11010519491231002X", true],
    ["SP1|\u001b[A|ID|11010519491231002X", true],
    ["SP1|张?|ID|11010519491231002X", true],
    // 张三 typed byte by byte in the wrong code page: GBK and UTF-8 read as Windows-1252.
    ["SP1|ÕÅÈý|ID|11010519491231002X", true],
    ["SP1|å¼\u00A0ä¸‰|ID|11010519491231002X", true],
    ["SP1|José|PP|E12345678", false],
    ["SP1|Zoë Müller|PP|E12345678", false],
    ["SP1|ID|11010519491231002X|13812345678", true],
    ["SP1|张三|ID|11010519491231002X|13812345678|???", true],
    ["SP1|张三|ID|11010519491231002X|13812345678|\uFFFD社区", true],
    ["SP1|张三|ID|11010519491231002X", false],
    ["SP1|Zhang San|PP|E12345678", false],
    ["SP1|张三|ID|11010519491231002X|13812345678|幸福里", false],
    // A person really called "Id" is not garbled: the document type follows the name.
    ["SP1|Id|PP|E12345678", false],
    ["SP2||ID|11010519491231002X", false],
    ["YT20210801", false],
    ["11010519491231002X", false],
  ])("%j → %s", (text, garbled) => {
    expect(isGarbledResidentCode(text)).toBe(garbled);
  });

  it("refuses a garbled code with its own problem code, whatever was expected", () => {
    for (const expected of ["resident", "tube", "box"] as const) {
      expect(scanner.expect("SP1|??|ID|11010519491231002X", expected)).toEqual({
        ok: false,
        error: { code: "garbled_code" },
      });
    }
    expect(scanner.classify("SP1||ID|11010519491231002X\r\n")).toEqual({ kind: "garbled-resident" });
    // Before the check, an empty name was only "invalid name", and a community of ??? was accepted.
    expect(scanner.classify("SP1|张三|ID|11010519491231002X||???")).toEqual({ kind: "garbled-resident" });
  });
});
