/**
 * The app's sync loop, as the page sees it. In a browser the loop runs in a worker (syncWorker.ts): pushing, marking
 * and pulling cost the page's thread nothing, so a registration paints at once even while an upload runs. Where
 * there are no workers (Node, in unit tests) it is the page's own loop.
 */
import { Listeners } from "./listeners";
import { pageSyncLoop, type SyncStatus } from "./outbox";
import type { FromSyncWorker, ToSyncWorker } from "./syncWorkerProtocol";

export interface SyncLoopApi {
  getStatus(): SyncStatus;
  subscribe(listener: (status: SyncStatus) => void): () => void;
  onRemoteEvents(listener: () => void): () => void;
  onQuarantineChanged(listener: () => void): () => void;
  start(): void;
  stop(): void;
  /** A new event was recorded: counted at once, uploaded shortly. */
  nudge(): void;
  syncNow(): Promise<void>;
  refreshCounts(): Promise<void>;
  /** Hands the loop the data key at unlock, or takes it back at lock (null). */
  setDataKey(key: CryptoKey | null): void;
}

/** Status reports arriving within this many ms of each other reach the screen as one. */
const STATUS_COALESCE_MS = 50;

class SyncWorkerClient implements SyncLoopApi {
  private worker: Worker | null = null;
  private status: SyncStatus = { phase: "idle", pending: 0, rejected: 0 };
  private readonly listeners = new Listeners<[SyncStatus]>();
  private readonly remoteListeners = new Listeners();
  private readonly quarantineListeners = new Listeners();
  private nextId = 1;
  private waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private started = false;

  private readonly onVisible = () => {
    if (document.visibilityState === "visible") void this.syncNow();
  };
  private readonly onOnline = () => void this.syncNow();

  getStatus = (): SyncStatus => this.status;

  subscribe = this.listeners.add;

  onRemoteEvents = this.remoteListeners.add;

  onQuarantineChanged = this.quarantineListeners.add;

  start(): void {
    if (this.started) return;
    this.started = true;
    window.addEventListener("online", this.onOnline);
    document.addEventListener("visibilitychange", this.onVisible);
    this.send({ type: "start" });
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    window.removeEventListener("online", this.onOnline);
    document.removeEventListener("visibilitychange", this.onVisible);
    this.send({ type: "stop" });
  }

  nudge(): void {
    this.send({ type: "nudge" });
  }

  syncNow(): Promise<void> {
    return this.call("syncNow");
  }

  refreshCounts(): Promise<void> {
    return this.call("refreshCounts");
  }

  setDataKey(key: CryptoKey | null): void {
    // A CryptoKey crosses to the worker by structured clone; the worker keeps it only until the page locks.
    // Before the worker has started, its start hands it the key held then.
    if (this.worker) this.send({ type: "dataKey", key });
  }

  private call(type: "syncNow" | "refreshCounts"): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.send({ type, id });
    });
  }

  private send(message: ToSyncWorker): void {
    this.connection().postMessage(message);
  }

  /** The worker starts with the first message (the bundle for it is precached like the rest of the app). */
  private connection(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL("./syncWorker.ts", import.meta.url), { type: "module", name: "sync" });
    worker.addEventListener("message", (event: MessageEvent<FromSyncWorker>) => this.onMessage(event.data));
    worker.addEventListener("error", (event) => {
      // The loop could not start: say so on the badge rather than failing silently; events stay queued.
      console.error("sync worker failed", event.message);
      this.setStatus({ ...this.status, phase: "error", lastError: "unexpected" });
      for (const { reject } of this.waiting.values()) reject(new Error(event.message || "sync worker failed"));
      this.waiting.clear();
    });
    this.worker = worker;
    return worker;
  }

  private onMessage(message: FromSyncWorker): void {
    switch (message.type) {
      case "status":
        this.setStatus(message.status);
        break;
      case "remote":
        this.remoteListeners.emit();
        break;
      case "quarantine":
        this.quarantineListeners.emit();
        break;
      case "done": {
        const waiting = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        if (message.error === undefined) waiting?.resolve();
        else waiting?.reject(new Error(message.error));
        break;
      }
    }
  }

  private notifyTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * A pass reports several steps (counted, syncing, pushed, idle) within a few ms: the badge shows the last of them,
   * rendered once, not once per step (each render would be a frame's work on a slow phone).
   */
  private setStatus(status: SyncStatus): void {
    this.status = status;
    if (this.notifyTimer !== undefined) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = undefined;
      this.listeners.emit(this.status);
    }, STATUS_COALESCE_MS);
  }
}

export const syncLoop: SyncLoopApi = typeof Worker === "undefined" ? pageSyncLoop : new SyncWorkerClient();
