/**
 * The station's state in memory: every local event projected once at start, then each new event applied as it is
 * recorded — so a scan costs one IndexedDB write and one projection step, not a re-read of the whole day.
 * Screens subscribe with useSyncExternalStore; each change gives a new snapshot object.
 */
import type { SampleEvent } from "../../domain/events";
import { applyEvent, emptyState, type StationState } from "../../domain/projection";
import { allEvents } from "../data/eventLog";

export interface StationSnapshot {
  state: StationState;
  /** Events applied so far; changes on every update. */
  version: number;
  loaded: boolean;
}

type Listener = () => void;

export class StationStore {
  private snapshot: StationSnapshot = { state: emptyState(), version: 0, loaded: false };
  private listeners = new Set<Listener>();
  private loading: Promise<StationState> | null = null;

  getSnapshot = (): StationSnapshot => this.snapshot;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Projects every stored event (once); later calls wait for the same load. */
  load(): Promise<StationState> {
    this.loading ??= (async () => {
      const state = emptyState();
      for (const event of await allEvents()) applyEvent(state, event);
      this.snapshot = { state, version: this.snapshot.version + 1, loaded: true };
      this.emit();
      return state;
    })();
    return this.loading;
  }

  /** Applies a newly recorded event. */
  async apply(event: SampleEvent): Promise<void> {
    const state = await this.load();
    applyEvent(state, event);
    this.snapshot = { state, version: this.snapshot.version + 1, loaded: true };
    this.emit();
  }

  /** Drops the in-memory state (after sign-out, or when another tab changed the log) and loads again. */
  reload(): Promise<StationState> {
    this.loading = null;
    return this.load();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

export const stationStore = new StationStore();
