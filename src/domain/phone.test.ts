import { describe, expect, it } from "vitest";
import { validateMobile } from "./phone";

describe("mobile numbers", () => {
  it.each([
    ["13812345678", "13812345678"],
    ["+86 139-1234-5678", "13912345678"],
    ["19912345678", "19912345678"],
  ])("accepts %s", (raw, value) => expect(validateMobile(raw)).toEqual({ ok: true, value }));
  it.each([
    ["12812345678", "bad_prefix"],
    ["1381234567", "wrong_length"],
    ["138123456789", "wrong_length"],
    ["1381234567a", "bad_characters"],
  ])("refuses %s: %s", (raw, error) => expect(validateMobile(raw)).toEqual({ ok: false, error }));
});
