/**
 * The outbox loop: pushes pending events in sequence order, in batches, and marks them synced only when the server says
 * accepted or duplicate. Rejected events are set aside with the server's reason so they never block the queue.
 * Runs on start, on the `online` event, when the page becomes visible, on an interval and on demand. After a network
 * error, timeout or 5xx it backs off (1 s doubling to 5 min, with jitter); interval ticks wait for the backoff, the
 * other triggers (connectivity back, page shown, staff asking) try at once. One tab syncs at a time (Web Locks).
 */
import { outcomeOfPush, resendAfterMark } from "../../domain/pushOutcome";
import { currentDataKey } from "../data/dataKey";
import {
  countPending,
  countRejected,
  highestSettledSeq,
  markSyncResults,
  pendingEvents,
  requeueAfter,
} from "../data/eventLog";
import { getDeviceId, getMeta, setMeta } from "../data/meta";
import { forgetToken, loadSession, saveSession } from "../data/session";
import { ApiError, api } from "./api";
import { retryDelay } from "./backoff";
import { INITIAL_PUSH_BATCH, nextBatchSize } from "./batchSize";
import { Listeners } from "./listeners";
import { pullSiteEvents } from "./pull";

export type SyncPhase = "idle" | "syncing" | "offline" | "error" | "signed-out";

export interface SyncStatus {
  phase: SyncPhase;
  pending: number;
  rejected: number;
  lastSyncAt?: string;
  /** The last failure's code (network, invalid_token, …) for the badge to explain. */
  lastError?: string;
  /** When the next automatic retry is due after failures (ISO time). */
  retryAt?: string;
}

const INTERVAL_MS = 30_000;
/** How long after a recorded event its upload starts (see nudge). */
export const NUDGE_DELAY_MS = 300;

/** The server needs an event this device no longer has: a state for an administrator, not for retries. */
class SequenceGapError extends Error {
  constructor(readonly mark: number) {
    super(`the server expects event ${mark + 1} of this device, which is no longer on it`);
  }
}

export class SyncLoop {
  private status: SyncStatus = { phase: "idle", pending: 0, rejected: 0 };
  private readonly listeners = new Listeners<[SyncStatus]>();
  private readonly remoteListeners = new Listeners();
  private readonly quarantineListeners = new Listeners();
  private running: Promise<void> | null = null;
  private again = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Failed passes in a row (network, timeout, 5xx); 0 after a good one. */
  private failures = 0;
  /** Events per push, adapted to how quickly pushes come back. */
  private batchSize = INITIAL_PUSH_BATCH;
  private readonly onOnline = () => void this.syncNow();
  private readonly onVisible = () => {
    if (document.visibilityState === "visible") void this.syncNow();
  };

  getStatus = (): SyncStatus => this.status;

  subscribe = this.listeners.add;

  /** Called after a pull stored events of other devices (the station applies them). */
  onRemoteEvents = this.remoteListeners.add;

  /**
   * Called after the server rejected events of this device (they leave the station's state until resubmitted), or
   * after events went back in the queue (set-aside ones among them count again).
   */
  onQuarantineChanged = this.quarantineListeners.add;

  private quarantineChanged(): void {
    this.quarantineListeners.emit();
  }

  start(): void {
    if (this.timer) return;
    // On a page it listens itself; in the sync worker the page forwards these (a worker sees no visibility).
    if (typeof document !== "undefined") {
      window.addEventListener("online", this.onOnline);
      document.addEventListener("visibilitychange", this.onVisible);
    }
    this.timer = setInterval(() => {
      if (this.failures === 0) void this.syncNow();
    }, INTERVAL_MS);
    void this.syncNow();
  }

  stop(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.nudgeTimer);
    this.nudgeTimer = undefined;
    if (!this.timer) return;
    if (typeof document !== "undefined") {
      window.removeEventListener("online", this.onOnline);
      document.removeEventListener("visibilitychange", this.onVisible);
    }
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Recounts pending events (after a local write) without contacting the server. */
  async refreshCounts(): Promise<void> {
    this.update({ pending: await countPending(), rejected: await countRejected() });
  }

  private nudgeTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * A new event was recorded: counted at once, uploaded shortly. The pass waits NUDGE_DELAY_MS so that it does not
   * compete with painting the registration on a slow phone, and a burst of scans goes up in one push.
   */
  /** The page's own loop shares the page's data key (dataKey.ts): an unlock only starts a pass. */
  setDataKey(key: CryptoKey | null): void {
    if (key) void this.syncNow();
  }

