import QRCode from "qrcode";
import { describe, expect, it } from "vitest";
import { QUIET_ZONE, qrPath } from "./qrPath";

/** The modules the path paints, read back from its rectangles. */
function painted(d: string, size: number): boolean[][] {
  const grid = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  for (const [, x, y, w] of d.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    for (let i = 0; i < Number(w); i++) (grid[Number(y)] as boolean[])[Number(x) + i] = true;
  }
  return grid;
}

describe("qrPath", () => {
  it("paints exactly the dark modules of the code, inside a quiet zone", () => {
    const text = "SP1|阿依古丽·买买提|ID|440524188001010014|13812345678|幸福里社区";
    const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
    const { d, size } = qrPath(text);
    expect(size).toBe(modules.size + 2 * QUIET_ZONE);
    const grid = painted(d, size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inCode = x >= QUIET_ZONE && y >= QUIET_ZONE && x < size - QUIET_ZONE && y < size - QUIET_ZONE;
        const dark = inCode && Boolean(modules.get(y - QUIET_ZONE, x - QUIET_ZONE));
        expect(grid[y]?.[x], `module ${x},${y}`).toBe(dark);
      }
    }
  });
});
