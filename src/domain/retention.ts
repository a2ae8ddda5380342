/**
 * Retention on the device: which records a phone may drop once they are old and out of its hands, and dropping them
 * from the projected state while keeping the day counters they made. Pure: the client decides when, and deletes the
 * stored events (src/client/station/retention.ts).
 *
 * The unit is a transfer box handed over to transport before the cutoff: its tubes (and tubes transferred into them),
 * their registrations, and the box, provided nothing of them happened after the cutoff. Empty tubes abandoned before
 * the cutoff go too. Open or unsent work is never in a handed-over box, so it is never dropped.
 */
import type { SampleEvent } from "./events";
import { countersOfDay, type DayCounts, type StationState } from "./projection";
import type { SiteConfig } from "./protocol";
import { siteDay } from "./siteDay";

/** 1 day to 30 days, 7 unless the site says otherwise. Kept here, not beside the zod schemas: the station's first
 * screen needs the default without loading zod. */
export const DEFAULT_RETENTION_DAYS = 7;
export const MAX_RETENTION_DAYS = 30;

/** The site's retention in days (a server from before the setting sends none: the default). */
export const retentionDaysOf = (site: Pick<SiteConfig, "retentionDays">): number =>
  site.retentionDays ?? DEFAULT_RETENTION_DAYS;

export interface ExpiredRecords {
  boxes: Set<string>;
  tubes: Set<string>;
  registrations: Set<string>;
}

/** The day counters dropped records made, kept so the counters' history stays whole (by site day). */
export type RetainedCounts = Record<
  string,
  { registrations: number; registrationsByDevice: Record<string, number>; tubesByDevice: Record<string, number> }
>;

/** The cutoff for a retention of `days` days at `now`. */
export const retentionCutoff = (now: Date, days: number): string =>
  new Date(now.getTime() - days * 24 * 60 * 60 * 1000).toISOString();

const before = (at: string | undefined, cutoff: string) => at === undefined || Date.parse(at) < Date.parse(cutoff);

export function expiredRecords(state: StationState, cutoff: string): ExpiredRecords {
  const expired: ExpiredRecords = { boxes: new Set(), tubes: new Set(), registrations: new Set() };
  const tubeIsOld = (code: string): boolean => {
    const tube = state.tubes.get(code);
    if (!tube || !before(tube.openedAt, cutoff) || !before(tube.sealed?.at, cutoff)) return false;
    return tube.registrationIds.every((id) => {
      const r = state.registrations.get(id);
      return r !== undefined && before(r.registeredAt, cutoff) && before(r.voided?.at, cutoff);
    });
  };
  for (const box of state.boxes.values()) {
    if (box.status !== "handed_over" || !box.handover || !before(box.handover.at, cutoff)) continue;
    if (!before(box.openedAt, cutoff) || !box.tubeCodes.every(tubeIsOld)) continue;
    expired.boxes.add(box.code);
    for (const code of box.tubeCodes) expired.tubes.add(code);
  }
  // Tubes whose people were transferred into an expired tube (a chain of transfers, followed to its end), and empty
  // tubes abandoned before the cutoff.
  for (const tube of state.tubes.values()) {
    if (
      tube.abandoned &&
      tube.registrationIds.length === 0 &&
      tubeIsOld(tube.code) &&
      before(tube.abandoned.at, cutoff)
    )
      expired.tubes.add(tube.code);
    let target = tube.transferredTo?.tubeCode;
    const seen = new Set<string>([tube.code]);
    while (target !== undefined && !seen.has(target) && !expired.tubes.has(target)) {
      seen.add(target);
      target = state.tubes.get(target)?.transferredTo?.tubeCode;
    }
    if (target !== undefined && expired.tubes.has(target) && tubeIsOld(tube.code)) {
      for (const code of seen) if (tubeIsOld(code)) expired.tubes.add(code);
    }
  }
  for (const code of expired.tubes) {
    for (const id of state.tubes.get(code)?.registrationIds ?? []) expired.registrations.add(id);
  }
  return expired;
}

/** Whether a stored event is about expired records only (so dropping it loses nothing the state still shows). */
export function eventIsExpired(event: SampleEvent, expired: ExpiredRecords): boolean {
  switch (event.type) {
    case "tube.opened":
    case "tube.sealed":
    case "tube.abandoned":
      return expired.tubes.has(event.payload.tubeCode);
    case "registration.added":
    case "registration.voided":
      return expired.registrations.has(event.payload.registrationId);
    case "tube.transferred":
      return expired.tubes.has(event.payload.fromTubeCode) && expired.tubes.has(event.payload.toTubeCode);
    case "box.opened":
    case "box.tube_added":
    case "box.closed":
    case "box.handed_over":
      return expired.boxes.has(event.payload.boxCode);
    default:
      // Quarantine decisions hold no resident data and are few: kept.
      return false;
  }
}

/**
 * Whether an event (an unsent or quarantined one) concerns any expired record at all: then nothing may be dropped yet,
 * or staff's later decision on it would point at records the phone no longer has.
 */
export function eventTouchesExpired(event: SampleEvent, expired: ExpiredRecords): boolean {
  switch (event.type) {
    case "registration.added":
    case "registration.voided":
      return expired.tubes.has(event.payload.tubeCode) || expired.registrations.has(event.payload.registrationId);
    case "tube.transferred":
      return expired.tubes.has(event.payload.fromTubeCode) || expired.tubes.has(event.payload.toTubeCode);
    default:
      return eventIsExpired(event, expired);
  }
}

