/** Valid residents for tests and benchmarks on both sides: ID numbers with their check character, letter-only names. */
import { idCheckCharacter } from "./documents";

/** The n-th valid resident ID number (n < 1,000,000: six digits of the birthday and sequence vary). */
export function idNumber(n: number): string {
  const day = String(1 + (Math.floor(n / 1000) % 28)).padStart(2, "0");
  const month = String(1 + (Math.floor(n / 28_000) % 12)).padStart(2, "0");
  const year = 1940 + (Math.floor(n / 336_000) % 60);
  const first17 = `370602${year}${month}${day}${String(n % 1000).padStart(3, "0")}`;
  return first17 + idCheckCharacter(first17);
}

const CHARACTERS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥";

/** A valid, distinct name for resident n (names are letters only: no digits). */
export function nameOf(n: number, prefix = "居民"): string {
  let rest = n;
  let name = prefix;
  do {
    name += CHARACTERS[rest % CHARACTERS.length];
    rest = Math.floor(rest / CHARACTERS.length);
  } while (rest > 0);
  return name;
}
