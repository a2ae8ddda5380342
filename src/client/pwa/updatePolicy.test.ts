import { describe, expect, it } from "vitest";
import { updateBlocker } from "./updatePolicy";

describe("when a waiting version may be applied", () => {
  it("waits for this device's open tube to be sealed, then for a sync in flight, and applies between tubes", () => {
    expect(updateBlocker({ tubeOpen: true, syncing: false })).toBe("tube_open");
    expect(updateBlocker({ tubeOpen: true, syncing: true })).toBe("tube_open");
    expect(updateBlocker({ tubeOpen: false, syncing: true })).toBe("sync_in_flight");
    expect(updateBlocker({ tubeOpen: false, syncing: false })).toBeNull();
  });
});
