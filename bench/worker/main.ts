/** Runs in headless Chromium: renders the seeded corpus and decodes each frame through the app's decoder worker. */
import { generateCorpus } from "../../scripts/frames/corpus";
import { renderFrame } from "../../scripts/frames/render";
import { DecoderBridge } from "../../src/client/scan/decoderBridge";

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

(window as unknown as { runWorkerBench: typeof run }).runWorkerBench = run;
const status = document.getElementById("status");
if (status) status.textContent = "ready";
