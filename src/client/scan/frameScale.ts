/** What the decoder engines see of a frame: its crop, scaled down to at most `maxEdge` pixels on the long edge. */
import type { CropRect } from "./decoderProtocol";

function scaledSize(crop: CropRect, maxEdge: number): { width: number; height: number } {
  const scale = Math.min(1, maxEdge / Math.max(crop.width, crop.height));
  return { width: Math.max(1, Math.round(crop.width * scale)), height: Math.max(1, Math.round(crop.height * scale)) };
}

/**
 * Draws the crop of `bitmap` at its scaled size on `canvas` (resized when needed) and reads the pixels back. Used by
 * the decoder worker, and by bench:scan:worker to decode frames prepared the same way on a CPU-throttled page.
 */
export function scaledPixels(
  bitmap: ImageBitmap,
  crop: CropRect,
  maxEdge: number,
  canvas: OffscreenCanvas | null,
): { image: ImageData; canvas: OffscreenCanvas } {
  const { width, height } = scaledSize(crop, maxEdge);
  const target =
    canvas && canvas.width === width && canvas.height === height ? canvas : new OffscreenCanvas(width, height);
  const ctx = target.getContext("2d", { willReadFrequently: true });
  if (!ctx) throw new Error("no 2d context for the decoder");
  ctx.drawImage(bitmap, crop.x, crop.y, crop.width, crop.height, 0, 0, width, height);
  return { image: ctx.getImageData(0, 0, width, height), canvas: target };
}
