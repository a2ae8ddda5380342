// The native engine's own logic (the inverted second look) in Node, where no browser BarcodeDetector exists: the
// platform detector is played by zxing-cpp (real zxing-wasm binary) reading dark-on-light codes only, as some platform
// detectors do. What is tested is that the engine itself gives light-on-dark QR codes a second look.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareZXingModule, readBarcodes } from "zxing-wasm/reader";
import { type FrameSpec, renderFrame } from "../../../../scripts/frames/render";
import { createNativeEngine, nativeDetectorSupports } from "./native";
import { readerOptions } from "./zxingWasm";

const wasm = readFileSync(
  new URL("../../../../node_modules/zxing-wasm/dist/reader/zxing_reader.wasm", import.meta.url),
);
prepareZXingModule({
  overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) },
});

const NATIVE_TO_ZXING: Record<string, "QRCode" | "Code128" | "Code39"> = {
  qr_code: "QRCode",
  code_128: "Code128",
  code_39: "Code39",
};

/** A BarcodeDetector that reads dark-on-light codes only; records how many frames it was shown. */
class DarkOnLightDetector {
  static calls = 0;
  static getSupportedFormats = async () => Object.keys(NATIVE_TO_ZXING);
  constructor(private readonly options: { formats: string[] }) {}
  async detect(image: { width: number; height: number; data: Uint8ClampedArray }) {
    DarkOnLightDetector.calls++;
    const formats = this.options.formats.map((f) => NATIVE_TO_ZXING[f] as "QRCode");
    const found = await readBarcodes(image as unknown as ImageData, { ...readerOptions(formats), tryInvert: false });
    return found
      .filter((r) => r.isValid)
      .map((r) => ({ rawValue: r.text, format: r.format === "QRCode" ? "qr_code" : "code_128" }));
  }
}

/** Node has no ImageData; the engine only needs its three fields. */
class NodeImageData {
  constructor(
    readonly data: Uint8ClampedArray,
    readonly width: number,
    readonly height: number,
  ) {}
}

const globals = globalThis as { BarcodeDetector?: unknown; ImageData?: unknown };
beforeAll(() => {
  globals.BarcodeDetector = DarkOnLightDetector;
  globals.ImageData ??= NodeImageData;
});
afterAll(() => {
  delete globals.BarcodeDetector;
  if (globals.ImageData === NodeImageData) delete globals.ImageData;
});

const resident = "SP1|张三|ID|11010519491231002X|13812345678";
const frame = (code: FrameSpec["code"], background: number) =>
  renderFrame({
    width: 640,
    height: 480,
    code,
    placement: { cx: 0.5, cy: 0.5, widthPx: 240, rotationDeg: -7, perspective: 0.02 },
    degradation: { blurRadius: 0, noiseSigma: 4, contrast: 0.9, glare: false, background },
    seed: 5,
  });

describe("engine native", () => {
  it("reads a dark-on-light QR code in one look", async () => {
    expect(await nativeDetectorSupports()).toBe(true);
    const engine = createNativeEngine();
    DarkOnLightDetector.calls = 0;
    expect(await engine.decode(frame({ symbology: "qr", text: resident }, 150))).toEqual([
      { text: resident, format: "QRCode", linear: false },
    ]);
    expect(DarkOnLightDetector.calls).toBe(1);
  });

  it("reads a light-on-dark QR code (a phone in dark mode) by a second look at the inverted frame", async () => {
    const engine = createNativeEngine();
    expect(await engine.decode(frame({ symbology: "qr", text: resident, inverted: true }, 60))).toEqual([
      { text: resident, format: "QRCode", linear: false },
    ]);
  });

  it("finds nothing in a frame without a code, inverted or not", async () => {
    expect(await createNativeEngine().decode(frame(null, 120))).toEqual([]);
  });
});
