/**
 * The station's input path: everything typed, pasted or (later) scanned arrives at submitScan. It decides what the
 * text means at this step (tube expected, or resident expected), applies the domain rules and records events.
 */

import type { EventType, PayloadOf, SampleEvent } from "../../domain/events";
import { normalizePhone, normalizeTypedResident } from "../../domain/normalizeInput";
import { activeMembers, openBoxOfDevice } from "../../domain/projection";
import type { SiteConfig } from "../../domain/protocol";
import { type ReasonAction, type ReasonChoice, type ReasonProblem, reasonToStore } from "../../domain/reasons";
import { type Resident, type ResidentCodeError, validateResident } from "../../domain/residentCode";
import type { Result } from "../../domain/result";
import { createScanClassifier, type ScanError } from "../../domain/scanCodes";
import {
  decideAbandon,
  decideAddTubeToBox,
  decideCloseBox,
  decideHandover,
  decideOpenBox,
  decideOpenTube,
  decideRegister,
  decideSeal,
  decideTransfer,
  decideUndo,
  decideVoid,
  type StationRefusal,
  undoDeadline,
} from "../../domain/station";
import { type EventAuthor, recordEvent, StaleLogError } from "../data/eventLog";
import { getDeviceId } from "../data/meta";
import { type RecallNotice, recallOf } from "../data/recallList";
import { type RosterMatch, rosterOf } from "../data/roster";
import { isQuotaError } from "../data/storage";
import { announceToOtherTabs } from "./otherTabs";
import { type StationStore, stationStore } from "./stationStore";
import { type StationView, viewOfState } from "./view";

export type StationProblem =
  | ScanError
  | StationRefusal
  | { code: "invalid_resident"; error: ResidentCodeError }
  | { code: "phone_required" }
  | { code: "tube_already_open"; tubeCode: string }
  | { code: "storage_failed"; message: string }
  | ReasonProblem
  /** The device's storage is full: nothing new can be saved until space is freed (by syncing, say). */
  | { code: "storage_full" };

export type StationOutcome =
  | { ok: true; action: "tube-opened"; tubeCode: string }
  /**
   * `registrationId` and `undoUntil` (epoch ms, device clock) are what the one-tap Undo needs: show it until then and
   * call undoRegistration(registrationId).
   */
  | {
      ok: true;
      action: "registered";
      registrationId: string;
      tubeCode: string;
      name: string;
      count: number;
      capacity: number;
      full: boolean;
      undoUntil: number;
      /** The site's roster on this phone: the resident's entry, "absent" (not on it), or none held (undefined). */
      roster?: RosterMatch | "absent";
    }
  | { ok: true; action: "needs-name"; docType: "ID"; docNumber: string }
  | { ok: true; action: "sealed"; tubeCode: string; count: number; short: boolean }
  /** A full tube sealed (`sealedTubeCode`, `count` people) and the scanned tube `tubeCode` opened, by one scan. */
  | { ok: true; action: "sealed-and-opened"; sealedTubeCode: string; count: number; tubeCode: string }
  | { ok: true; action: "ignored" }
  | { ok: true; action: "voided"; registrationId: string }
  /** The registration was undone (voided with the reason 撤销); `count` people are left in the tube. */
  | { ok: true; action: "undone"; registrationId: string; tubeCode: string; name: string; count: number }
  | { ok: true; action: "transferred"; fromTubeCode: string; toTubeCode: string }
  /** An empty tube opened by mistake was abandoned (void); the next tube label opens a new tube. */
  | { ok: true; action: "abandoned"; tubeCode: string }
  | { ok: true; action: "box-opened"; boxCode: string }
  | { ok: true; action: "boxed"; boxCode: string; tubeCode: string; count: number }
  | { ok: true; action: "box-closed"; boxCode: string; tubeCount: number }
  | { ok: true; action: "handed-over"; boxCode: string }
  /** `resident` is set when staff may retry the registration (with a re-sampling reason). */
  | { ok: false; problem: StationProblem; resident?: Resident };

/**
 * A reason as the UI gives it: a preset chip ({ code }), "other" with typed text ({ code: "other", otherText }), or
 * plain text. Stored in Chinese (see src/domain/reasons.ts).
 */
export type ReasonInput = string | ReasonChoice;

function resolveReason(action: ReasonAction, reason: ReasonInput): Result<string, ReasonProblem> {
  return typeof reason === "string" ? { ok: true, value: reason } : reasonToStore(action, reason);
}

const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

