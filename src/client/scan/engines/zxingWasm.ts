/**
 * The primary engine: zxing-cpp compiled to WebAssembly (reader-only build). The .wasm comes from our own build
 * (the worker passes its URL) or, in Node, from the package file: never from a CDN.
 */
import { prepareZXingModule, type ReaderOptions, readBarcodes } from "zxing-wasm/reader";
import { smoothAlongColumns, smoothGaussian3 } from "./denoise";
import {
  type CodeFormat,
  DEFAULT_FORMATS,
  type DecodedCode,
  type DecoderEngine,
  type FrameLike,
  isLinear,
} from "./types";

export type WasmSource = { url: string } | { binary: ArrayBuffer };

/**
 * Tuned for speed on phone frames: codes are mostly dark on light and roughly upright, so the first pass has no
 * inverted or 90° passes (light-on-dark QR codes get their look in the QR second look, see below).
 */
export function readerOptions(formats: readonly CodeFormat[] = DEFAULT_FORMATS): ReaderOptions {
  return {
    formats: [...formats],
    tryHarder: true,
    tryRotate: false,
    tryInvert: false,
    tryDownscale: true,
    maxNumberOfSymbols: 1,
  };
}

export function createZxingWasmEngine(
  source: WasmSource,
  formats: readonly CodeFormat[] = DEFAULT_FORMATS,
): DecoderEngine {
  prepareZXingModule({
    overrides:
      "url" in source
        ? { locateFile: (path: string, prefix: string) => (path.endsWith(".wasm") ? source.url : prefix + path) }
        : { wasmBinary: source.binary },
  });
  const options = readerOptions(formats);
  const linearFormats = formats.filter(isLinear);
  // Second look at 1-D codes: smoothed along the bars, exposure centred, fixed threshold (no row sharpening).
  const linearOptions: ReaderOptions = { ...readerOptions(linearFormats), binarizer: "FixedThreshold" };
  const matrixFormats = formats.filter((f) => !isLinear(f));
  // Second look at QR codes, on a 3×3-smoothed frame, also inverted: a phone in dark mode shows its code light on
  // dark. zxing-cpp inverts the bit matrix it has already binarized for this look, so the inverted try adds
  // little (~3 % of a frame with no code); in the first pass it made that pass ~30 % slower on frames with no code
  // (measured, README "Decoder benchmark"), and a look at an inverted copy costs a whole extra binarization.
  const matrixOptions: ReaderOptions = { ...readerOptions(matrixFormats), tryInvert: true };
  // FrameLike has the fields readBarcodes reads from an ImageData (width, height, RGBA data).
  const read = (frame: FrameLike, opts: ReaderOptions) =>
    readBarcodes(frame as unknown as Parameters<typeof readBarcodes>[0], opts);
  return {
    name: "zxing-wasm",
    async decode(frame: FrameLike): Promise<DecodedCode[]> {
      let results = (await read(frame, options)).filter((r) => r.isValid && r.text !== "");
      if (results.length === 0 && linearFormats.length > 0) {
        results = await read(smoothAlongColumns(frame, 2, true), linearOptions);
      }
      if (results.length === 0 && matrixFormats.length > 0) {
        results = await read(smoothGaussian3(frame), matrixOptions);
      }
      return results
        .filter((r) => r.isValid && r.text !== "")
        .map((r) => {
          const format = r.format as CodeFormat;
          return { text: r.text, format, linear: isLinear(format) };
        });
    },
  };
}
