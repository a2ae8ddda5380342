/**
 * The station's state in memory: loaded at start from the saved snapshot plus the events after it, then each new event
 * applied as it is recorded — so a scan costs one IndexedDB write and one projection step, not a re-read of the day.
 * Every so many events (and when the page is hidden) the state is saved again as a snapshot, in idle time.
 * Screens subscribe with useSyncExternalStore; each change gives a new snapshot object.
 */
import type { SampleEvent } from "../../domain/events";
import { applyEvent, emptyState, type StationState } from "../../domain/projection";
import { addRetainedCounts, type ExpiredRecords, forgetExpired, mergeRetainedCounts } from "../../domain/retention";
import { currentDataKey } from "../data/dataKey";
import { eventsAfter, leftOutOfState, rejectedSeqsUpTo, storedEventsBySeq } from "../data/eventLog";
import { getMeta } from "../data/meta";
import { remoteEventsAfter } from "../data/remoteEvents";
import { dropSnapshot, type LoadedSnapshot, loadSnapshot, saveSnapshot } from "../data/snapshot";
import { forgetHistoryIndex } from "./history";

export interface StationSnapshot {
  state: StationState;
  /** Events applied so far; changes on every update. */
  version: number;
  loaded: boolean;
}

type Listener = () => void;

/** Events after the saved snapshot that make it worth saving again (about 10 minutes of a busy station). */
export const SNAPSHOT_AFTER_EVENTS = 1000;

export class StationStore {
  private snapshot: StationSnapshot = { state: emptyState(), version: 0, loaded: false };
  private listeners = new Set<Listener>();
  private loading: Promise<StationState> | null = null;
  /** The last sequence number applied; the state holds exactly this device's events 1..appliedSeq but `leftOut`. */
  private appliedSeq = 0;
  /** This device's events up to appliedSeq the state leaves out: rejected by the server, or decided by staff. */
  private leftOut = new Set<number>();
  private savedSeq = 0;
  /** The last remote event (other devices', pulled) applied, by arrival order. */
  private appliedRemote = 0;
  private savedRemote = 0;
  private saveScheduled = false;
  /** Counts unloads: a load that started before one does not install its state. */
  private generation = 0;
  /** When the state was last built from the stored records (ms since the epoch; 0 before). */
  private loadedAt = 0;

  loadedAtMs(): number {
    return this.loadedAt;
  }

  constructor(private readonly snapshotAfter = SNAPSHOT_AFTER_EVENTS) {}

  getSnapshot = (): StationSnapshot => this.snapshot;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /**
   * Loads the state (once); later calls wait for the same load. Needs the data key (DeviceLockedError while locked;
   * a failed load is tried again on the next call).
   */
  load(): Promise<StationState> {
    const generation = this.generation;
    this.loading ??= (async () => {
      // Read first: every event numbered below it is in the log now, or was deleted (erased at another staff's
      // sign-in) — the state then stands for those numbers too, or the next write would be refused as stale forever.
      const nextSeq = (await getMeta("nextSeq")) ?? 1;
      const saved = await this.usableSnapshot();
      const state = saved?.state ?? emptyState();
      const local = await eventsAfter(saved?.lastSeq ?? 0);
      for (const event of local.events) applyEvent(state, event);
      const remote = await remoteEventsAfter(saved?.remoteOrder ?? 0);
      for (const event of remote.events) applyEvent(state, event);
      // Counters of records deleted for retention: the state holds their days' figures, not the records.
      addRetainedCounts(state, (await getMeta("retainedCounts")) ?? {});
      // Unloaded meanwhile (another tab signed in): this state may be built from erased records; keep none of it.
      if (generation !== this.generation) return state;
      this.leftOut = new Set([...(saved?.leftOut ?? []), ...local.leftOut]);
      this.appliedSeq = Math.max(local.lastSeq, nextSeq - 1);
      this.savedSeq = saved?.lastSeq ?? 0;
      this.appliedRemote = remote.lastOrder;
      this.savedRemote = saved?.remoteOrder ?? 0;
      this.snapshot = { state, version: this.snapshot.version + 1, loaded: true };
      this.loadedAt = Date.now();
      this.emit();
      this.maybeSave();
      return state;
    })();
    const loading = this.loading;
    loading.catch(() => {
      if (this.loading === loading) this.loading = null;
    });
    return loading;
  }

