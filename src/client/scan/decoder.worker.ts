/// <reference lib="webworker" />
/**
 * The decoder worker: picks an engine (native BarcodeDetector where it really supports our formats, else zxing-wasm,
 * else @zxing/library where WebAssembly is missing), then decodes one frame at a time.
 */
import wasmUrl from "zxing-wasm/reader/zxing_reader.wasm?url";
import type { FromWorker, ToWorker } from "./decoderProtocol";
import type { CodeFormat, DecoderEngine, EngineName } from "./engines/types";
import { scaledPixels } from "./frameScale";

declare const self: DedicatedWorkerGlobalScope;

let engine: Promise<DecoderEngine> | null = null;
let canvas: OffscreenCanvas | null = null;

async function chooseEngine(choice: EngineName | "auto", formats: CodeFormat[]): Promise<DecoderEngine> {
  if (choice === "native" || choice === "auto") {
    const native = await import("./engines/native");
    if (await native.nativeDetectorSupports(formats)) return native.createNativeEngine(formats);
    if (choice === "native") throw new Error("BarcodeDetector does not support the formats needed");
  }
  if ((choice === "zxing-wasm" || choice === "auto") && typeof WebAssembly === "object") {
    const { createZxingWasmEngine } = await import("./engines/zxingWasm");
    return createZxingWasmEngine({ url: new URL(wasmUrl, self.location.href).href }, formats);
  }
  const { createZxingJsEngine } = await import("./engines/zxingJs");
  return createZxingJsEngine(formats);
}

const post = (message: FromWorker) => self.postMessage(message);

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === "init") {
    engine = chooseEngine(message.engine, message.formats);
    try {
      post({ type: "ready", engine: (await engine).name });
    } catch (error) {
      post({ type: "error", id: null, message: String(error) });
    }
    return;
  }
  const { id, bitmap, crop, maxEdge } = message;
  try {
    if (!engine) throw new Error("decoder not initialised");
    const scaled = scaledPixels(bitmap, crop, maxEdge, canvas);
    canvas = scaled.canvas;
    bitmap.close();
    const { image } = scaled;
    const start = performance.now();
    const codes = await (await engine).decode(image);
    post({ type: "result", id, codes, decodeMs: performance.now() - start, width: image.width, height: image.height });
  } catch (error) {
    bitmap.close();
    post({ type: "error", id, message: error instanceof Error ? error.message : String(error) });
  }
};
