/** One decoder interface for every engine: native BarcodeDetector, zxing-wasm (zxing-cpp), @zxing/library. */

export type CodeFormat = "QRCode" | "Code128" | "Code39";
export const DEFAULT_FORMATS: readonly CodeFormat[] = ["QRCode", "Code128", "Code39"];

export type EngineName = "native" | "zxing-wasm" | "zxing-js";

/** RGBA pixels, structurally an ImageData, so the same engines run in a worker and in Node. */
export interface FrameLike {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export interface DecodedCode {
  text: string;
  format: CodeFormat;
  /** 1-D codes are guarded against misreads by the read discipline; matrix codes carry their own error correction. */
  linear: boolean;
}

export interface DecoderEngine {
  readonly name: EngineName;
  decode(frame: FrameLike): Promise<DecodedCode[]>;
}

export const isLinear = (format: CodeFormat): boolean => format !== "QRCode";