  /**
   * The sequence number the next event of this device gets if nothing was recorded since the state was brought up to
   * date (undefined before the first load). A writer that passes it to recordEvent learns when it is stale.
   */
  expectedNextSeq(): number | undefined {
    return this.snapshot.loaded ? this.appliedSeq + 1 : undefined;
  }

  /** Whether this device's log holds events the state has not applied (another tab recorded them): one read. */
  async isStale(): Promise<boolean> {
    const expected = this.expectedNextSeq();
    return expected !== undefined && ((await getMeta("nextSeq")) ?? 1) !== expected;
  }

  /** Applies a newly recorded event; an event out of sequence (another tab wrote between) reloads from the log. */
  async apply(event: SampleEvent): Promise<void> {
    const state = await this.load();
    if (event.seq <= this.appliedSeq) return;
    if (event.seq !== this.appliedSeq + 1) {
      await this.reload();
      return;
    }
    applyEvent(state, event);
    this.appliedSeq = event.seq;
    this.snapshot = { state, version: this.snapshot.version + 1, loaded: true };
    this.emit();
    this.maybeSave();
  }

  /** Applies this device's events that another tab recorded since the last call (cheap when there are none). */
  catchUpLocal(): Promise<void> {
    return this.oneAtATime(async () => {
      if (!currentDataKey()) return; // locked: the next unlock loads or catches up
      const state = await this.load();
      const local = await eventsAfter(this.appliedSeq);
      // apply() may have taken some of them meanwhile (this tab's own write): only the ones still missing.
      const missing = local.events.filter((event) => event.seq > this.appliedSeq);
      if (local.lastSeq <= this.appliedSeq) return;
      for (const seq of local.leftOut) this.leftOut.add(seq);
      this.appliedSeq = local.lastSeq;
      this.applyMore(state, missing);
    });
  }

  /** Applies the other devices' events that a pull stored since the last call. */
  catchUpRemote(): Promise<void> {
    return this.oneAtATime(async () => {
      if (!currentDataKey()) return;
      const state = await this.load();
      const remote = await remoteEventsAfter(this.appliedRemote);
      if (remote.events.length === 0) return;
      this.appliedRemote = remote.lastOrder;
      this.applyMore(state, remote.events);
    });
  }

  /** Catch-ups run one after another: two at once would read the same events and apply them twice. */
  private catchingUp: Promise<void> = Promise.resolve();
  private oneAtATime(task: () => Promise<void>): Promise<void> {
    const next = this.catchingUp.then(task, task);
    this.catchingUp = next.catch(() => undefined);
    return next;
  }

  /** Applies events whose marks (appliedSeq, appliedRemote) the caller has just moved: a save takes both together. */
  private applyMore(state: StationState, events: SampleEvent[]): void {
    for (const event of events) applyEvent(state, event);
    this.snapshot = { state, version: this.snapshot.version + 1, loaded: true };
    this.emit();
    this.maybeSave();
  }

  /**
   * The saved snapshot, if it leaves out exactly the events left out now. The server may have rejected an event the
   * snapshot holds (a rejection arrives after the event was applied, maybe after a save by this tab or another), or a
   * left-out event may be back in the queue: such a snapshot is dropped and the events re-projected (rare).
   */
  private async usableSnapshot(): Promise<(LoadedSnapshot & { leftOut: number[] }) | null> {
    const saved = await loadSnapshot();
    if (!saved) return null;
    const rejected = await rejectedSeqsUpTo(saved.lastSeq);
    let usable: boolean;
    let leftOut: number[];
    if (saved.leftOut) {
      const savedLeftOut = new Set(saved.leftOut);
      const stillOut = (await storedEventsBySeq(saved.leftOut)).filter(leftOutOfState);
      usable = rejected.every((seq) => savedLeftOut.has(seq)) && stillOut.length === savedLeftOut.size;
      leftOut = saved.leftOut;
    } else {
      // Saved by an older version, which left out only decided events: usable if every rejected one is decided.
      const rejectedEvents = await storedEventsBySeq(rejected);
      usable = rejectedEvents.every((stored) => stored.resolution !== undefined);
      leftOut = rejected;
    }
    if (usable) return { ...saved, leftOut };
    await dropSnapshot();
    return null;
  }

