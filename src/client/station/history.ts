/**
 * History search and today's counters over the projected state.
 *
 * A device can hold 100,000 registrations, so a search never sorts or walks them all: an index kept beside the state
 * (tubes by opening time, registrations by each character of the name and by the last four characters of the
 * document number) is built on the first search and then caught up from the projection's append-only logs with only
 * what was applied since. Registrations and tubes are the projection's own objects, so voids and transfers applied
 * later show without re-indexing.
 */
import { type Box, countsOfDay, type Registration, type StationState, type Tube } from "../../domain/projection";
import { siteDay } from "../../domain/station";

export interface TubeResult {
  tube: Tube;
  /** Every registration of the tube in the order added, voided ones included (they show who voided them and why). */
  registrations: Registration[];
  /** Members not voided. */
  activeCount: number;
  /** Ids of the registrations the query matched (by name or document number): the screen opens and marks them. */
  matched: Set<string>;
}

export interface BoxResult {
  box: Box;
  tubes: Tube[];
}

export interface HistoryResults {
  /** Newest first. */
  tubes: TubeResult[];
  boxes: BoxResult[];
}

/** Document numbers are indexed by this many last characters; staff see the last four on a masked number. */
const ENDING = 4;
/** Searches by a document number's ending take 4 to 6 characters (shorter ones would match half the day). */
const MAX_ENDING = 6;
/** Shorter code fragments are not searched (they would match most tubes). */
const MIN_CODE_FRAGMENT = 3;
const MAX_BOXES = 10;
const CODE_SHAPE = /^[0-9A-Z-]+$/;

class HistoryIndex {
  private tubesSeen = 0;
  private registrationsSeen = 0;
  /** Tubes by opening time, oldest first; ties keep the order applied. Mostly appended (pulled tubes may go back). */
  private byAge: Tube[] = [];
  private openedAtMs = new Map<Tube, number>();
  private byNameCharacter = new Map<string, Registration[]>();
  private byDocumentEnding = new Map<string, Registration[]>();
  private longestTubeCode = 0;

  constructor(private readonly state: StationState) {}

  /** Takes in the tubes applied since the last call (cheap: a day has a tenth as many tubes as people). */
  catchUpTubes(): void {
    const { tubeLog } = this.state;
    for (; this.tubesSeen < tubeLog.length; this.tubesSeen++) this.addTube(tubeLog[this.tubesSeen] as Tube);
  }

  /**
   * Takes in the registrations applied since the last call. The first call indexes the whole day, so it waits for the
   * first search by name or number (or idle time, see `prepareHistorySearch`): listing the newest tubes needs none.
   */
  catchUpRegistrations(): void {
    const { registrationLog } = this.state;
    for (; this.registrationsSeen < registrationLog.length; this.registrationsSeen++) {
      this.addRegistration(registrationLog[this.registrationsSeen] as Registration);
    }
  }

  private addTube(tube: Tube): void {
    const at = Date.parse(tube.openedAt);
    this.openedAtMs.set(tube, at);
    this.longestTubeCode = Math.max(this.longestTubeCode, tube.code.length);
    // Binary search for the first tube opened later: appending is the usual case and costs one comparison.
    let low = 0;
    let high = this.byAge.length;
    if (high > 0 && this.ageOf(this.byAge[high - 1] as Tube) <= at) low = high;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.ageOf(this.byAge[mid] as Tube) <= at) low = mid + 1;
      else high = mid;
    }
    if (low === this.byAge.length) this.byAge.push(tube);
    else this.byAge.splice(low, 0, tube);
  }

  private ageOf(tube: Tube): number {
    return this.openedAtMs.get(tube) ?? 0;
  }

  private addRegistration(registration: Registration): void {
    for (const character of registration.resident.name.toLowerCase()) {
      const list = this.byNameCharacter.get(character);
      if (!list) this.byNameCharacter.set(character, [registration]);
      // A character twice in one name ("张张") lists the registration once.
      else if (list[list.length - 1] !== registration) list.push(registration);
    }
    const ending = registration.resident.docNumber.slice(-ENDING);
    const list = this.byDocumentEnding.get(ending);
    if (list) list.push(registration);
    else this.byDocumentEnding.set(ending, [registration]);
  }

  /** Registrations whose name holds the text (any case): candidates from the rarest of its characters. */
  byName(text: string): readonly Registration[] {
    const wanted = text.toLowerCase();
    let fewest: Registration[] | undefined;
    let characters = 0;
    for (const character of wanted) {
      const list = this.byNameCharacter.get(character);
      if (!list) return [];
      if (!fewest || list.length < fewest.length) fewest = list;
      characters++;
    }
    // One character (a surname): its list is the answer.
    if (characters === 1) return fewest ?? [];
    return (fewest ?? []).filter((r) => r.resident.name.toLowerCase().includes(wanted));
  }

  /** Registrations whose document number is the text, or ends with it (4–6 characters). */
  byDocument(text: string): Registration[] {
    const found = registrationsOfAnyType(this.state, text);
    if (text.length >= ENDING && text.length <= MAX_ENDING) {
      for (const r of this.byDocumentEnding.get(text.slice(-ENDING)) ?? []) {
        if (r.resident.docNumber.endsWith(text) && r.resident.docNumber !== text) found.push(r);
      }
    }
    return found;
  }

  /**
   * Tubes whose code is or holds the text, newest first, at most `limit`: the exact code is a lookup; a fragment walks
   * the codes from the newest and stops at the limit.
   */
  tubesByCode(text: string, limit: number): Tube[] {
    const exact = this.state.tubes.get(text);
    if (exact || text.length < MIN_CODE_FRAGMENT || text.length > this.longestTubeCode) return exact ? [exact] : [];
    const found: Tube[] = [];
    for (let i = this.byAge.length - 1; i >= 0 && found.length < limit; i--) {
      const tube = this.byAge[i] as Tube;
      if (tube.code.includes(text)) found.push(tube);
    }
    return found;
  }

  /** The newest `limit` of the given tubes. */
  newest(tubes: Iterable<Tube>, count: number, limit: number): Tube[] {
    // A broad query (a common surname) can hit thousands of tubes: walking the age order until the limit is then
    // cheaper than sorting them all.
    if (count > 4 * limit) {
      const wanted = new Set(tubes);
      const found: Tube[] = [];
      for (let i = this.byAge.length - 1; i >= 0 && found.length < limit; i--) {
        const tube = this.byAge[i] as Tube;
        if (wanted.has(tube)) found.push(tube);
      }
      return found;
    }
    return [...tubes].sort((a, b) => this.ageOf(b) - this.ageOf(a)).slice(0, limit);
  }

  newestTubes(limit: number): Tube[] {
    return this.byAge.slice(-limit).reverse();
  }
}

