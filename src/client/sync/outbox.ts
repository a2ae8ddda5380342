/**
 * The outbox loop: pushes pending events in sequence order, in batches, and marks them synced only when the server says
 * accepted or duplicate. Rejected events are set aside with the server's reason so they never block the queue.
 * Runs on start, on the `online` event, on an interval and on demand.
 */
import { DEFAULT_PUSH_BATCH, type EventRejection, type PushResult } from "../../domain/protocol";
import { countPending, countRejected, markSyncResults, pendingEvents } from "../data/eventLog";
import { getDeviceId, getMeta, setMeta } from "../data/meta";
import { forgetToken, loadSession, saveSession } from "../data/session";
import { ApiError, api } from "./api";

export type SyncPhase = "idle" | "syncing" | "offline" | "error" | "signed-out";

export interface SyncStatus {
  phase: SyncPhase;
  pending: number;
  rejected: number;
  lastSyncAt?: string;
  /** The last failure's code (network, invalid_token, …) for the badge to explain. */
  lastError?: string;
}

const INTERVAL_MS = 30_000;

type Listener = (status: SyncStatus) => void;

export class SyncLoop {
  private status: SyncStatus = { phase: "idle", pending: 0, rejected: 0 };
  private listeners = new Set<Listener>();
  private running: Promise<void> | null = null;
  private again = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly onOnline = () => void this.syncNow();

  getStatus = (): SyncStatus => this.status;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  start(): void {
    if (this.timer) return;
    window.addEventListener("online", this.onOnline);
    this.timer = setInterval(() => void this.syncNow(), INTERVAL_MS);
    void this.syncNow();
  }

  stop(): void {
    window.removeEventListener("online", this.onOnline);
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Recounts pending events (after a local write) without contacting the server. */
  async refreshCounts(): Promise<void> {
    this.update({ pending: await countPending(), rejected: await countRejected() });
  }

  /** Runs one sync pass; if one is running, another follows it so new events are not left waiting. */
  syncNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async pass(): Promise<void> {
    await this.refreshCounts();
    this.update({ lastSyncAt: await getMeta("lastSyncAt") });
    const session = await loadSession();
    if (!session?.token) {
      this.update({ phase: "signed-out" });
      return;
    }
    this.update({ phase: "syncing" });
    const deviceId = await getDeviceId();
    try {
      for (;;) {
        const batch = await pendingEvents(DEFAULT_PUSH_BATCH);
        if (batch.length === 0) break;
        const response = await api.push(session.token, { deviceId, events: batch.map((stored) => stored.event) });
        await this.apply(
          response.results,
          batch.map((s) => s.id),
        );
        await this.refreshCounts();
      }
      // Site configuration (pool size, patterns, phone rule) is refreshed on every sync; open tubes keep their size.
      const site = await api.site(session.token, session.site.code);
      if (JSON.stringify(site) !== JSON.stringify(session.site))
        await saveSession({ ...session, token: session.token, site });
      const now = new Date().toISOString();
      await setMeta("lastSyncAt", now);
      this.update({ phase: "idle", lastSyncAt: now, lastError: undefined });
    } catch (error) {
      await this.fail(error);
    }
  }

  private async apply(results: PushResult[], sentIds: string[]): Promise<void> {
    const synced: string[] = [];
    const rejected: { id: string; code: EventRejection; message: string }[] = [];
    for (const result of results) {
      const id = sentIds[result.index];
      if (!id) continue;
      if (result.status === "rejected") rejected.push({ id, code: result.code, message: result.message });
      else synced.push(id);
    }
    if (synced.length + rejected.length === 0) throw new Error("the server answered the push without results");
    await markSyncResults(synced, rejected);
  }

  private async fail(error: unknown): Promise<void> {
    if (error instanceof ApiError && error.failure.kind === "http" && error.failure.status === 401) {
      // The token is no longer good: keep every event, ask for the password again.
      await forgetToken();
      this.update({ phase: "signed-out", lastError: error.failure.code });
      return;
    }
    if (error instanceof ApiError && error.failure.kind === "network") {
      this.update({ phase: "offline", lastError: "network" });
      return;
    }
    const code = error instanceof ApiError && error.failure.kind === "http" ? error.failure.code : "unexpected";
    this.update({ phase: "error", lastError: code });
  }

  private update(patch: Partial<SyncStatus>): void {
    this.status = { ...this.status, ...patch };
    for (const listener of this.listeners) listener(this.status);
  }
}

export const syncLoop = new SyncLoop();
