import { describe, expect, it } from "vitest";
import { canonicalEventJson, SampleEventSchema } from "./events";
import { eventStream } from "./testEvents";

const resident = { name: "张三", docType: "ID", docNumber: "11010519491231002X" } as const;

describe("event schemas", () => {
  const events = eventStream();
  it("accepts each event type", () => {
    for (const event of [
      events.next("tube.opened", { tubeCode: "YT20210801", capacity: 10 }),
      events.next("registration.added", {
        registrationId: "6f1c2b9e-5d1a-4c3e-9a7b-2f0e1d3c4b5a",
        tubeCode: "YT20210801",
        resident,
      }),
      events.next("registration.voided", {
        registrationId: "6f1c2b9e-5d1a-4c3e-9a7b-2f0e1d3c4b5a",
        tubeCode: "YT20210801",
        reason: "录入错误",
      }),
      events.next("tube.sealed", { tubeCode: "YT20210801", count: 3, short: true }),
    ]) {
      expect(SampleEventSchema.safeParse(event).success, JSON.stringify(event)).toBe(true);
    }
  });

  it.each([
    ["an unknown type", { type: "tube.eaten" }],
    ["a pool size outside 1/5/10/20", { payload: { tubeCode: "YT20210801", capacity: 7 } }],
    ["a seq of 0", { seq: 0 }],
    ["a non-UUID id", { id: "abc" }],
    ["an extra field", { extra: 1 }],
    ["a date without offset", { occurredAt: "2026-11-29 08:00" }],
  ])("refuses %s", (_label, override) => {
    const event = { ...events.next("tube.opened", { tubeCode: "YT20210801", capacity: 10 }), ...override };
    expect(SampleEventSchema.safeParse(event).success).toBe(false);
  });

  it("refuses residents with invalid or unnormalised documents", () => {
    const bad = (r: object) =>
      SampleEventSchema.safeParse(
        events.next("registration.added", {
          registrationId: "6f1c2b9e-5d1a-4c3e-9a7b-2f0e1d3c4b5a",
          tubeCode: "YT20210801",
          resident: r as typeof resident,
        }),
      ).success;
    expect(bad({ ...resident, docNumber: "110105194912310021" })).toBe(false);
    expect(bad({ ...resident, docNumber: "11010519491231002x" })).toBe(false);
    expect(bad({ ...resident, phone: "" })).toBe(false);
    expect(bad(resident)).toBe(true);
  });

  it("serialises canonically whatever the key order", () => {
    const event = events.next("tube.opened", { tubeCode: "YT20210801", capacity: 10 });
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(event).reverse())));
    expect(canonicalEventJson(reordered)).toBe(canonicalEventJson(event));
  });
});
