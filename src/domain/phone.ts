/** Mainland mobile numbers: 1[3-9] followed by 9 digits. Spaces, dashes and a +86 prefix are tolerated and removed. */
import { err, ok, type Result } from "./result";

export type PhoneRejection = "wrong_length" | "bad_characters" | "bad_prefix";

export function validateMobile(raw: string): Result<string, PhoneRejection> {
  let value = raw.replace(/[\s-]/g, "");
  if (value.startsWith("+86")) value = value.slice(3);
  if (!/^\d+$/.test(value)) return err("bad_characters");
  if (value.length !== 11) return err("wrong_length");
  if (!/^1[3-9]/.test(value)) return err("bad_prefix");
  return ok(value);
}