  /**
   * The server rejected events of this device (this tab's sync, another tab's, or the service worker's), or set-aside
   * events went back in the queue (the server lost them: restored from an older backup): the state is built again
   * so that it leaves out exactly the rejected and decided events (rare; two small index reads when nothing changed).
   */
  followQuarantine(): Promise<void> {
    return this.oneAtATime(async () => {
      if (!currentDataKey()) return;
      await this.load();
      const rejected = await rejectedSeqsUpTo(this.appliedSeq);
      const newlyRejected = rejected.some((seq) => !this.leftOut.has(seq));
      const stillOut = newlyRejected ? [] : (await storedEventsBySeq([...this.leftOut])).filter(leftOutOfState);
      if (newlyRejected || stillOut.length !== this.leftOut.size) await this.reload();
    });
  }

  /**
   * Staff decided a quarantined event (discarded, or resubmitted as a new event). It left the state when it was
   * rejected, so only the new events are applied; a state that still holds it is built again without it.
   */
  async forgetEvent(seq: number): Promise<void> {
    await this.load();
    if (this.leftOut.has(seq)) await this.catchUpLocal();
    else await this.reload();
  }

  /**
   * Forgets the in-memory state without loading again (another tab signed in: the records may have been erased, and
   * this tab no longer holds the key); the next load after the unlock builds it from what is stored then.
   */
  unload(): void {
    this.generation++;
    this.loading = null;
    this.snapshot = { state: emptyState(), version: this.snapshot.version + 1, loaded: false };
    this.emit();
  }

  /** Drops the in-memory state (after sign-out, or when another tab changed the log) and loads again. */
  reload(): Promise<StationState> {
    this.loading = null;
    return this.load();
  }

  /** Saves a snapshot now if any event is not in the saved one (for page hide). */
  flush(): Promise<void> {
    return this.unsaved() > 0 ? this.save() : Promise.resolve();
  }

  private unsaved(): number {
    return this.appliedSeq - this.savedSeq + (this.appliedRemote - this.savedRemote);
  }

  private maybeSave(): void {
    if (this.saveScheduled || this.unsaved() < this.snapshotAfter) return;
    this.saveScheduled = true;
    // Serialising a day's state takes a few hundred ms: do it when the station is idle, not during a scan.
    const { requestIdleCallback } = globalThis as { requestIdleCallback?: (run: () => void, o: object) => void };
    if (requestIdleCallback) requestIdleCallback(() => void this.save(), { timeout: 10_000 });
    else setTimeout(() => void this.save(), 200);
  }

  /**
   * Retention: drops expired records from the state (their events are already deleted), keeps their day counts, and
   * saves the state and the kept counts together.
   */
  forgetExpired(expired: ExpiredRecords): Promise<void> {
    return this.oneAtATime(async () => {
      const state = await this.load();
      const kept = forgetExpired(state, expired);
      forgetHistoryIndex(state);
      this.snapshot = { state, version: this.snapshot.version + 1, loaded: true };
      this.emit();
      const retained = mergeRetainedCounts((await getMeta("retainedCounts")) ?? {}, kept);
      // Taken together, synchronously, as in save().
      const seq = this.appliedSeq;
      const remoteOrder = this.appliedRemote;
      await saveSnapshot(state, seq, remoteOrder, [...this.leftOut], retained);
      this.savedSeq = seq;
      this.savedRemote = remoteOrder;
    });
  }

  /** Saves a snapshot now (after records were sealed in place: the old one may be in the clear). */
  saveNow(): Promise<void> {
    return this.save();
  }

  private async save(): Promise<void> {
    this.saveScheduled = false;
    if (!this.snapshot.loaded) return;
    // Taken together, synchronously: the state holds exactly the events up to appliedSeq.
    const { state } = this.snapshot;
    const seq = this.appliedSeq;
    const remoteOrder = this.appliedRemote;
    const leftOut = [...this.leftOut];
    try {
      await saveSnapshot(state, seq, remoteOrder, leftOut);
      this.savedSeq = seq;
      this.savedRemote = remoteOrder;
    } catch (error) {
      // Only a shortcut for the next start: the events are safe. A full disk shows up on the next event write.
      console.warn("station snapshot not saved", error);
    }
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

export const stationStore = new StationStore();
