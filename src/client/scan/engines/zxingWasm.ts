/**
 * The primary engine: zxing-cpp compiled to WebAssembly (reader-only build). The .wasm comes from our own build
 * (the worker passes its URL) or, in Node, from the package file: never from a CDN.
 */
import { prepareZXingModule, type ReaderOptions, readBarcodes } from "zxing-wasm/reader";
import { greyLevels, smoothAlongColumns, smoothGaussian3 } from "./denoise";
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
 * Tuned for phone frames: codes are roughly upright, so no 90° passes. The first pass also tries the inverted image
 * (a phone in dark mode shows its code light on dark): zxing-cpp inverts the bit matrix it has already binarized, so
 * this costs about a quarter more on a frame with no code, but a dark-mode code is read at once instead of after
 * both second looks — measured on the 1280×720 corpus (README "Decoder benchmark"), the median frame takes about
 * 40 % less time and the mean less too.
 */
export function readerOptions(formats: readonly CodeFormat[] = DEFAULT_FORMATS): ReaderOptions {
  return {
    formats: [...formats],
    tryHarder: true,
    tryRotate: false,
    tryInvert: true,
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
  // Second look at QR codes, on a 3×3-smoothed frame (inverted too, as in the first pass: a blurred dark-mode code).
  const matrixOptions = readerOptions(matrixFormats);
  // FrameLike has the fields readBarcodes reads from an ImageData (width, height, RGBA data).
  const read = (frame: FrameLike, opts: ReaderOptions) =>
    readBarcodes(frame as unknown as Parameters<typeof readBarcodes>[0], opts);
  return {
    name: "zxing-wasm",
    async decode(frame: FrameLike): Promise<DecodedCode[]> {
      let results = (await read(frame, options)).filter((r) => r.isValid && r.text !== "");
      // Both second looks start from the same luminance, computed once.
      const grey = results.length === 0 ? greyLevels(frame) : null;
      if (grey && linearFormats.length > 0) {
        results = await read(smoothAlongColumns(grey, 2, true), linearOptions);
      }
      if (grey && results.length === 0 && matrixFormats.length > 0) {
        results = await read(smoothGaussian3(grey), matrixOptions);
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
