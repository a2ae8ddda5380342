/**
 * Feeds video frames to the decoder: one frame in flight at most, cropped to the on-screen guide box, each frame
 * timed by requestVideoFrameCallback where the browser has it.
 */

import type { DecodeResult, DecoderBridge } from "./decoderBridge";
import type { CropRect } from "./decoderProtocol";

/** The guide box: the centre of the video, 80 % of its shorter side wide and a little taller than a QR code. */
export function guideCrop(videoWidth: number, videoHeight: number): CropRect {
  const width = Math.round(Math.min(videoWidth * 0.9, videoHeight * 1.3));
  const height = Math.round(videoHeight * 0.8);
  return { x: Math.round((videoWidth - width) / 2), y: Math.round((videoHeight - height) / 2), width, height };
}

/**
 * The part of a frame the decoder sees: the guide box, as a bitmap to transfer to the worker (which scales it to at
 * most MAX_DECODE_EDGE on the long edge). Shared with bench:scan:worker, which times frames prepared this way.
 */
export function cropToGuideBox(frame: ImageBitmapSource, width: number, height: number): Promise<ImageBitmap> {
  const crop = guideCrop(width, height);
  return createImageBitmap(frame, crop.x, crop.y, crop.width, crop.height);
}

export function startFrameLoop(
  video: HTMLVideoElement,
  decoder: DecoderBridge,
  onResult: (result: DecodeResult) => void,
): () => void {
  let stopped = false;
  let handle = 0;
  const useVideoCallback = typeof video.requestVideoFrameCallback === "function";

  const schedule = () => {
    if (stopped) return;
    handle = useVideoCallback ? video.requestVideoFrameCallback(tick) : requestAnimationFrame(tick);
  };

  const tick = async () => {
    if (stopped) return;
    if (!decoder.busy && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && video.videoWidth > 0) {
      try {
        const bitmap = await cropToGuideBox(video, video.videoWidth, video.videoHeight);
        const pending = decoder.decode(bitmap, { x: 0, y: 0, width: bitmap.width, height: bitmap.height });
        if (pending) void pending.then((r) => !stopped && onResult(r)).catch(() => {});
      } catch {
        // A frame that could not be captured (video resizing, track ending) is skipped.
      }
    }
    schedule();
  };

  schedule();
  return () => {
    stopped = true;
    if (useVideoCallback) video.cancelVideoFrameCallback(handle);
    else cancelAnimationFrame(handle);
  };
}