  nudge(): void {
    this.update({ pending: this.status.pending + 1 });
    if (this.nudgeTimer !== undefined) return;
    this.nudgeTimer = setTimeout(() => {
      this.nudgeTimer = undefined;
      void this.syncNow();
    }, NUDGE_DELAY_MS);
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
          await this.exclusively(() => this.pass());
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /**
   * Runs the pass holding the app's sync lock, so two tabs never push the same events at once; when another tab holds
   * it, that tab is syncing and this one does nothing. Browsers without Web Locks run the pass directly.
   */
  private async exclusively(pass: () => Promise<void>): Promise<void> {
    const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
    if (!locks) return pass();
    await locks.request("samplepoint-sync", { ifAvailable: true }, async (lock) => {
      if (lock) await pass();
    });
  }

  private async pass(): Promise<void> {
    await this.refreshCounts();
    this.update({ lastSyncAt: await getMeta("lastSyncAt") });
    const session = await loadSession();
    if (!session?.token) {
      this.update({ phase: "signed-out" });
      return;
    }
    // Locked: the events' resident data cannot be read, nor pulled events stored. The next unlock syncs.
    if (!currentDataKey()) {
      this.update({ phase: "idle" });
      return;
    }
    this.update({ phase: "syncing" });
    const deviceId = await getDeviceId();
    try {
      for (;;) {
        const batch = await pendingEvents(this.batchSize);
        if (batch.length === 0) break;
        const started = performance.now();
        const response = await api
          .push(session.token, {
            deviceId,
            events: batch.map((stored) => stored.event),
            pending: this.status.pending,
            deviceTime: new Date().toISOString(),
          })
          .catch((error: unknown) => {
            const failure = error instanceof ApiError ? error.failure : null;
            // A timeout, a 5xx or a body too large: try smaller batches next time.
            if (!failure || failure.kind === "network" || failure.status >= 500 || failure.status === 413) {
              this.batchSize = nextBatchSize(this.batchSize, { ok: false });
            }
            throw error;
          });
        this.batchSize = nextBatchSize(this.batchSize, { ok: true, ms: performance.now() - started });
        if (response.results.length === 0) throw new Error("the server answered the push without results");
        const outcome = outcomeOfPush(batch, response);
        await markSyncResults(outcome.synced, outcome.quarantined);
        if (outcome.quarantined.length > 0) this.quarantineChanged();
        if (outcome.resendAfter !== null) {
          // The server is missing events before these: send again from its mark. If this device no longer has the
          // next one either, pushing on would only repeat the refusal.
          const first = await requeueAfter(outcome.resendAfter);
          this.quarantineChanged();
          if (first !== outcome.resendAfter + 1) throw new SequenceGapError(outcome.resendAfter);
        }
        await this.refreshCounts();
      }
      // Then the other devices' events; the answer also says whether the server still has all of this device's.
      const pulled = await pullSiteEvents(session.token, session.site.code);
      if (pulled.fresh > 0) this.remoteListeners.emit();
      const resendAfter = pulled.mark === null ? null : resendAfterMark(pulled.mark, await highestSettledSeq());
      if (resendAfter !== null) {
        // The server lost events it had confirmed (restored from an older backup): queue them again, next pass.
        await requeueAfter(resendAfter);
        this.quarantineChanged();
        this.again = true;
      }
      // Site configuration (pool size, patterns, phone rule) is refreshed on every sync; open tubes keep their size.
      const site = await api.site(session.token, session.site.code);
      if (JSON.stringify(site) !== JSON.stringify(session.site))
        await saveSession({ ...session, token: session.token, site });
      const now = new Date().toISOString();
      await setMeta("lastSyncAt", now);
      this.failures = 0;
      clearTimeout(this.retryTimer);
      this.update({ phase: "idle", lastSyncAt: now, lastError: undefined, retryAt: undefined });
    } catch (error) {
      await this.fail(error);
    }
  }

  private async fail(error: unknown): Promise<void> {
    if (error instanceof ApiError && error.failure.kind === "http" && error.failure.status === 401) {
      // The token is no longer good: keep every event, ask for the password again.
      await forgetToken();
      this.update({ phase: "signed-out", lastError: error.failure.code });
      return;
    }
    const network = error instanceof ApiError && error.failure.kind === "network";
    const serverFault = error instanceof ApiError && error.failure.kind === "http" && error.failure.status >= 500;
    const code =
      error instanceof ApiError && error.failure.kind === "http"
        ? error.failure.code
        : error instanceof SequenceGapError
          ? "sequence_gap"
          : "unexpected";
    if (network || serverFault) this.scheduleRetry();
    this.update({ phase: network ? "offline" : "error", lastError: network ? "network" : code });
  }

  /** Network errors, timeouts and 5xx: try again after the backoff delay. */
  private scheduleRetry(): void {
    this.failures++;
    const delay = retryDelay(this.failures);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.syncNow(), delay);
    this.update({ retryAt: new Date(Date.now() + delay).toISOString() });
  }

  private update(patch: Partial<SyncStatus>): void {
    const changed = (Object.keys(patch) as (keyof SyncStatus)[]).some((key) => patch[key] !== this.status[key]);
    if (!changed) return;
    this.status = { ...this.status, ...patch };
    this.listeners.emit(this.status);
  }
}

/** The loop on the page's own thread: used where there are no workers (see syncLoop.ts), and by unit tests. */
export const pageSyncLoop = new SyncLoop();
