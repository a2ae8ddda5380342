/** The status page's one call to the server; its answer, or why there is none. */
import type { StatusAnswer } from "../../domain/labs";
import { API_PREFIX } from "../../domain/limits";

export type StatusOutcome = { ok: true; answer: StatusAnswer } | { ok: false; reason: "none" | "too_many" | "failed" };

export async function lookUpStatus(lookup: {
  docNumber: string;
  name: string;
  phoneLast4?: string;
}): Promise<StatusOutcome> {
  try {
    const response = await fetch(`${API_PREFIX}/public/status`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(lookup),
      signal: AbortSignal.timeout(20_000),
    });
    if (response.status === 429) return { ok: false, reason: "too_many" };
    // A number or name the server cannot take (too long, control characters): no such record, as far as anyone knows.
    if (response.status === 400) return { ok: false, reason: "none" };
    if (!response.ok) return { ok: false, reason: "failed" };
    return { ok: true, answer: (await response.json()) as StatusAnswer };
  } catch {
    return { ok: false, reason: "failed" };
  }
}
