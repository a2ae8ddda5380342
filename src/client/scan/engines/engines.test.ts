// The decoder engines on frames rendered by the corpus renderer (real zxing-wasm binary, real @zxing/library).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type FrameSpec, renderFrame } from "../../../../scripts/frames/render";
import { createZxingJsEngine } from "./zxingJs";
import { createZxingWasmEngine } from "./zxingWasm";

const wasm = readFileSync(
  new URL("../../../../node_modules/zxing-wasm/dist/reader/zxing_reader.wasm", import.meta.url),
);
const zxingWasm = createZxingWasmEngine({
  binary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength),
});
const zxingJs = createZxingJsEngine();

const frame = (code: FrameSpec["code"], noiseSigma = 3, background = 140) =>
  renderFrame({
    width: 640,
    height: 480,
    code,
    placement: {
      cx: 0.5,
      cy: 0.5,
      widthPx: code?.symbology === "code128" ? 420 : 240,
      rotationDeg: 5,
      perspective: 0.02,
    },
    degradation: { blurRadius: 0, noiseSigma, contrast: 0.9, glare: false, background },
    seed: 11,
  });

const resident = "SP1|阿依古丽·买买提|ID|440524188001010014|13812345678";

describe.each([zxingWasm, zxingJs])("engine $name", (engine) => {
  it("reads a resident QR code, with the UTF-8 name intact", async () => {
    expect(await engine.decode(frame({ symbology: "qr", text: resident }))).toEqual([
      { text: resident, format: "QRCode", linear: false },
    ]);
  });

  it("reads a Code 128 tube label as a 1-D code", async () => {
    expect(await engine.decode(frame({ symbology: "code128", text: "YT2021080100" }))).toEqual([
      { text: "YT2021080100", format: "Code128", linear: true },
    ]);
  });

  it("reads a resident QR code shown light on dark (a phone in dark mode)", async () => {
    const inverted = frame({ symbology: "qr", text: resident, inverted: true }, 3, 60);
    expect(await engine.decode(inverted)).toEqual([{ text: resident, format: "QRCode", linear: false }]);
  });

  it("finds nothing in a frame without a code", async () => {
    expect(await engine.decode(frame(null))).toEqual([]);
  });
});

describe("zxing-wasm second looks", () => {
  it("reads a low-contrast, noisy Code 128 label that a single pass misses", async () => {
    const noisy = renderFrame({
      width: 640,
      height: 480,
      code: { symbology: "code128", text: "YT7126213521", heightRatio: 0.4 },
      placement: { cx: 0.5, cy: 0.5, widthPx: 465, rotationDeg: 5, perspective: 0 },
      degradation: { blurRadius: 0, noiseSigma: 18, contrast: 0.53, glare: false, background: 155 },
      seed: 1,
    });
    expect((await zxingWasm.decode(noisy)).map((c) => c.text)).toEqual(["YT7126213521"]);
  });
});
