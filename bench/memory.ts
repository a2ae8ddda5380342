/** A server process's resident memory, from /proc: its current RSS, and its peak during a measured step. */
import { readFileSync, writeFileSync } from "node:fs";

export const statusKb = (pid: number, field: "VmRSS" | "VmHWM"): number | null => {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
};
export const mb = (kb: number) => Math.round(kb / 1024);

/**
 * Watches the server process's resident memory: its VmRSS every 100 ms, and its peak (VmHWM) exactly when the kernel
 * lets the peak be reset first (writing 5 to /proc/<pid>/clear_refs, allowed for one's own processes).
 */
export function watchMemory(pid: number) {
  const beforeKb = statusKb(pid, "VmRSS") ?? 0;
  let peakReset = false;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    peakReset = true;
  } catch {
    // not allowed here: the 100 ms samples alone
  }
  let sampledKb = beforeKb;
  const timer = setInterval(() => {
    sampledKb = Math.max(sampledKb, statusKb(pid, "VmRSS") ?? 0);
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      sampledKb = Math.max(sampledKb, statusKb(pid, "VmRSS") ?? 0);
      const hwmKb = peakReset ? (statusKb(pid, "VmHWM") ?? 0) : 0;
      return {
        beforeMb: mb(beforeKb),
        peakMb: mb(Math.max(sampledKb, hwmKb)),
        method: peakReset ? "VmHWM after clear_refs, and VmRSS every 100 ms" : "VmRSS every 100 ms",
      };
    },
  };
}