function retain(counts: RetainedCounts, day: string) {
  counts[day] ??= { registrations: 0, registrationsByDevice: {}, tubesByDevice: {} };
  return counts[day];
}

/**
 * Drops expired records from the state (tubes, registrations, their document index entries, boxes; the append-only
 * logs are rebuilt, so an index kept beside them must start again). The day counters are left as they are; the
 * counts the dropped records made are returned, to be added back when a state is built without them.
 */
export function forgetExpired(state: StationState, expired: ExpiredRecords): RetainedCounts {
  const counts: RetainedCounts = {};
  for (const id of expired.registrations) {
    const r = state.registrations.get(id);
    if (!r) continue;
    state.registrations.delete(id);
    if (!r.voided) {
      const c = retain(counts, siteDay(r.registeredAt));
      c.registrations++;
      c.registrationsByDevice[r.deviceId] = (c.registrationsByDevice[r.deviceId] ?? 0) + 1;
    }
    const same = state.registrationsByDocument.get(r.resident.docNumber);
    if (same === r) state.registrationsByDocument.delete(r.resident.docNumber);
    else if (Array.isArray(same)) {
      const rest = same.filter((x) => x !== r);
      if (rest.length === 0) state.registrationsByDocument.delete(r.resident.docNumber);
      else state.registrationsByDocument.set(r.resident.docNumber, rest.length === 1 ? (rest[0] as typeof r) : rest);
    }
  }
  for (const code of expired.tubes) {
    const tube = state.tubes.get(code);
    if (!tube) continue;
    state.tubes.delete(code);
    if (tube.status !== "void") {
      const c = retain(counts, siteDay(tube.openedAt));
      c.tubesByDevice[tube.openedByDevice] = (c.tubesByDevice[tube.openedByDevice] ?? 0) + 1;
    }
  }
  for (const code of expired.boxes) state.boxes.delete(code);
  state.tubeLog = state.tubeLog.filter((t) => !expired.tubes.has(t.code));
  state.registrationLog = state.registrationLog.filter((r) => !expired.registrations.has(r.id));
  return counts;
}

/** Adds counts kept from dropped records to a state built without them (at load). */
export function addRetainedCounts(state: StationState, counts: RetainedCounts): void {
  for (const [day, kept] of Object.entries(counts)) {
    const c: DayCounts = countersOfDay(state, day);
    c.registrations += kept.registrations;
    for (const [device, n] of Object.entries(kept.registrationsByDevice))
      c.registrationsByDevice.set(device, (c.registrationsByDevice.get(device) ?? 0) + n);
    for (const [device, n] of Object.entries(kept.tubesByDevice))
      c.tubesByDevice.set(device, (c.tubesByDevice.get(device) ?? 0) + n);
  }
}

/** Two sets of kept counts added together (a later purge adds to what earlier ones kept). */
export function mergeRetainedCounts(a: RetainedCounts, b: RetainedCounts): RetainedCounts {
  const merged: RetainedCounts = {};
  for (const source of [a, b]) addInto(merged, source);
  return merged;
}

function addInto(merged: RetainedCounts, b: RetainedCounts): void {
  for (const [day, kept] of Object.entries(b)) {
    const c = retain(merged, day);
    c.registrations += kept.registrations;
    for (const [d, n] of Object.entries(kept.registrationsByDevice))
      c.registrationsByDevice[d] = (c.registrationsByDevice[d] ?? 0) + n;
    for (const [d, n] of Object.entries(kept.tubesByDevice)) c.tubesByDevice[d] = (c.tubesByDevice[d] ?? 0) + n;
  }
}

/**
 * The tubes and boxes an event is about (registrations are about their tube). A purged record's codes are kept as
 * tombstones, so a pull that starts again from the beginning (signed in at another site and back) does not bring its
 * events back: they would be counted a second time beside the counts kept for them.
 */
export function recordCodesOf(event: SampleEvent): { tubes: string[]; boxes: string[] } {
  switch (event.type) {
    case "tube.opened":
    case "tube.sealed":
    case "tube.abandoned":
    case "registration.added":
    case "registration.voided":
      return { tubes: [event.payload.tubeCode], boxes: [] };
    case "tube.transferred":
      return { tubes: [event.payload.fromTubeCode, event.payload.toTubeCode], boxes: [] };
    case "box.opened":
    case "box.closed":
    case "box.handed_over":
      return { tubes: [], boxes: [event.payload.boxCode] };
    case "box.tube_added":
      return { tubes: [event.payload.tubeCode], boxes: [event.payload.boxCode] };
    default:
      return { tubes: [], boxes: [] };
  }
}

/** Tombstone keys: one namespace for tubes and boxes. */
export const tubeTombstone = (code: string): string => `tube:${code}`;
export const boxTombstone = (code: string): string => `box:${code}`;

/** Whether a pulled event is about purged records only (every tube and box it names has a tombstone), as
 * eventIsExpired decided when they were purged. */
export function concernsPurged(event: SampleEvent, isPurged: (key: string) => boolean): boolean {
  const { tubes, boxes } = recordCodesOf(event);
  const keys = [...tubes.map(tubeTombstone), ...boxes.map(boxTombstone)];
  return keys.length > 0 && keys.every(isPurged);
}
