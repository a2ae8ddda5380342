/**
 * A full garbage collection on request, for long imports: V8 lets the old generation grow to hundreds of megabytes of
 * dead rows before it collects on its own, and the server's memory (RSS) follows. An import calls this every
 * 20,000 rows (a pause of tens of milliseconds) to stay within its memory budget. Node exposes `gc` only with
 * --expose-gc; the flag is set at run time and the function taken from a fresh context, as V8 allows.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let collect: (() => void) | null | undefined;

export function collectGarbage(): void {
  if (collect === undefined) {
    try {
      setFlagsFromString("--expose-gc");
      collect = runInNewContext("gc") as () => void;
    } catch {
      collect = null;
    }
  }
  collect?.();
}
