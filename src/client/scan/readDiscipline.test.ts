import { describe, expect, it } from "vitest";
import type { DecodedCode } from "./engines/types";
import { ReadDiscipline } from "./readDiscipline";

const qr = (text: string): DecodedCode[] => [{ text, format: "QRCode", linear: false }];
const bar = (text: string): DecodedCode[] => [{ text, format: "Code128", linear: true }];

describe("read discipline", () => {
  it("registers a code held in front of the camera once, not once per frame", () => {
    const d = new ReadDiscipline();
    const kinds = [0, 100, 200, 300, 5000, 5100].map((t) => d.onFrame(qr("A"), t).kind);
    // Held continuously for 5 s: one accept, then silence.
    expect(kinds.slice(0, 4)).toEqual(["accept", "held", "held", "held"]);
  });

  it("ignores the same code shown again within the window with a repeat verdict, and accepts it after", () => {
    const d = new ReadDiscipline({ holdGapMs: 700, repeatWindowMs: 3000 });
    expect(d.onFrame(qr("A"), 0).kind).toBe("accept");
    expect(d.onFrame([], 100).kind).toBe("none");
    expect(d.onFrame(qr("A"), 1500).kind).toBe("repeat");
    expect(d.onFrame([], 1600).kind).toBe("none");
    expect(d.onFrame(qr("A"), 5000).kind).toBe("accept");
  });

  it("accepts different codes one after another", () => {
    const d = new ReadDiscipline();
    expect(["A", "B", "C"].map((t, i) => d.onFrame(qr(t), i * 400).kind)).toEqual(["accept", "accept", "accept"]);
  });

  it("counts a 1-D code only after two consecutive identical reads", () => {
    const d = new ReadDiscipline();
    expect(d.onFrame(bar("TUBE1234"), 0).kind).toBe("pending");
    expect(d.onFrame(bar("TUBE1284"), 50).kind).toBe("pending"); // a misread breaks the pair
    expect(d.onFrame(bar("TUBE1234"), 100).kind).toBe("pending");
    expect(d.onFrame(bar("TUBE1234"), 150)).toEqual({ kind: "accept", text: "TUBE1234" });
    expect(d.onFrame(bar("TUBE1234"), 200).kind).toBe("held");
  });

  it("needs the pair to be consecutive: an empty frame in between resets it", () => {
    const d = new ReadDiscipline();
    d.onFrame(bar("TUBE1234"), 0);
    d.onFrame([], 50);
    expect(d.onFrame(bar("TUBE1234"), 100).kind).toBe("pending");
  });
});