/** Every registration of this document number, whatever the document type (staff type the number only). */
function registrationsOfAnyType(state: StationState, docNumber: string): Registration[] {
  const found = state.registrationsByDocument.get(docNumber);
  return found === undefined ? [] : Array.isArray(found) ? [...found] : [found];
}

const indexes = new WeakMap<StationState, HistoryIndex>();

/** Records left the state (retention): its search index starts again on the next search. */
export function forgetHistoryIndex(state: StationState): void {
  indexes.delete(state);
}

function indexOf(state: StationState): HistoryIndex {
  let index = indexes.get(state);
  if (!index) {
    index = new HistoryIndex(state);
    indexes.set(state, index);
  }
  index.catchUpTubes();
  return index;
}

/** Builds the search index ahead of the first query (the history screen calls it in idle time when it opens). */
export function prepareHistorySearch(state: StationState): void {
  indexOf(state).catchUpRegistrations();
}

/**
 * What staff type, made comparable: full-width letters and digits from a Chinese input method become ASCII (NFKC),
 * outer spaces go. `code` is upper-cased without inner spaces, for codes and document numbers.
 */
export function normaliseQuery(query: string): { text: string; code: string } {
  const text = query.normalize("NFKC").trim();
  return { text, code: text.replace(/\s+/g, "").toUpperCase() };
}

/**
 * Tubes matching the query by a member's name (any part), a member's document number (whole, or its last 4–6
 * characters), or the tube's code (whole or part), newest first; and boxes whose code is or holds the query, with
 * their tubes. An empty query lists the newest tubes.
 */
export function searchHistory(state: StationState, query: string, limit: number): HistoryResults {
  const index = indexOf(state);
  const { text, code } = normaliseQuery(query);
  const withMembers = (tube: Tube, matched = new Set<string>()): TubeResult => {
    const registrations = tube.registrationIds
      .map((id) => state.registrations.get(id))
      .filter((r): r is Registration => r !== undefined);
    return { tube, registrations, activeCount: registrations.filter((r) => !r.voided).length, matched };
  };
  if (text === "") return { tubes: index.newestTubes(limit).map((tube) => withMembers(tube)), boxes: [] };

  index.catchUpRegistrations();
  const matchedIn = new Map<Tube, Set<string>>();
  const addMember = (r: Registration) => {
    const tube = state.tubes.get(r.tubeCode);
    if (!tube) return;
    const matched = matchedIn.get(tube);
    if (matched) matched.add(r.id);
    else matchedIn.set(tube, new Set([r.id]));
  };
  for (const r of index.byName(text)) addMember(r);
  const codeShaped = CODE_SHAPE.test(code);
  if (codeShaped) {
    for (const r of index.byDocument(code)) addMember(r);
    for (const tube of index.tubesByCode(code, limit)) if (!matchedIn.has(tube)) matchedIn.set(tube, new Set());
  }
  const tubes = index
    .newest(matchedIn.keys(), matchedIn.size, limit)
    .map((tube) => withMembers(tube, matchedIn.get(tube)));

  const boxes: BoxResult[] = [];
  if (codeShaped && code.length >= MIN_CODE_FRAGMENT) {
    // Boxes are few (a day's 100,000 registrations fill a few hundred): their codes are walked.
    const exact = state.boxes.get(code);
    const found = exact ? [exact] : [...state.boxes.values()].filter((b) => b.code.includes(code)).reverse();
    for (const box of found.slice(0, MAX_BOXES)) {
      const boxTubes = box.tubeCodes.map((c) => state.tubes.get(c)).filter((t): t is Tube => t !== undefined);
      boxes.push({ box, tubes: boxTubes });
    }
  }
  return { tubes, boxes };
}

export interface TodayCounters {
  deviceRegistrations: number;
  deviceTubes: number;
  siteRegistrations: number;
}

export const todayCounters = (state: StationState, deviceId: string, now = new Date().toISOString()): TodayCounters =>
  countsOfDay(state, siteDay(now), deviceId);
