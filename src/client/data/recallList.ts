/**
 * The site's recall list on the phone: residents of positive pools still to be re-sampled alone, pulled from the
 * server (sync/recalls.ts) and kept sealed like other personal data (meta `recallList`). In memory while unlocked, by
 * document, so a scan checks it without a read.
 */
import type { DocType } from "../../domain/documents";
import { getMeta, setMeta } from "./meta";
import { openJson, sealJson } from "./recordCipher";

export interface RecallNotice {
  id: string;
  name: string;
  docType: DocType;
  docNumber: string;
  /** The pooled tube that was positive. */
  tubeCode: string;
}

const byDocument = new Map<string, RecallNotice>();
const key = (docType: string, docNumber: string) => `${docType}\u0000${docNumber.toUpperCase()}`;

function hold(notices: RecallNotice[]): void {
  byDocument.clear();
  for (const notice of notices) byDocument.set(key(notice.docType, notice.docNumber), notice);
}

/** The recall entry of a resident still to be re-sampled, if any. */
export const recallOf = (docType: string, docNumber: string): RecallNotice | undefined =>
  byDocument.get(key(docType, docNumber));

/** Stores the site's list as the server sent it (sealed), and holds it. */
export async function saveRecallList(siteCode: string, notices: RecallNotice[]): Promise<void> {
  await setMeta("recallList", { siteCode, sealed: await sealJson(notices) });
  hold(notices);
}

/** After an unlock: the stored list of this site, into memory (none stored, or another site's: empty). */
export async function loadRecallList(siteCode: string): Promise<void> {
  const stored = await getMeta("recallList");
  hold(stored && stored.siteCode === siteCode ? await openJson<RecallNotice[]>(stored.sealed) : []);
}

/** Locked: the list leaves memory with the key. */
export function forgetRecallList(): void {
  byDocument.clear();
}
