/** Messages between the page and the decoder worker. */
import type { CodeFormat, DecodedCode, EngineName } from "./engines/types";

export type EngineChoice = EngineName | "auto";

export interface CropRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type ToWorker =
  | { type: "init"; engine: EngineChoice; formats: CodeFormat[] }
  /** The bitmap is transferred; the worker crops it to `crop` and scales it to at most `maxEdge` pixels. */
  | { type: "decode"; id: number; bitmap: ImageBitmap; crop: CropRect; maxEdge: number };

export type FromWorker =
  | { type: "ready"; engine: EngineName }
  | { type: "result"; id: number; codes: DecodedCode[]; decodeMs: number; width: number; height: number }
  | { type: "error"; id: number | null; message: string };

/** Frames are scaled to at most this on the long edge before decoding. */
export const MAX_DECODE_EDGE = 960;
