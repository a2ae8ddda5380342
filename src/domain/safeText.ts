/**
 * What any stored text may contain, and a walk over a parsed JSON value that finds the first thing a request must
 * not carry: nesting deeper than MAX_JSON_DEPTH (recursive work on it would exhaust the stack), or a string (key or
 * value) with a NUL, another control character or a lone surrogate (PostgreSQL refuses NUL outright, terminals and
 * spreadsheets act on escape sequences, and a lone surrogate cannot be stored as UTF-8). Pure and iterative: it never
 * recurses and never throws, whatever the input.
 */

/** Deeper than any request of the protocol (an event payload is about 4 levels inside a push). */
export const MAX_JSON_DEPTH = 32;

// C0 controls (tab and newline included: no stored field is multi-line), DEL and the C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's whole job
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export type TextProblem = "control_character" | "lone_surrogate";

/** Why a text may not be stored, or null when it may. */
export function textProblem(text: string): TextProblem | null {
  if (CONTROL.test(text)) return "control_character";
  if (LONE_SURROGATE.test(text)) return "lone_surrogate";
  return null;
}

export type JsonProblem =
  | { code: "too_deep"; path: string; maxDepth: number }
  | { code: "bad_text"; path: string; problem: TextProblem };

const pathOf = (parent: string, key: string | number) =>
  typeof key === "number" ? `${parent}/${key}` : `${parent}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;

/**
 * The first problem in a parsed JSON value (paths as JSON Pointers), or null. Text under `textExempt` (a path prefix
 * such as "/events/") is not checked: the caller checks those parts one by one (a push rejects one bad event, not the
 * whole batch); depth is checked everywhere.
 */
export function jsonProblem(
  value: unknown,
  { maxDepth = MAX_JSON_DEPTH, textExempt }: { maxDepth?: number; textExempt?: string } = {},
): JsonProblem | null {
  const checksText = (path: string) => textExempt === undefined || !path.startsWith(textExempt);
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: "", depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop() as { value: unknown; path: string; depth: number };
    const current = item.value;
    if (typeof current === "string") {
      const problem = checksText(item.path) ? textProblem(current) : null;
      if (problem) return { code: "bad_text", path: item.path || "/", problem };
      continue;
    }
    if (current === null || typeof current !== "object") continue;
    if (item.depth >= maxDepth) return { code: "too_deep", path: item.path || "/", maxDepth };
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) {
        stack.push({ value: current[i], path: pathOf(item.path, i), depth: item.depth + 1 });
      }
      continue;
    }
    for (const [key, child] of Object.entries(current)) {
      const path = pathOf(item.path, key);
      const problem = checksText(path) ? textProblem(key) : null;
      if (problem) return { code: "bad_text", path, problem };
      stack.push({ value: child, path, depth: item.depth + 1 });
    }
  }
  return null;
}
