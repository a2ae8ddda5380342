/**
 * The browser's own BarcodeDetector (Chrome on Android, macOS, ChromeOS). Used only when it really lists the formats we
 * need: some in-app browsers expose the object but throw or list nothing.
 */
import { invertedCopy } from "./denoise";
import {
  type CodeFormat,
  DEFAULT_FORMATS,
  type DecodedCode,
  type DecoderEngine,
  type FrameLike,
  isLinear,
} from "./types";

interface DetectedBarcode {
  rawValue: string;
  format: string;
}
interface BarcodeDetectorInstance {
  detect(source: ImageBitmapSource): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorClass {
  new (options: { formats: string[] }): BarcodeDetectorInstance;
  getSupportedFormats(): Promise<string[]>;
}

const TO_NATIVE: Record<CodeFormat, string> = { QRCode: "qr_code", Code128: "code_128", Code39: "code_39" };
const FROM_NATIVE = new Map(Object.entries(TO_NATIVE).map(([ours, theirs]) => [theirs, ours as CodeFormat]));

function detectorClass(): BarcodeDetectorClass | undefined {
  return (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
}

/** True only when the detector exists and lists every format we need. */
export async function nativeDetectorSupports(formats: readonly CodeFormat[] = DEFAULT_FORMATS): Promise<boolean> {
  const Detector = detectorClass();
  if (!Detector || typeof Detector.getSupportedFormats !== "function") return false;
  try {
    const supported = await Detector.getSupportedFormats();
    return Array.isArray(supported) && formats.every((f) => supported.includes(TO_NATIVE[f]));
  } catch {
    return false;
  }
}

export function createNativeEngine(formats: readonly CodeFormat[] = DEFAULT_FORMATS): DecoderEngine {
  const Detector = detectorClass();
  if (!Detector) throw new Error("BarcodeDetector is not available");
  const detector = new Detector({ formats: formats.map((f) => TO_NATIVE[f]) });
  // Platform detectors differ on light-on-dark codes, so a frame with nothing found gets a second look, QR only, with
  // the luminance inverted (a phone in dark mode shows its code light on dark).
  const invertedDetector = formats.includes("QRCode") ? new Detector({ formats: [TO_NATIVE.QRCode] }) : null;
  const detect = async (target: BarcodeDetectorInstance, frame: FrameLike): Promise<DecodedCode[]> => {
    const image = new ImageData(new Uint8ClampedArray(frame.data), frame.width, frame.height);
    const found = await target.detect(image);
    return found.flatMap((code) => {
      const format = FROM_NATIVE.get(code.format);
      return format && code.rawValue ? [{ text: code.rawValue, format, linear: isLinear(format) }] : [];
    });
  };
  return {
    name: "native",
    async decode(frame: FrameLike): Promise<DecodedCode[]> {
      const found = await detect(detector, frame);
      if (found.length > 0 || !invertedDetector) return found;
      return detect(invertedDetector, invertedCopy(frame));
    },
  };
}
