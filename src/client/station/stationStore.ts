/**
 * The station's state in memory: loaded at start from the saved snapshot plus the events after it, then each new event
 * applied as it is recorded — so a scan costs one IndexedDB write and one projection step, not a re-read of the day.
 * Every so many events (and when the page is hidden) the state is saved again as a snapshot, in idle time.
 * Screens subscribe with useSyncExternalStore; each change gives a new snapshot object.
 */
import type { SampleEvent } from "../../domain/events";
import { applyEvent, emptyState, type StationState } from "../../domain/projection";
import { eventsAfter } from "../data/eventLog";
import { loadSnapshot, saveSnapshot } from "../data/snapshot";

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
  /** The last sequence number applied; the state holds exactly the events 1..appliedSeq. */
  private appliedSeq = 0;
  private savedSeq = 0;
  private saveScheduled = false;

  constructor(private readonly snapshotAfter = SNAPSHOT_AFTER_EVENTS) {}

  getSnapshot = (): StationSnapshot => this.snapshot;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Loads the state (once); later calls wait for the same load. */
  load(): Promise<StationState> {
    this.loading ??= (async () => {
      const saved = await loadSnapshot();
      const state = saved?.state ?? emptyState();
      let seq = saved?.lastSeq ?? 0;
      for (const event of await eventsAfter(seq)) {
        applyEvent(state, event);
        seq = event.seq;
      }
      this.appliedSeq = seq;
      this.savedSeq = saved?.lastSeq ?? 0;
      this.snapshot = { state, version: this.snapshot.version + 1, loaded: true };
      this.emit();
      this.maybeSave();
      return state;
    })();
    return this.loading;
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

  /** Drops the in-memory state (after sign-out, or when another tab changed the log) and loads again. */
  reload(): Promise<StationState> {
    this.loading = null;
    return this.load();
  }

  /** Saves a snapshot now if any event is not in the saved one (for page hide). */
  flush(): Promise<void> {
    return this.appliedSeq > this.savedSeq ? this.save() : Promise.resolve();
  }

  private maybeSave(): void {
    if (this.saveScheduled || this.appliedSeq - this.savedSeq < this.snapshotAfter) return;
    this.saveScheduled = true;
    // Serialising a day's state takes a few hundred ms: do it when the station is idle, not during a scan.
    const { requestIdleCallback } = globalThis as { requestIdleCallback?: (run: () => void, o: object) => void };
    if (requestIdleCallback) requestIdleCallback(() => void this.save(), { timeout: 10_000 });
    else setTimeout(() => void this.save(), 200);
  }

  private async save(): Promise<void> {
    this.saveScheduled = false;
    if (!this.snapshot.loaded) return;
    // Taken together, synchronously: the state holds exactly the events up to appliedSeq.
    const { state } = this.snapshot;
    const seq = this.appliedSeq;
    try {
      await saveSnapshot(state, seq);
      this.savedSeq = seq;
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
