/**
 * A small Y4M (YUV4MPEG2, I420) writer: Chromium's fake camera plays such a file in a loop
 * (--use-file-for-fake-video-capture), so e2e tests show the app frames made at test time — no ffmpeg, no binaries.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import type { Frame } from "./render";

/** RGBA → planar Y, U, V (BT.601, studio range), chroma subsampled 2×2. */
export function toI420(frame: Frame): Buffer {
  const { width: w, height: h, data } = frame;
  const cw = w >> 1;
  const ch = h >> 1;
  const out = Buffer.alloc(w * h + 2 * cw * ch);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const r = data[i] as number;
      const g = data[i + 1] as number;
      const b = data[i + 2] as number;
      out[y * w + x] = Math.max(0, Math.min(255, Math.round(0.257 * r + 0.504 * g + 0.098 * b + 16)));
    }
  }
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const i = ((2 * y + dy) * w + 2 * x + dx) * 4;
        r += data[i] as number;
        g += data[i + 1] as number;
        b += data[i + 2] as number;
      }
      r /= 4;
      g /= 4;
      b /= 4;
      out[w * h + y * cw + x] = Math.max(0, Math.min(255, Math.round(-0.148 * r - 0.291 * g + 0.439 * b + 128)));
      out[w * h + cw * ch + y * cw + x] = Math.max(
        0,
        Math.min(255, Math.round(0.439 * r - 0.368 * g - 0.071 * b + 128)),
      );
    }
  }
  return out;
}

/** Writes frames (each shown `repeat` times) at `fps` frames per second. */
export function writeY4m(file: string, frames: { frame: Frame; repeat: number }[], fps: number): void {
  const first = frames[0]?.frame;
  if (!first) throw new Error("no frames");
  const fd = openSync(file, "w");
  try {
    writeSync(fd, `YUV4MPEG2 W${first.width} H${first.height} F${fps}:1 Ip A1:1 C420jpeg\n`);
    for (const { frame, repeat } of frames) {
      const planes = toI420(frame);
      for (let i = 0; i < repeat; i++) {
        writeSync(fd, "FRAME\n");
        writeSync(fd, planes);
      }
    }
  } finally {
    closeSync(fd);
  }
}
