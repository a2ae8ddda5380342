/**
 * The resident page's family list: the people a resident added, each with the SP1 resident code the station reads.
 * Checked exactly as the station checks a typed resident (the same normalising and `validateResident`), and kept only
 * on this device: nothing here, or anywhere on the page, sends it to a server.
 *
 * Stored in plain localStorage, not encrypted like the station's records: this is the resident's own phone holding
 * their own family's details (what an ID card shows anyway), with no staff PIN to derive a key from — a key kept
 * beside the data would protect nothing, and a PIN would lock elderly users out of their codes. A handful of small
 * records read once at start suits localStorage (synchronous, no schema); IndexedDB would add nothing here.
 */
import { DOC_TYPES, type DocType } from "../../domain/documents";
import { normalizeTypedResident } from "../../domain/normalizeInput";
import { encodeResidentCode, type Resident, type ResidentCodeError, validateResident } from "../../domain/residentCode";
import { err, ok, type Result } from "../../domain/result";

export interface FamilyMember extends Resident {
  /** This device's own handle for the entry (editing may change every other field). */
  id: string;
}

/** Why an entry is refused: as the station would refuse the same resident, or already on the list. */
export type FamilyProblem =
  | { code: "invalid_resident"; error: ResidentCodeError }
  | { code: "duplicate"; name: string };

/** The part of Web Storage used here: localStorage in the page, a Map in tests. */
export type KeyValueStore = Pick<Storage, "getItem" | "setItem">;

export const FAMILY_KEY = "samplepoint.family";
const FORMAT = 1;

const isText = (value: unknown): value is string => typeof value === "string";

/** One stored entry, if it has the shape of one (a damaged entry is left out, the others kept). */
function readMember(value: unknown): FamilyMember | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (!isText(v.id) || !isText(v.name) || !isText(v.docNumber)) return null;
  if (!DOC_TYPES.includes(v.docType as DocType)) return null;
  if ((v.phone !== undefined && !isText(v.phone)) || (v.community !== undefined && !isText(v.community))) return null;
  return {
    id: v.id,
    name: v.name,
    docType: v.docType as DocType,
    docNumber: v.docNumber,
    ...(v.phone ? { phone: v.phone } : {}),
    ...(v.community ? { community: v.community } : {}),
  };
}

/** The list as saved on this device; empty when there is none or it cannot be read. */
export function loadFamily(store: KeyValueStore): FamilyMember[] {
  let raw: string | null;
  try {
    raw = store.getItem(FAMILY_KEY);
  } catch {
    return [];
  }
  if (!raw) return [];
  try {
    const saved = JSON.parse(raw) as { format?: unknown; members?: unknown };
    if (saved.format !== FORMAT || !Array.isArray(saved.members)) return [];
    return saved.members.map(readMember).filter((m): m is FamilyMember => m !== null);
  } catch {
    return [];
  }
}

/** Saves the list; false when the browser refuses (storage full or blocked). */
export function saveFamily(store: KeyValueStore, members: FamilyMember[]): boolean {
  try {
    store.setItem(FAMILY_KEY, JSON.stringify({ format: FORMAT, members }));
    return true;
  } catch {
    return false;
  }
}

/** A typed person, normalised and checked as the station checks manual entry; not twice the same document. */
function check(members: FamilyMember[], input: Resident, exceptId?: string): Result<Resident, FamilyProblem> {
  const checked = validateResident(normalizeTypedResident(input));
  if (!checked.ok) return err({ code: "invalid_resident", error: checked.error });
  const code = encodeResidentCode(checked.value);
  if (!code.ok) return err({ code: "invalid_resident", error: code.error });
  const same = members.find(
    (m) => m.id !== exceptId && m.docType === checked.value.docType && m.docNumber === checked.value.docNumber,
  );
  if (same) return err({ code: "duplicate", name: same.name });
  return ok(checked.value);
}

export interface FamilyChange {
  members: FamilyMember[];
  member: FamilyMember;
}

/** Adds a person at the end of the list. */
export function addMember(
  members: FamilyMember[],
  input: Resident,
  newId: () => string,
): Result<FamilyChange, FamilyProblem> {
  const checked = check(members, input);
  if (!checked.ok) return checked;
  const member: FamilyMember = { id: newId(), ...checked.value };
  return ok({ members: [...members, member], member });
}

/** Replaces a person's details, keeping their place in the list. */
export function updateMember(
  members: FamilyMember[],
  id: string,
  input: Resident,
): Result<FamilyChange, FamilyProblem> {
  const checked = check(members, input, id);
  if (!checked.ok) return checked;
  const member: FamilyMember = { id, ...checked.value };
  return ok({ members: members.map((m) => (m.id === id ? member : m)), member });
}

export function removeMember(members: FamilyMember[], id: string): FamilyMember[] {
  return members.filter((m) => m.id !== id);
}

/** The text of a person's QR code: `SP1|name|docType|docNumber|phone|community`. */
export function residentCodeOf(member: FamilyMember): Result<string, ResidentCodeError> {
  const { id: _id, ...resident } = member;
  return encodeResidentCode(resident);
}

/** A handle unique on this device (crypto.randomUUID needs a secure context; a LAN page over HTTP has none). */
export function newMemberId(): string {
  return `m-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}
