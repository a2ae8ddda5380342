/**
 * Second looks for frames the first pass could not read. For 1-D codes: zxing-cpp in noisy frames. zxing-cpp reads 1-D codes along single pixel rows (and sharpens them),
 * so sensor noise breaks bars apart. Averaging along the columns — the direction the bars run — removes most of the
 * noise while keeping bar edges sharp, for labels tilted up to about ±30°.
 */
import type { FrameLike } from "./types";

/**
 * Luminance smoothed along columns by a triangular filter of the given radius (2 → [1 2 3 2 1]/9), as grey RGBA.
 * With `centre`, brightness is shifted so the frame's mean sits at mid-grey, ready for a fixed threshold: the guide
 * crop is mostly label, so its mean falls between paper and ink whatever the exposure.
 */
export function smoothAlongColumns(frame: FrameLike, radius = 2, centre = false): FrameLike {
  const { width: w, height: h, data } = frame;
  const lum = new Uint16Array(w * h);
  for (let i = 0, j = 0; j < lum.length; i += 4, j++) {
    lum[j] = ((data[i] as number) * 77 + (data[i + 1] as number) * 150 + (data[i + 2] as number) * 29) >> 8;
  }
  const weights: number[] = [];
  for (let k = -radius; k <= radius; k++) weights.push(radius + 1 - Math.abs(k));
  const total = weights.reduce((a, b) => a + b, 0);
  let shift = 0;
  if (centre) {
    let sum = 0;
    for (let j = 0; j < lum.length; j++) sum += lum[j] as number;
    shift = 127 - sum / lum.length;
  }
  const out = new Uint8ClampedArray(w * h * 4);
  const out32 = new Uint32Array(out.buffer);
  if (radius === 2) {
    // The filter the engine uses, in one pass per pixel (the same integer sums as below, about 3× faster): a hard
    // frame's second look spends most of its time here on a slow phone.
    const last = h - 1;
    for (let y = 0; y < h; y++) {
      const r0 = Math.max(0, y - 2) * w;
      const r1 = Math.max(0, y - 1) * w;
      const r2 = y * w;
      const r3 = Math.min(last, y + 1) * w;
      const r4 = Math.min(last, y + 2) * w;
      for (let x = 0; x < w; x++) {
        const sum =
          (lum[r0 + x] as number) +
          2 * (lum[r1 + x] as number) +
          3 * (lum[r2 + x] as number) +
          2 * (lum[r3 + x] as number) +
          (lum[r4 + x] as number);
        const g = Math.max(0, Math.min(255, (sum / total + shift + 0.5) | 0));
        out32[r2 + x] = 0xff000000 | (g << 16) | (g << 8) | g;
      }
    }
    return { width: w, height: h, data: out };
  }
  const sums = new Uint32Array(w);
  for (let y = 0; y < h; y++) {
    sums.fill(0);
    for (let k = -radius; k <= radius; k++) {
      const row = Math.min(h - 1, Math.max(0, y + k)) * w;
      const weight = weights[k + radius] as number;
      for (let x = 0; x < w; x++) sums[x] = (sums[x] as number) + weight * (lum[row + x] as number);
    }
    const r0 = y * w;
    for (let x = 0; x < w; x++) {
      const g = Math.max(0, Math.min(255, ((sums[x] as number) / total + shift + 0.5) | 0));
      // Little-endian RGBA: alpha in the high byte.
      out32[r0 + x] = 0xff000000 | (g << 16) | (g << 8) | g;
    }
  }
  return { width: w, height: h, data: out };
}

/** Luminance smoothed by a 3×3 Gaussian ([1 2 1] both ways), as grey RGBA: a second look for small, noisy QR codes. */
export function smoothGaussian3(frame: FrameLike): FrameLike {
  const { width: w, height: h, data } = frame;
  const lum = new Uint16Array(w * h);
  for (let i = 0, j = 0; j < lum.length; i += 4, j++) {
    lum[j] = ((data[i] as number) * 77 + (data[i + 1] as number) * 150 + (data[i + 2] as number) * 29) >> 8;
  }
  const rows = new Uint16Array(w * h);
  for (let y = 0; y < h; y++) {
    const r = y * w;
    for (let x = 0; x < w; x++) {
      rows[r + x] =
        (lum[r + Math.max(0, x - 1)] as number) +
        2 * (lum[r + x] as number) +
        (lum[r + Math.min(w - 1, x + 1)] as number);
    }
  }
  const out = new Uint8ClampedArray(w * h * 4);
  const out32 = new Uint32Array(out.buffer);
  for (let y = 0; y < h; y++) {
    const up = Math.max(0, y - 1) * w;
    const r = y * w;
    const dn = Math.min(h - 1, y + 1) * w;
    for (let x = 0; x < w; x++) {
      const g = ((rows[up + x] as number) + 2 * (rows[r + x] as number) + (rows[dn + x] as number) + 8) >> 4;
      out32[r + x] = 0xff000000 | (g << 16) | (g << 8) | g;
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
