/**
 * Turns a stream of per-frame decodes into scans: a code held in front of the camera registers once; the same code seen
 * again within a few seconds is a gentle "already scanned"; a 1-D code counts only after two consecutive identical reads.
 */
import type { DecodedCode } from "./engines/types";

export type ReadVerdict =
  | { kind: "none" }
  /** A 1-D read waiting for its confirming second read. */
  | { kind: "pending"; text: string }
  | { kind: "accept"; text: string }
  /** Still in front of the camera since it was accepted: silent. */
  | { kind: "held"; text: string }
  /** Taken away and shown again within the repeat window. */
  | { kind: "repeat"; text: string };

export interface ReadDisciplineOptions {
  /** A code unseen for longer than this has been taken away. */
  holdGapMs: number;
  /** The same code again within this time of last being seen is ignored. */
  repeatWindowMs: number;
}

export const DEFAULT_READ_DISCIPLINE: ReadDisciplineOptions = { holdGapMs: 700, repeatWindowMs: 3000 };

export class ReadDiscipline {
  private previousLinear: string | null = null;
  private seen = new Map<string, number>();

  constructor(private readonly options: ReadDisciplineOptions = DEFAULT_READ_DISCIPLINE) {}

  onFrame(codes: DecodedCode[], now: number): ReadVerdict {
    this.prune(now);
    const code = codes[0];
    if (!code) {
      this.previousLinear = null;
      return { kind: "none" };
    }
    const { text } = code;
    if (code.linear) {
      const confirmed = this.previousLinear === text;
      this.previousLinear = text;
      if (!confirmed && !this.seen.has(text)) return { kind: "pending", text };
    } else {
      this.previousLinear = null;
    }
    const lastSeen = this.seen.get(text);
    this.seen.set(text, now);
    if (lastSeen === undefined) return { kind: "accept", text };
    if (now - lastSeen <= this.options.holdGapMs) return { kind: "held", text };
    return { kind: "repeat", text };
  }

  /** Forget everything (e.g. after the scanner was closed and opened again). */
  reset(): void {
    this.previousLinear = null;
    this.seen.clear();
  }

  private prune(now: number): void {
    for (const [text, at] of this.seen) if (now - at > this.options.repeatWindowMs) this.seen.delete(text);
  }
}
