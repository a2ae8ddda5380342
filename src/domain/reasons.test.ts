import { describe, expect, it } from "vitest";
import { RegistrationVoidedSchema, TubeTransferredSchema } from "./events";
import {
  cleanReasonText,
  OTHER_REASON,
  PRESET_REASONS,
  REASON_MAX_CHARS,
  type ReasonAction,
  reasonForDisplay,
  reasonLabel,
  reasonToStore,
  UNDO_REASON,
} from "./reasons";

const actions: ReasonAction[] = ["void", "transfer", "repeat"];

describe("preset reasons", () => {
  it("has the reasons field staff give, per action", () => {
    expect(PRESET_REASONS.void.map((r) => r.zh)).toEqual(
      expect.arrayContaining(["信息录入错误", "扫错人", "居民拒绝采样", "重复登记"]),
    );
    expect(PRESET_REASONS.transfer.map((r) => r.zh)).toEqual(
      expect.arrayContaining(["试管破损", "试管污染", "条码无法识别"]),
    );
    expect(PRESET_REASONS.repeat.map((r) => r.zh)).toEqual(
      expect.arrayContaining(["上次样本不合格", "复检", "按要求重采"]),
    );
  });

  it.each(actions)("%s: codes unique and stable-shaped, labels in both languages, never 'other'", (action) => {
    const presets = PRESET_REASONS[action];
    expect(new Set(presets.map((r) => r.code)).size).toBe(presets.length);
    expect(new Set(presets.map((r) => r.zh)).size).toBe(presets.length);
    for (const r of presets) {
      expect(r.code).toMatch(/^[a-z][a-z_]*$/);
      expect(r.code).not.toBe(OTHER_REASON);
      expect(r.zh).toMatch(/\p{Script=Han}/u);
      expect(r.en).toMatch(/^[A-Z][^\p{Script=Han}]*$/u);
      expect(r.zh).not.toBe(UNDO_REASON);
    }
  });

  it("stores every preset's Chinese label, valid in the event schema", () => {
    const envelope = {
      id: "00000000-0000-4000-8000-000000000001",
      deviceId: "device-0001",
      seq: 1,
      staffId: "s",
      siteCode: "DEMO",
      occurredAt: "2026-12-03T08:00:00.000Z",
    };
    for (const action of actions) {
      for (const r of PRESET_REASONS[action]) {
        const stored = reasonToStore(action, { code: r.code });
        expect(stored).toEqual({ ok: true, value: r.zh });
        if (!stored.ok) continue;
        const payload = { registrationId: envelope.id, tubeCode: "YT00000001", reason: stored.value };
        expect(RegistrationVoidedSchema.safeParse({ ...envelope, type: "registration.voided", payload }).success).toBe(
          true,
        );
      }
    }
  });
});

describe("reasonToStore", () => {
  it("stores 'other' as the text typed, cleaned", () => {
    expect(reasonToStore("void", { code: "other", otherText: "  居民要求\t更改\n姓名  " })).toEqual({
      ok: true,
      value: "居民要求 更改 姓名",
    });
    expect(reasonToStore("transfer", { code: "other", otherText: "Dropped on the floor" })).toEqual({
      ok: true,
      value: "Dropped on the floor",
    });
  });

  it("refuses an empty 'other', a text too long for the schema, and a code of another action", () => {
    expect(reasonToStore("void", { code: "other" })).toEqual({ ok: false, error: { code: "reason_required" } });
    expect(reasonToStore("void", { code: "other", otherText: " \u3000\t " })).toEqual({
      ok: false,
      error: { code: "reason_required" },
    });
    expect(reasonToStore("void", { code: "other", otherText: "长".repeat(REASON_MAX_CHARS) })).toMatchObject({
      ok: true,
    });
    expect(reasonToStore("void", { code: "other", otherText: "长".repeat(REASON_MAX_CHARS + 1) })).toEqual({
      ok: false,
      error: { code: "reason_too_long", max: REASON_MAX_CHARS },
    });
    expect(reasonToStore("void", { code: "tube_broken" })).toEqual({
      ok: false,
      error: { code: "unknown_reason", reasonCode: "tube_broken" },
    });
    expect(reasonToStore("repeat", { code: "" })).toMatchObject({ ok: false, error: { code: "unknown_reason" } });
  });

  it("a cleaned text (control characters, runs of spaces) passes the event schema", () => {
    const text = cleanReasonText(`  ${"a\tb\u0000 ".repeat(40)}  `);
    expect(text).toHaveLength(40 * 4 - 1);
    const payload = { fromTubeCode: "YT00000001", toTubeCode: "YT00000002", reason: text };
    expect(
      TubeTransferredSchema.safeParse({
        id: "00000000-0000-4000-8000-000000000001",
        deviceId: "device-0001",
        seq: 1,
        staffId: "s",
        siteCode: "DEMO",
        occurredAt: "2026-12-03T08:00:00.000Z",
        type: "tube.transferred",
        payload,
      }).success,
    ).toBe(true);
  });
});

describe("labels and display", () => {
  it("labels chips in either language", () => {
    expect(reasonLabel("void", "wrong_person", "zh")).toBe("扫错人");
    expect(reasonLabel("void", "wrong_person", "en")).toBe("Scanned the wrong person");
    expect(reasonLabel("transfer", "other", "zh")).toBe("其他");
    expect(reasonLabel("repeat", "other", "en")).toBe("Other");
  });

  it("shows stored presets and 撤销 in English, typed text as typed", () => {
    expect(reasonForDisplay("试管破损", "en")).toBe("Tube broken");
    expect(reasonForDisplay("试管破损", "zh")).toBe("试管破损");
    expect(reasonForDisplay("复检", "en")).toBe("Re-test");
    expect(reasonForDisplay(UNDO_REASON, "en")).toBe("Undone");
    expect(reasonForDisplay("居民要求更改", "en")).toBe("居民要求更改");
  });
});
