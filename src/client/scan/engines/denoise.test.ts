import { describe, expect, it } from "vitest";
import { smoothAlongColumns } from "./denoise";

/** The filter as written in its definition: luminance, weighted rows around each pixel (edges repeated), grey RGBA. */
function reference(frame: { width: number; height: number; data: Uint8ClampedArray }, radius: number, centre: boolean) {
  const { width: w, height: h, data } = frame;
  const lum = (x: number, y: number) => {
    const i = (Math.min(h - 1, Math.max(0, y)) * w + x) * 4;
    return ((data[i] as number) * 77 + (data[i + 1] as number) * 150 + (data[i + 2] as number) * 29) >> 8;
  };
  let shift = 0;
  if (centre) {
    let sum = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) sum += lum(x, y);
    shift = 127 - sum / (w * h);
  }
  let total = 0;
  for (let k = -radius; k <= radius; k++) total += radius + 1 - Math.abs(k);
  const out: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++) sum += (radius + 1 - Math.abs(k)) * lum(x, y + k);
      const g = Math.max(0, Math.min(255, (sum / total + shift + 0.5) | 0));
      out.push(g, g, g, 255);
    }
  }
  return out;
}

describe("smoothing along columns (the 1-D second look)", () => {
  it("gives exactly the filter's definition, for the engine's radius (its fast path) and others, edges included", () => {
    let seed = 11;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (const [w, h] of [
      [37, 23],
      [5, 2],
      [1, 1],
    ] as const) {
      const data = new Uint8ClampedArray(w * h * 4).map(() => Math.floor(random() * 256));
      const frame = { width: w, height: h, data };
      for (const radius of [1, 2, 3]) {
        for (const centre of [false, true]) {
          expect(Array.from(smoothAlongColumns(frame, radius, centre).data), `${w}×${h} r${radius} ${centre}`).toEqual(
            reference(frame, radius, centre),
          );
        }
      }
    }
  });
});
