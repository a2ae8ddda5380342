/**
 * The station's input path: everything typed, pasted or (later) scanned arrives at submitScan. It decides what the
 * text means at this step (tube expected, or resident expected), applies the domain rules and records events.
 */
import type { SiteConfig } from "../../domain/protocol";
import { type Resident, type ResidentCodeError, validateResident } from "../../domain/residentCode";
import { createScanClassifier, type ScanError } from "../../domain/scanCodes";
import { decideOpenTube, decideRegister, decideSeal, type StationRefusal } from "../../domain/station";
import { allEvents, type EventAuthor, recordEvent } from "../data/eventLog";
import { getDeviceId } from "../data/meta";
import { type StationView, viewOf } from "./view";

export type StationProblem =
  | ScanError
  | StationRefusal
  | { code: "invalid_resident"; error: ResidentCodeError }
  | { code: "phone_required" }
  | { code: "tube_already_open"; tubeCode: string }
  | { code: "storage_failed"; message: string };

export type StationOutcome =
  | { ok: true; action: "tube-opened"; tubeCode: string }
  | { ok: true; action: "registered"; name: string; count: number; capacity: number; full: boolean }
  | { ok: true; action: "needs-name"; docType: "ID"; docNumber: string }
  | { ok: true; action: "sealed"; tubeCode: string; count: number; short: boolean }
  | { ok: true; action: "ignored" }
  | { ok: false; problem: StationProblem };

const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

const fail = (problem: StationProblem): StationOutcome => ({ ok: false, problem });

export class Station {
  private readonly classifier;

  constructor(
    private readonly author: EventAuthor,
    private readonly site: SiteConfig,
    /** Called after every event written, e.g. to recount the outbox and nudge the sync loop. */
    private readonly onRecorded: () => void = () => {},
  ) {
    this.classifier = createScanClassifier(site);
  }

  /** Inputs are handled one after another: a scanner can deliver the next code before the last one is saved. */
  private queue: Promise<unknown> = Promise.resolve();

  private serial(task: () => Promise<StationOutcome>): Promise<StationOutcome> {
    // A failing database (closed, full, blocked) becomes a visible problem, never an unhandled crash.
    const guarded = () =>
      task().catch((error: unknown) => fail({ code: "storage_failed", message: describeError(error) }));
    const next = this.queue.then(guarded, guarded);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async current(): Promise<StationView> {
    return viewOf(await allEvents(), await getDeviceId());
  }

  private async write(record: () => Promise<unknown>): Promise<StationProblem | null> {
    try {
      await record();
      this.onRecorded();
      return null;
    } catch (error) {
      return {
        code: "storage_failed",
        message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      };
    }
  }

  /** The scanner's and the keyboard's entry point. */
  submitScan(text: string): Promise<StationOutcome> {
    return this.serial(() => this.handleScan(text));
  }

  /** Manual entry (no QR code, or a bare ID number whose name staff typed). */
  register(input: Resident): Promise<StationOutcome> {
    return this.serial(() => this.handleRegister(input));
  }

  seal(confirmShort: boolean): Promise<StationOutcome> {
    return this.serial(() => this.handleSeal(confirmShort));
  }

  private async handleScan(text: string): Promise<StationOutcome> {
    const view = await this.current();
    if (!view.openTube) {
      const scan = this.classifier.expect(text, "tube");
      if (!scan.ok) return fail(scan.error);
      if (scan.value.kind !== "tube") return fail({ code: "empty_scan" });
      return this.openTube(view, scan.value.code);
    }
    const scan = this.classifier.classify(text);
    if (scan.kind === "tube" && scan.code === view.openTube.code) return { ok: true, action: "ignored" };
    if (scan.kind === "tube") return fail({ code: "tube_already_open", tubeCode: view.openTube.code });
    const resident = this.classifier.expect(text, "resident");
    if (!resident.ok) return fail(resident.error);
    if (resident.value.kind !== "resident") return fail({ code: "empty_scan" });
    const parsed = resident.value.parsed;
    if (parsed.kind === "bare-id")
      return { ok: true, action: "needs-name", docType: "ID", docNumber: parsed.docNumber };
    return this.registerIn(view, parsed.resident);
  }

  private async handleRegister(input: Resident): Promise<StationOutcome> {
    const view = await this.current();
    const checked = validateResident(input);
    if (!checked.ok) return fail({ code: "invalid_resident", error: checked.error });
    return this.registerIn(view, checked.value);
  }

  private async handleSeal(confirmShort: boolean): Promise<StationOutcome> {
    const view = await this.current();
    if (!view.openTube) return fail({ code: "no_such_tube", tubeCode: "" });
    const decision = decideSeal(view.state, view.openTube.code, { confirmShort });
    if (!decision.ok) return fail(decision.error);
    const problem = await this.write(() => recordEvent(this.author, "tube.sealed", decision.value));
    return problem ? fail(problem) : { ok: true, action: "sealed", ...decision.value };
  }

  private async openTube(view: StationView, tubeCode: string): Promise<StationOutcome> {
    const decision = decideOpenTube(view.state, tubeCode, this.site.poolSize);
    if (!decision.ok) return fail(decision.error);
    const problem = await this.write(() => recordEvent(this.author, "tube.opened", decision.value));
    return problem ? fail(problem) : { ok: true, action: "tube-opened", tubeCode };
  }

  private async registerIn(view: StationView, resident: Resident): Promise<StationOutcome> {
    const tube = view.openTube;
    if (!tube) return fail({ code: "no_such_tube", tubeCode: "" });
    if (this.site.phoneRequired && !resident.phone) return fail({ code: "phone_required" });
    const decision = decideRegister(view.state, tube.code, resident, crypto.randomUUID());
    if (!decision.ok) return fail(decision.error);
    const problem = await this.write(() => recordEvent(this.author, "registration.added", decision.value));
    if (problem) return fail(problem);
    const count = view.members.length + 1;
    return {
      ok: true,
      action: "registered",
      name: resident.name,
      count,
      capacity: tube.capacity,
      full: count >= tube.capacity,
    };
  }
}
