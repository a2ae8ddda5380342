import { describe, expect, it } from "vitest";
import { outcomeOfPush, resendAfterMark } from "./pushOutcome";

const sent = [
  { id: "a", seq: 5 },
  { id: "b", seq: 6 },
  { id: "c", seq: 8 },
];

describe("outcomeOfPush", () => {
  it("marks accepted and duplicate events synced and quarantines rejections with their reason", () => {
    const outcome = outcomeOfPush(sent, {
      mark: 8,
      results: [
        { index: 0, id: "a", status: "accepted" },
        { index: 1, id: "b", status: "duplicate" },
        { index: 2, id: "c", status: "rejected", code: "unknown_staff", message: "no such staff" },
      ],
    });
    expect(outcome).toEqual({
      synced: ["a", "b"],
      quarantined: [{ id: "c", code: "unknown_staff", message: "no such staff" }],
      resendAfter: null,
    });
  });

  it("keeps gap-refused events pending and asks to resend everything after the server's mark", () => {
    const outcome = outcomeOfPush(sent, {
      mark: 6,
      results: [
        { index: 0, id: "a", status: "duplicate" },
        { index: 1, id: "b", status: "accepted" },
        { index: 2, id: "c", status: "rejected", code: "sequence_gap", message: "expected 7" },
      ],
    });
    expect(outcome).toEqual({ synced: ["a", "b"], quarantined: [], resendAfter: 6 });
  });

  it("ignores results for indexes it did not send", () => {
    expect(outcomeOfPush(sent, { mark: 0, results: [{ index: 9, id: "z", status: "accepted" }] }).synced).toEqual([]);
  });
});

describe("resendAfterMark", () => {
  it("asks for a resend only when the device holds settled events beyond the server's mark", () => {
    expect(resendAfterMark(10, 10)).toBeNull();
    expect(resendAfterMark(10, 4)).toBeNull();
    expect(resendAfterMark(7, 10)).toBe(7);
    expect(resendAfterMark(0, 3)).toBe(0);
  });
});