const fail = (problem: StationProblem): StationOutcome => ({ ok: false, problem });

/** Stale decisions in a row (other tabs writing meanwhile) before an input waits for the device's station lock. */
const MAX_STALE_RETRIES = 3;

/**
 * The device's station lock (Web Locks; where missing, this tab's queue suffices). Only an input that lost the race
 * to other tabs several times takes it; every tab's writes still check the log's sequence.
 */
function withStationLock<T>(task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  return locks ? (locks.request("samplepoint-station", task) as Promise<T>) : task();
}

export class Station {
  private readonly classifier;

  constructor(
    private readonly author: EventAuthor,
    private readonly site: SiteConfig,
    /** Called after every event written, e.g. to recount the outbox and nudge the sync loop. */
    private readonly onRecorded: () => void = () => {},
    private readonly store: StationStore = stationStore,
  ) {
    this.classifier = createScanClassifier(site);
  }

  /** Inputs are handled one after another: a scanner can deliver the next code before the last one is saved. */
  private queue: Promise<unknown> = Promise.resolve();

  private serial(task: () => Promise<StationOutcome>): Promise<StationOutcome> {
    // Across tabs too, without a lock on the way of every scan: the decision is made on the state in memory and the
    // write checks that this device's log has not moved on since (another tab, the quarantine screen); if it has,
    // nothing was written, and the input is decided again after applying what the others wrote. So two tabs never
    // both open a tube. A failing database (closed, full, blocked) becomes a visible problem, never an unhandled
    // crash; what was saved before stays (each event is written in its own transaction).
    const exclusive = async () => {
      this.inputs++;
      try {
        for (let attempt = 1; ; attempt++) {
          try {
            const writesBefore = this.writes;
            const outcome = await task();
            // An input that wrote nothing (a refusal, say) was decided without that check: if the log has moved on,
            // it is decided again on the current state (one read, and only for inputs that wrote nothing).
            if (this.writes === writesBefore && (await this.store.isStale())) throw new StaleLogError(0);
            return outcome;
          } catch (error) {
            if (!(error instanceof StaleLogError)) throw error;
            await this.store.catchUpLocal();
            // Tabs racing scan for scan: after a few rounds, the last attempt holds the device's station lock.
            if (attempt >= MAX_STALE_RETRIES) return await withStationLock(task);
          }
        }
      } catch (error) {
        return fail(
          isQuotaError(error) ? { code: "storage_full" } : { code: "storage_failed", message: describeError(error) },
        );
      }
    };
    const next = this.queue.then(exclusive, exclusive);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Events this station has written, to tell inputs that wrote nothing. */
  private writes = 0;

  private async current(): Promise<StationView> {
    return viewOfState(await this.store.load(), await getDeviceId());
  }

  /** Records the event a decision allows, or returns the decision's refusal. */
  private async record<T extends EventType>(
    type: T,
    decision: Result<PayloadOf<T>, StationRefusal>,
    success: (payload: PayloadOf<T>, event: SampleEvent) => StationOutcome,
  ): Promise<StationOutcome> {
    if (!decision.ok) return fail(decision.error);
    const deviceId = await getDeviceId();
    const event = await recordEvent(this.author, type, decision.value, deviceId, this.store.expectedNextSeq());
    this.writes++;
    await this.store.apply(event);
    announceToOtherTabs("recorded");
    this.onRecorded();
    return success(decision.value, event);
  }

  /** The scanner's and the keyboard's entry point. */
  submitScan(text: string): Promise<StationOutcome> {
    return this.serial(() => this.handleScan(text));
  }

  /** Manual entry (no QR code, or a bare ID number whose name staff typed), or a retry with a re-sampling reason. */
  register(input: Resident, repeatReason?: ReasonInput): Promise<StationOutcome> {
    return this.serial(async () => {
      if (repeatReason === undefined) return this.handleRegister(input);
      const reason = resolveReason("repeat", repeatReason);
      return reason.ok ? this.handleRegister(input, reason.value) : fail(reason.error);
    });
  }

  voidRegistration(registrationId: string, reasonInput: ReasonInput): Promise<StationOutcome> {
    return this.serial(async () => {
      const reason = resolveReason("void", reasonInput);
      if (!reason.ok) return fail(reason.error);
      const view = await this.current();
      return this.record("registration.voided", decideVoid(view.state, registrationId, reason.value), () => ({
        ok: true,
        action: "voided",
        registrationId,
      }));
    });
  }

  /**
   * One-tap undo of a registration just made: voids it with the reason 撤销 within UNDO_WINDOW_MS, while its tube is
   * open and it is the tube's latest. Refusals: nothing_to_undo, undo_expired, undo_tube_sealed, undo_not_last.
   */
  undoRegistration(registrationId: string): Promise<StationOutcome> {
    return this.serial(() => this.handleUndo(registrationId));
  }

  /** Undoes the last registration this station made (see undoRegistration); nothing_to_undo when there is none. */
  undoLast(): Promise<StationOutcome> {
    return this.serial(() =>
      this.lastRegistrationId
        ? this.handleUndo(this.lastRegistrationId)
        : Promise.resolve(fail({ code: "nothing_to_undo" })),
    );
  }

  /** The registration undoLast() would undo (this station's latest), for the one-tap button. */
  private lastRegistrationId: string | undefined;

  private async handleUndo(registrationId: string): Promise<StationOutcome> {
    const view = await this.current();
    const registration = view.state.registrations.get(registrationId);
    // Counted before the void is applied: the tube's people after it are one fewer.
    const left = registration ? activeMembers(view.state, registration.tubeCode).length - 1 : 0;
    return this.record("registration.voided", decideUndo(view.state, registrationId, Date.now()), (p) => {
      if (this.lastRegistrationId === registrationId) this.lastRegistrationId = undefined;
      return {
        ok: true,
        action: "undone",
        registrationId,
        tubeCode: p.tubeCode,
        name: registration?.resident.name ?? "",
        count: left,
      };
    });
  }

  /** Abandons this device's open tube while it is empty (opened by mistake); it becomes void. */
  abandonTube(tubeCode: string, reasonInput: ReasonInput): Promise<StationOutcome> {
    return this.serial(async () => {
      const reason = resolveReason("abandon", reasonInput);
      if (!reason.ok) return fail(reason.error);
      const view = await this.current();
      return this.record("tube.abandoned", decideAbandon(view.state, tubeCode, reason.value), (p) => ({
        ok: true,
        action: "abandoned",
        tubeCode: p.tubeCode,
      }));
    });
  }

  /** Moves the people of this device's open (damaged) tube, or of a sealed tube, to a new tube. */
  transfer(fromTubeCode: string, toText: string, reasonInput: ReasonInput): Promise<StationOutcome> {
    return this.serial(async () => {
      const reason = resolveReason("transfer", reasonInput);
      if (!reason.ok) return fail(reason.error);
      const view = await this.current();
      const scan = this.classifier.expect(toText, "tube");
      if (!scan.ok) return fail(scan.error);
      if (scan.value.kind !== "tube") return fail({ code: "empty_scan" });
      const decision = decideTransfer(view.state, fromTubeCode, scan.value.code, reason.value, await getDeviceId());
      return this.record("tube.transferred", decision, (p) => ({
        ok: true,
        action: "transferred",
        fromTubeCode: p.fromTubeCode,
        toTubeCode: p.toTubeCode,
      }));
    });
  }

  /** The box screen's input path: a box label opens a box, a tube label packs the tube into the open box. */
  submitBoxScan(text: string): Promise<StationOutcome> {
    return this.serial(async () => {
      const view = await this.current();
      const deviceId = await getDeviceId();
      const box = openBoxOfDevice(view.state, deviceId);
      if (!box) {
        const scan = this.classifier.expect(text, "box");
        if (!scan.ok) return fail(scan.error);
        if (scan.value.kind !== "box") return fail({ code: "empty_scan" });
        return this.record("box.opened", decideOpenBox(view.state, scan.value.code, deviceId), (p) => ({
          ok: true,
          action: "box-opened",
          boxCode: p.boxCode,
        }));
      }
      const scan = this.classifier.classify(text);
      if (scan.kind === "box" && scan.code === box.code) return { ok: true, action: "ignored" };
      if (scan.kind === "box") return fail({ code: "box_already_open", boxCode: box.code });
      const tube = this.classifier.expect(text, "tube");
      if (!tube.ok) return fail(tube.error);
      if (tube.value.kind !== "tube") return fail({ code: "empty_scan" });
      // Counted before recording: applying the event adds the tube to this same box object.
      const count = box.tubeCodes.length + 1;
      return this.record("box.tube_added", decideAddTubeToBox(view.state, box.code, tube.value.code), (p) => ({
        ok: true,
        action: "boxed",
        boxCode: p.boxCode,
        tubeCode: p.tubeCode,
        count,
      }));
    });
  }

  closeBox(boxCode: string): Promise<StationOutcome> {
    return this.serial(async () => {
      const view = await this.current();
      return this.record("box.closed", decideCloseBox(view.state, boxCode), (p) => ({
        ok: true,
        action: "box-closed",
        boxCode: p.boxCode,
        tubeCount: p.tubeCount,
      }));
    });
  }

  handOver(
    boxCode: string,
    courier: { name: string; phone: string; vehiclePlate?: string; labCode?: string },
  ): Promise<StationOutcome> {
    return this.serial(async () => {
      const view = await this.current();
      const typed = { ...courier, phone: normalizePhone(courier.phone) };
      return this.record("box.handed_over", decideHandover(view.state, boxCode, typed), (p) => ({
        ok: true,
        action: "handed-over",
        boxCode: p.boxCode,
      }));
    });
  }

  /**
   * Seals this device's open tube. Short tubes need `confirmShort`; pass the count the question showed as
   * `confirmedCount` so that a question left open while scanning went on is asked again with the new count (a tube
   * that has become full seals without one).
   */
  seal(confirmShort: boolean, confirmedCount?: number): Promise<StationOutcome> {
    return this.serial(() => this.handleSeal(confirmShort, confirmedCount));
  }

  private async handleScan(text: string): Promise<StationOutcome> {
    const view = await this.current();
    if (!view.openTube) {
      // A recalled resident scanned before any tube: remembered; the next tube opens for them alone.
      const first = this.classifier.classify(text);
      if (first.kind === "resident" && first.parsed.kind !== "bare-id") {
        const recalled = this.recalled(first.parsed.resident, false);
        if (recalled) return recalled;
      }
      const scan = this.classifier.expect(text, "tube");
      if (!scan.ok) return fail(scan.error);
      if (scan.value.kind !== "tube") return fail({ code: "empty_scan" });
      return this.openTube(view, scan.value.code);
    }
    const scan = this.classifier.classify(text);
    if (scan.kind === "tube" && scan.code === view.openTube.code) {
      // The open tube's own label again seals it (short: the usual question; confirmed through seal(true)). On an
      // empty tube it is a double read of the label just scanned to open it, not a request to seal.
      if (view.members.length === 0) return { ok: true, action: "ignored" };
      return this.sealOpenTube(view, false);
    }
    if (scan.kind === "tube") {
      // A used tube's label (sealed, void, another phone's) is refused as such, whatever this tube's state.
      const used = decideOpenTube(view.state, scan.code, this.site.poolSize);
      if (!used.ok) return fail(used.error);
      // A full tube seals on the next tube's label, which then opens: one scan. A tube not yet full stays open.
      if (view.members.length < view.openTube.capacity) {
        return fail({ code: "tube_already_open", tubeCode: view.openTube.code });
      }
      return this.sealAndOpen(view, scan.code);
    }
    const resident = this.classifier.expect(text, "resident");
    if (!resident.ok) return fail(resident.error);
    if (resident.value.kind !== "resident") return fail({ code: "empty_scan" });
    const parsed = resident.value.parsed;
    if (parsed.kind === "bare-id") {
      // A bare ID number on the site's roster registers with the roster's name: no typing.
      const entry = rosterOf("ID", parsed.docNumber);
      if (entry && entry !== "absent") {
        return this.registerIn(view, {
          name: entry.name,
          docType: "ID",
          docNumber: parsed.docNumber,
          ...(entry.community ? { community: entry.community } : {}),
        });
      }
      return { ok: true, action: "needs-name", docType: "ID", docNumber: parsed.docNumber };
    }
    return this.registerIn(view, parsed.resident);
  }

  private async handleRegister(input: Resident, repeatReason?: string): Promise<StationOutcome> {
    const view = await this.current();
    const checked = validateResident(normalizeTypedResident(input));
    if (!checked.ok) return fail({ code: "invalid_resident", error: checked.error });
    return this.registerIn(view, checked.value, repeatReason);
  }

  private async handleSeal(confirmShort: boolean, confirmedCount?: number): Promise<StationOutcome> {
    return this.sealOpenTube(await this.current(), confirmShort, confirmedCount);
  }

  private sealOpenTube(view: StationView, confirmShort: boolean, confirmedCount?: number): Promise<StationOutcome> {
    if (!view.openTube) return Promise.resolve(fail({ code: "no_such_tube", tubeCode: "" }));
    const options = confirmedCount === undefined ? { confirmShort } : { confirmShort, confirmedCount };
    const decision = decideSeal(view.state, view.openTube.code, options);
    return this.record("tube.sealed", decision, (p) => ({ ok: true, action: "sealed", ...p }));
  }

  /**
   * Seals this device's full open tube and opens `tubeCode`: both decided before either is written (a used tube code
   * refuses the scan and leaves the full tube open), then written one after the other before the outcome returns.
   */
  private async sealAndOpen(view: StationView, tubeCode: string): Promise<StationOutcome> {
    const full = view.openTube;
    if (!full) return fail({ code: "no_such_tube", tubeCode: "" });
    const seal = decideSeal(view.state, full.code, { confirmShort: false });
    if (!seal.ok) return fail(seal.error);
    const open = decideOpenTube(view.state, tubeCode, this.site.poolSize);
    if (!open.ok) return fail(open.error);
    const sealed = await this.record("tube.sealed", seal, () => ({ ok: true, action: "ignored" }));
    if (!sealed.ok) return sealed;
    return this.record("tube.opened", open, () => ({
      ok: true,
      action: "sealed-and-opened",
      sealedTubeCode: seal.value.tubeCode,
      count: seal.value.count,
      tubeCode,
    }));
  }

  private async openTube(view: StationView, tubeCode: string): Promise<StationOutcome> {
    // A recalled resident waits: this tube is theirs alone, linked to the recall, and they are registered in it.
    const pending = this.takePendingRecall();
    if (pending) {
      const opened = await this.record(
        "tube.opened",
        decideOpenTube(view.state, tubeCode, 1, pending.notice.id),
        () => ({ ok: true, action: "tube-opened", tubeCode }) as const,
      );
      if (!opened.ok) return opened;
      // Registered in the pool earlier today: the re-sampling is the reason for the second registration.
      return this.registerIn(await this.current(), pending.resident, Station.RECALL_REPEAT);
    }
    // New tubes take the site's current pool size; open tubes keep the size they were opened with.
    return this.record("tube.opened", decideOpenTube(view.state, tubeCode, this.site.poolSize), () => ({
      ok: true,
      action: "tube-opened",
      tubeCode,
    }));
  }

  /** Why a recalled resident is registered a second time today (the repeat's reason, stored with it). */
  static readonly RECALL_REPEAT = "复核单采 / recall re-sampling";

  /** A resident of a positive pool on the site's recall list (not in their own recall tube): flagged, remembered. */
  private pendingRecall: { notice: RecallNotice; resident: Resident; atInput: number } | null = null;
  /** Inputs handled so far: a flagged resident is re-sampled only by the very next input (a tube's label). */
  private inputs = 0;
  private recalled(resident: Resident, tubeOpen: boolean): StationOutcome | null {
    const notice = recallOf(resident.docType, resident.docNumber);
    if (!notice) return null;
    this.pendingRecall = { notice, resident, atInput: this.inputs };
    return fail({ code: "recalled_resident", name: resident.name, tubeOpen });
  }

  /** The resident flagged by the input just before this one, if any (anything else in between forgets them). */
  private takePendingRecall(): { notice: RecallNotice; resident: Resident } | null {
    const pending = this.pendingRecall;
    this.pendingRecall = null;
    return pending && pending.atInput === this.inputs - 1 ? pending : null;
  }

  private async registerIn(view: StationView, resident: Resident, repeatReason?: string): Promise<StationOutcome> {
    const tube = view.openTube;
    if (!tube) return fail({ code: "no_such_tube", tubeCode: "" });
    if (this.site.phoneRequired && !resident.phone) return fail({ code: "phone_required" });
    if (tube.recallId === undefined) {
      const recalled = this.recalled(resident, true);
      if (recalled) return recalled;
    }
    const decision = decideRegister(view.state, tube.code, resident, crypto.randomUUID(), {
      at: new Date().toISOString(),
      ...(repeatReason ? { repeatReason } : {}),
    });
    if (!decision.ok && decision.error.code === "registered_today")
      return { ok: false, problem: decision.error, resident };
    const count = view.members.length + 1;
    const roster = rosterOf(resident.docType, resident.docNumber);
    return this.record("registration.added", decision, (p, event) => {
      this.lastRegistrationId = p.registrationId;
      return {
        ...(roster ? { roster } : {}),
        ok: true,
        action: "registered",
        registrationId: p.registrationId,
        tubeCode: p.tubeCode,
        name: resident.name,
        count,
        capacity: tube.capacity,
        full: count >= tube.capacity,
        undoUntil: undoDeadline(event.occurredAt),
      };
    });
  }
}
