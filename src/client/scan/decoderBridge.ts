/**
 * The page side of the decoder worker: a small typed bridge. The worker (and its engine) loads lazily on first use;
 * at most one frame is in flight — a frame offered while one is decoding is dropped, never queued.
 */
import { type CropRect, type EngineChoice, type FromWorker, MAX_DECODE_EDGE, type ToWorker } from "./decoderProtocol";
import { type CodeFormat, DEFAULT_FORMATS, type DecodedCode, type EngineName } from "./engines/types";

export interface DecodeResult {
  codes: DecodedCode[];
  decodeMs: number;
}

export class DecoderBridge {
  private worker: Worker;
  private nextId = 1;
  private pending: { id: number; resolve: (r: DecodeResult) => void; reject: (e: Error) => void } | null = null;
  readonly ready: Promise<EngineName>;

  constructor(engine: EngineChoice = "auto", formats: readonly CodeFormat[] = DEFAULT_FORMATS) {
    this.worker = new Worker(new URL("./decoder.worker.ts", import.meta.url), { type: "module", name: "decoder" });
    this.ready = new Promise((resolve, reject) => {
      const onReady = (event: MessageEvent<FromWorker>) => {
        if (event.data.type === "ready") resolve(event.data.engine);
        else if (event.data.type === "error" && event.data.id === null) reject(new Error(event.data.message));
        else return;
        this.worker.removeEventListener("message", onReady);
      };
      this.worker.addEventListener("message", onReady);
    });
    this.worker.addEventListener("message", (event: MessageEvent<FromWorker>) => this.onMessage(event.data));
    this.worker.addEventListener("error", (event) => {
      this.pending?.reject(new Error(event.message || "decoder worker failed"));
      this.pending = null;
    });
    this.send({ type: "init", engine, formats: [...formats] });
  }

  get busy(): boolean {
    return this.pending !== null;
  }

  /** Decodes one frame (the bitmap is transferred to the worker and closed there). Null when busy. */
  decode(bitmap: ImageBitmap, crop: CropRect, maxEdge = MAX_DECODE_EDGE): Promise<DecodeResult> | null {
    if (this.pending) {
      bitmap.close();
      return null;
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending = { id, resolve, reject };
      this.send({ type: "decode", id, bitmap, crop, maxEdge }, [bitmap]);
    });
  }

  terminate(): void {
    this.worker.terminate();
    this.pending?.reject(new Error("decoder closed"));
    this.pending = null;
  }

  private send(message: ToWorker, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private onMessage(message: FromWorker): void {
    if (message.type === "ready" || !this.pending || message.id !== this.pending.id) return;
    const { resolve, reject } = this.pending;
    this.pending = null;
    if (message.type === "result") resolve({ codes: message.codes, decodeMs: message.decodeMs });
    else reject(new Error(message.message));
  }
}
