/// <reference types="vite/client" />
/** Runs in headless Chromium: renders the seeded corpus and decodes each frame through the app's decoder worker. */
import wasmUrl from "zxing-wasm/reader/zxing_reader.wasm?url";
import { generateCorpus } from "../../scripts/frames/corpus";
import { renderFrame } from "../../scripts/frames/render";
import { DecoderBridge } from "../../src/client/scan/decoderBridge";
import { MAX_DECODE_EDGE } from "../../src/client/scan/decoderProtocol";
import type { DecoderEngine } from "../../src/client/scan/engines/types";
import { createZxingJsEngine } from "../../src/client/scan/engines/zxingJs";
import { createZxingWasmEngine } from "../../src/client/scan/engines/zxingWasm";
import { cropToGuideBox } from "../../src/client/scan/frameLoop";
import { scaledPixels } from "../../src/client/scan/frameScale";

export interface WorkerBenchFrame {
  resolution: string;
  expected: string | null;
  decoded: string[];
  decodeMs: number;
  roundTripMs: number;
}

async function run(seed: number, perResolution: number, engine: "auto" | "zxing-wasm" | "zxing-js") {
  const bridge = new DecoderBridge(engine);
  const engineName = await bridge.ready;
  const frames: WorkerBenchFrame[] = [];
  const corpus = generateCorpus(seed, perResolution);
  // Warm-up: compile and JIT before timing.
  for (const entry of corpus.slice(0, 3)) {
    const f = renderFrame(entry.spec);
    const bitmap = await createImageBitmap(new ImageData(new Uint8ClampedArray(f.data), f.width, f.height));
    await bridge.decode(bitmap, { x: 0, y: 0, width: f.width, height: f.height }, 4096);
  }
  for (const entry of corpus) {
    const f = renderFrame(entry.spec);
    const bitmap = await createImageBitmap(new ImageData(new Uint8ClampedArray(f.data), f.width, f.height));
    const start = performance.now();
    // maxEdge above the frame size: frames are decoded at their own resolution, as in the Node bench.
    const result = await bridge.decode(bitmap, { x: 0, y: 0, width: f.width, height: f.height }, 4096);
    const roundTripMs = performance.now() - start;
    if (!result) throw new Error("decoder busy");
    frames.push({
      resolution: `${f.width}x${f.height}`,
      expected: entry.text,
      decoded: result.codes.map((c) => c.text),
      decodeMs: result.decodeMs,
      roundTripMs,
    });
  }
  bridge.terminate();
  return { engine: engineName, frames };
}

/** Camera-sized frames rendered ahead (so rendering is not timed, nor slowed by a CPU throttle set afterwards). */
let cameraFrames: { image: ImageData; text: string | null }[] = [];

function prepareCameraFrames(seed: number, count: number, width: number): number {
  cameraFrames = generateCorpus(seed, count)
    .filter((entry) => entry.spec.width === width)
    .map((entry) => {
      const f = renderFrame(entry.spec);
      return { image: new ImageData(new Uint8ClampedArray(f.data), f.width, f.height), text: entry.text };
    });
  return cameraFrames.length;
}

/**
 * The prepared frames as the app's camera loop hands them over: cropped to the guide box (the app's own code), then
 * scaled in the worker to at most MAX_DECODE_EDGE, with the engine the app would pick. Round trip: crop → result.
 */
async function runCameraFrames() {
  const bridge = new DecoderBridge();
  const engineName = await bridge.ready;
  const decodeOne = async ({ image }: { image: ImageData }) => {
    const start = performance.now();
    const bitmap = await cropToGuideBox(image, image.width, image.height);
    const result = await bridge.decode(bitmap, { x: 0, y: 0, width: bitmap.width, height: bitmap.height });
    if (!result) throw new Error("decoder busy");
    return { result, roundTripMs: performance.now() - start };
  };
  for (const frame of cameraFrames.slice(0, 3)) await decodeOne(frame);
  const frames: WorkerBenchFrame[] = [];
  for (const frame of cameraFrames) {
    const { result, roundTripMs } = await decodeOne(frame);
    frames.push({
      resolution: `${frame.image.width}x${frame.image.height}`,
      expected: frame.text,
      decoded: result.codes.map((c) => c.text),
      decodeMs: result.decodeMs,
      roundTripMs,
    });
  }
  bridge.terminate();
  return { engine: engineName, frames };
}

/**
 * The same frames, crop and scaling, decoded by the same engine on the page's own thread: Chromium throttles only a
 * page's main thread (CDP refuses Emulation.setCPUThrottlingRate on workers), so the throttled figure is taken here.
 * Round trip: crop → scaled → decoded.
 */
async function runCameraFramesOnPage(engineName: string) {
  let engine: DecoderEngine;
  if (engineName === "zxing-wasm") engine = createZxingWasmEngine({ url: new URL(wasmUrl, location.href).href });
  else if (engineName === "zxing-js") engine = createZxingJsEngine();
  else throw new Error(`no page-thread run for the ${engineName} engine`);
  let canvas: OffscreenCanvas | null = null;
  const decodeOne = async ({ image }: { image: ImageData }) => {
    const start = performance.now();
    const bitmap = await cropToGuideBox(image, image.width, image.height);
    const scaled = scaledPixels(
      bitmap,
      { x: 0, y: 0, width: bitmap.width, height: bitmap.height },
      MAX_DECODE_EDGE,
      canvas,
    );
    bitmap.close();
    canvas = scaled.canvas;
    const decodeStart = performance.now();
    const codes = await engine.decode(scaled.image);
    const end = performance.now();
    return { codes, decodeMs: end - decodeStart, roundTripMs: end - start };
  };
  for (const frame of cameraFrames.slice(0, 3)) await decodeOne(frame);
  const frames: WorkerBenchFrame[] = [];
  for (const frame of cameraFrames) {
    const { codes, decodeMs, roundTripMs } = await decodeOne(frame);
    frames.push({
      resolution: `${frame.image.width}x${frame.image.height}`,
      expected: frame.text,
      decoded: codes.map((c) => c.text),
      decodeMs,
      roundTripMs,
    });
  }
  return { engine: engine.name, frames };
}

const benchWindow = window as unknown as {
  runWorkerBench: typeof run;
  prepareCameraFrames: typeof prepareCameraFrames;
  runCameraFrames: typeof runCameraFrames;
  runCameraFramesOnPage: typeof runCameraFramesOnPage;
};
benchWindow.runWorkerBench = run;
benchWindow.prepareCameraFrames = prepareCameraFrames;
benchWindow.runCameraFrames = runCameraFrames;
benchWindow.runCameraFramesOnPage = runCameraFramesOnPage;
const status = document.getElementById("status");
if (status) status.textContent = "ready";
