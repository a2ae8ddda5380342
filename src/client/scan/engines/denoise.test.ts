import { describe, expect, it } from "vitest";
import { greyLevels, smoothAlongColumns, smoothGaussian3 } from "./denoise";

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

/** The 3×3 Gaussian as written in its definition: [1 2 1] both ways over the luminance, edges repeated, rounded. */
function referenceGaussian(frame: { width: number; height: number; data: Uint8ClampedArray }) {
  const { width: w, height: h, data } = frame;
  const lum = (x: number, y: number) => {
    const i = (Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))) * 4;
    return ((data[i] as number) * 77 + (data[i + 1] as number) * 150 + (data[i + 2] as number) * 29) >> 8;
  };
  const out: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) sum += (2 - Math.abs(dx)) * (2 - Math.abs(dy)) * lum(x + dx, y + dy);
      const g = (sum + 8) >> 4;
      out.push(g, g, g, 255);
    }
  }
  return out;
}

let seed = 11;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const randomFrame = (w: number, h: number) => ({
  width: w,
  height: h,
  data: new Uint8ClampedArray(w * h * 4).map(() => Math.floor(random() * 256)),
});

describe("3×3 Gaussian smoothing (the QR second look)", () => {
  it("gives exactly the filter's definition, edges included, for frames one pixel wide or high too", () => {
    for (const [w, h] of [
      [37, 23],
      [2, 5],
      [5, 1],
      [1, 4],
      [1, 1],
    ] as const) {
      const frame = randomFrame(w, h);
      expect(Array.from(smoothGaussian3(greyLevels(frame)).data), `${w}×${h}`).toEqual(referenceGaussian(frame));
    }
  });

  it("reads the same luminance from a frame whose pixels do not start on a 4-byte boundary", () => {
    const frame = randomFrame(9, 7);
    const shifted = new Uint8ClampedArray(frame.data.length + 1);
    shifted.set(frame.data, 1);
    const unaligned = { width: 9, height: 7, data: shifted.subarray(1) };
    expect(Array.from(greyLevels(unaligned).lum)).toEqual(Array.from(greyLevels(frame).lum));
  });
});

describe("smoothing along columns (the 1-D second look)", () => {
  it("gives exactly the filter's definition, for the engine's radius (its fast path) and others, edges included", () => {
    for (const [w, h] of [
      [37, 23],
      [5, 2],
      [1, 1],
    ] as const) {
      const frame = randomFrame(w, h);
      for (const radius of [1, 2, 3]) {
        for (const centre of [false, true]) {
          expect(
            Array.from(smoothAlongColumns(greyLevels(frame), radius, centre).data),
            `${w}×${h} r${radius} ${centre}`,
          ).toEqual(reference(frame, radius, centre));
        }
      }
    }
  });
});
