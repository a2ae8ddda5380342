/**
 * Second looks for frames the first pass could not read. For 1-D codes: zxing-cpp in noisy frames. zxing-cpp reads 1-D codes along single pixel rows (and sharpens them),
 * so sensor noise breaks bars apart. Averaging along the columns — the direction the bars run — removes most of the
 * noise while keeping bar edges sharp, for labels tilted up to about ±30°.
 */
import type { FrameLike } from "./types";

/** A frame's luminance, one byte per pixel: computed once per frame and shared by the second looks. */
export interface GreyLevels {
  width: number;
  height: number;
  lum: Uint8Array;
}

/** Luminance (0.30 R + 0.59 G + 0.11 B, in integer weights) of an RGBA frame. */
export function greyLevels(frame: FrameLike): GreyLevels {
  const { width: w, height: h, data } = frame;
  const lum = new Uint8Array(w * h);
  if (data.byteOffset % 4 === 0) {
    // One 32-bit read per pixel (little-endian RGBA: red in the low byte) instead of three byte reads.
    const pixels = new Uint32Array(data.buffer, data.byteOffset, w * h);
    for (let j = 0; j < lum.length; j++) {
      const p = pixels[j] as number;
      lum[j] = ((p & 0xff) * 77 + ((p >>> 8) & 0xff) * 150 + ((p >>> 16) & 0xff) * 29) >>> 8;
    }
  } else {
    for (let i = 0, j = 0; j < lum.length; i += 4, j++) {
      lum[j] = ((data[i] as number) * 77 + (data[i + 1] as number) * 150 + (data[i + 2] as number) * 29) >> 8;
    }
  }
  return { width: w, height: h, lum };
}

const greyPixel = (g: number) => 0xff000000 | (g << 16) | (g << 8) | g;

/**
 * Luminance smoothed along columns by a triangular filter of the given radius (2 → [1 2 3 2 1]/9), as grey RGBA.
 * With `centre`, brightness is shifted so the frame's mean sits at mid-grey, ready for a fixed threshold: the guide
 * crop is mostly label, so its mean falls between paper and ink whatever the exposure.
 */
export function smoothAlongColumns(grey: GreyLevels, radius = 2, centre = false): FrameLike {
  const { width: w, height: h, lum } = grey;
  const weights: number[] = [];
  for (let k = -radius; k <= radius; k++) weights.push(radius + 1 - Math.abs(k));
  const total = weights.reduce((a, b) => a + b, 0);
  let shift = 0;
  if (centre) {
    let sum = 0;
    for (let j = 0; j < lum.length; j++) sum += lum[j] as number;
    shift = 127 - sum / lum.length;
  }
  // Every weighted sum maps to its output pixel (divided, centred, clamped, as grey RGBA) through one table lookup.
  const pixelOf = new Uint32Array(total * 255 + 1);
  for (let sum = 0; sum < pixelOf.length; sum++) {
    pixelOf[sum] = greyPixel(Math.max(0, Math.min(255, (sum / total + shift + 0.5) | 0)));
  }
  const out = new Uint8ClampedArray(w * h * 4);
  const out32 = new Uint32Array(out.buffer);
  const last = h - 1;
  if (radius === 2) {
    // The filter the engine uses, each pixel's five rows summed in one pass: a hard frame's second look spends much
    // of its time here on a slow phone.
    for (let y = 0; y < h; y++) {
      const r0 = (y < 2 ? 0 : y - 2) * w;
      const r1 = (y < 1 ? 0 : y - 1) * w;
      const r2 = y * w;
      const r3 = (y + 1 > last ? last : y + 1) * w;
      const r4 = (y + 2 > last ? last : y + 2) * w;
      for (let x = 0; x < w; x++) {
        out32[r2 + x] = pixelOf[
          (lum[r0 + x] as number) +
            2 * (lum[r1 + x] as number) +
            3 * (lum[r2 + x] as number) +
            2 * (lum[r3 + x] as number) +
            (lum[r4 + x] as number)
        ] as number;
      }
    }
    return { width: w, height: h, data: out };
  }
  const sums = new Uint32Array(w);
  for (let y = 0; y < h; y++) {
    sums.fill(0);
    for (let k = -radius; k <= radius; k++) {
      const row = Math.min(last, Math.max(0, y + k)) * w;
      const weight = weights[k + radius] as number;
      for (let x = 0; x < w; x++) sums[x] = (sums[x] as number) + weight * (lum[row + x] as number);
    }
    const r0 = y * w;
    for (let x = 0; x < w; x++) out32[r0 + x] = pixelOf[sums[x] as number] as number;
  }
  return { width: w, height: h, data: out };
}

/** Luminance smoothed by a 3×3 Gaussian ([1 2 1] both ways, edges repeated), as grey RGBA: a second look for small, noisy QR codes. */
export function smoothGaussian3(grey: GreyLevels): FrameLike {
  const { width: w, height: h, lum } = grey;
  const rows = new Uint16Array(w * h);
  for (let y = 0; y < h; y++) {
    const r = y * w;
    const end = r + w - 1;
    if (w === 1) {
      rows[r] = 4 * (lum[r] as number);
      continue;
    }
    // Edges repeated: the missing neighbour is the pixel itself. The inner loop has no bounds checks.
    rows[r] = 3 * (lum[r] as number) + (lum[r + 1] as number);
    for (let i = r + 1; i < end; i++)
      rows[i] = (lum[i - 1] as number) + 2 * (lum[i] as number) + (lum[i + 1] as number);
    rows[end] = (lum[end - 1] as number) + 3 * (lum[end] as number);
  }
  const out = new Uint8ClampedArray(w * h * 4);
  const out32 = new Uint32Array(out.buffer);
  const last = h - 1;
  for (let y = 0; y < h; y++) {
    const up = (y < 1 ? 0 : y - 1) * w;
    const r = y * w;
    const dn = (y + 1 > last ? last : y + 1) * w;
    for (let x = 0; x < w; x++) {
      const g = ((rows[up + x] as number) + 2 * (rows[r + x] as number) + (rows[dn + x] as number) + 8) >> 4;
      out32[r + x] = 0xff000000 | (g * 0x010101);
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * A copy with every colour channel inverted (alpha kept): a light-on-dark code (a phone in dark mode) becomes dark on
 * light, for decoders that read only dark-on-light.
 */
export function invertedCopy(frame: FrameLike): FrameLike {
  const { width, height, data } = frame;
  const out = new Uint8ClampedArray(width * height * 4);
  const source32 = new Uint32Array(data.buffer, data.byteOffset, width * height);
  const out32 = new Uint32Array(out.buffer);
  // Little-endian RGBA: flipping the low three bytes inverts R, G and B.
  for (let i = 0; i < out32.length; i++) out32[i] = (source32[i] as number) ^ 0x00ffffff;
  return { width, height, data: out };
}
