/** The fallback where WebAssembly is unavailable: @zxing/library (pure JavaScript, slower, maintenance mode). */
import * as ZXingNamespace from "@zxing/library";
import {
  type CodeFormat,
  DEFAULT_FORMATS,
  type DecodedCode,
  type DecoderEngine,
  type FrameLike,
  isLinear,
} from "./types";

// Bundlers see the package's ES build (named exports); Node loads its CommonJS build (everything under default).
const ZXing = (Reflect.get(ZXingNamespace, "default") ?? ZXingNamespace) as typeof ZXingNamespace;
const {
  BarcodeFormat,
  BinaryBitmap,
  ChecksumException,
  DecodeHintType,
  FormatException,
  HybridBinarizer,
  MultiFormatOneDReader,
  NotFoundException,
  QRCodeReader,
  RGBLuminanceSource,
} = ZXing;
type BarcodeFormat = ZXingNamespace.BarcodeFormat;
type DecodeHintType = ZXingNamespace.DecodeHintType;

const TO_ZXING: Record<CodeFormat, BarcodeFormat> = {
  QRCode: BarcodeFormat.QR_CODE,
  Code128: BarcodeFormat.CODE_128,
  Code39: BarcodeFormat.CODE_39,
};
const FROM_ZXING = new Map<BarcodeFormat, CodeFormat>(
  Object.entries(TO_ZXING).map(([ours, theirs]) => [theirs, ours as CodeFormat]),
);

/** RGBA → 8-bit luminance, the input @zxing/library wants. */
export function toLuminance(frame: FrameLike): Uint8ClampedArray {
  const { data, width, height } = frame;
  const out = new Uint8ClampedArray(width * height);
  for (let i = 0, j = 0; j < out.length; i += 4, j++) {
    out[j] = ((data[i] as number) * 77 + (data[i + 1] as number) * 150 + (data[i + 2] as number) * 29) >> 8;
  }
  return out;
}

export function createZxingJsEngine(formats: readonly CodeFormat[] = DEFAULT_FORMATS): DecoderEngine {
  const hints = new Map<DecodeHintType, unknown>([
    [DecodeHintType.POSSIBLE_FORMATS, formats.map((f) => TO_ZXING[f])],
    [DecodeHintType.TRY_HARDER, true],
  ]);
  // The format readers directly, not MultiFormatReader: it logs every miss to the console.
  const qrReader = formats.includes("QRCode") ? new QRCodeReader() : null;
  const readers: {
    decode(image: ZXingNamespace.BinaryBitmap, hints: Map<DecodeHintType, unknown>): ZXingNamespace.Result;
  }[] = [];
  if (qrReader) readers.push(qrReader);
  if (formats.some(isLinear)) readers.push(new MultiFormatOneDReader(hints));
  const tryRead = (reader: (typeof readers)[number], bitmap: ZXingNamespace.BinaryBitmap): DecodedCode[] => {
    try {
      const result = reader.decode(bitmap, hints);
      const format = FROM_ZXING.get(result.getBarcodeFormat());
      return format ? [{ text: result.getText(), format, linear: isLinear(format) }] : [];
    } catch (error) {
      if (
        error instanceof NotFoundException ||
        error instanceof ChecksumException ||
        error instanceof FormatException
      ) {
        return [];
      }
      throw error;
    }
  };
  return {
    name: "zxing-js",
    async decode(frame: FrameLike): Promise<DecodedCode[]> {
      const source = new RGBLuminanceSource(toLuminance(frame), frame.width, frame.height);
      const bitmap = new BinaryBitmap(new HybridBinarizer(source));
      for (const reader of readers) {
        const found = tryRead(reader, bitmap);
        if (found.length > 0) return found;
      }
      // Second look, QR only: luminance inverted, for a code shown light on dark (a phone in dark mode).
      return qrReader ? tryRead(qrReader, new BinaryBitmap(new HybridBinarizer(source.invert()))) : [];
    },
  };
}
