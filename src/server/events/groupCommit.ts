/**
 * Group commit. Pushes that arrive while the store is busy are applied together, one transaction per group, instead
 * of one transaction (and one log flush) each: a group reads what the store knows once and writes its rows together
 * (`applyPushes`), each push with its own results and mark, exactly as one after another. SQLite has one writer, so
 * one group runs at a time. PostgreSQL runs a few groups side by side, in lanes by site: a site's pushes always go to
 * the same lane, so concurrent groups of this process touch disjoint sites and never wait for each other's site
 * locks (which make a site's transactions see each other: conflict checks, pull order). If anything in a group fails,
 * its pushes are applied again one transaction each, so one bad push never fails the others.
 */
import type { Store } from "../db";
import { applyPush, applyPushes, type Checked, checkPush, type PushJob, type PushOutcome } from "./pushBatch";

interface Waiting {
  job: PushJob;
  checked: Checked[];
  resolve: (outcome: PushOutcome) => void;
  reject: (error: unknown) => void;
}

interface Lane {
  waiting: Waiting[];
  active: boolean;
}

/** Events per group: a group's transaction stays short, so the first push in it does not wait long. */
const MAX_GROUP_EVENTS = 4_000;

/** FNV-1a: a site's lane, stable across processes and restarts. */
function laneOf(siteCode: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < siteCode.length; i++) hash = Math.imul(hash ^ siteCode.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % lanes;
}

export class GroupCommitter {
  private readonly lanes: Lane[];

  constructor(
    private readonly store: Pick<Store, "db" | "dialect">,
    /** Groups applied at the same time. */
    concurrency = store.dialect === "sqlite" ? 1 : 4,
  ) {
    this.lanes = Array.from({ length: concurrency }, () => ({ waiting: [], active: false }));
  }

  push(job: PushJob): Promise<PushOutcome> {
    const checked = checkPush(job);
    const lane = this.lanes[laneOf(job.auth.siteCode, this.lanes.length)] as Lane;
    return new Promise((resolve, reject) => {
      lane.waiting.push({ job, checked, resolve, reject });
      if (!lane.active) {
        lane.active = true;
        // Let pushes that arrive in the same turn of the event loop join the first group.
        setImmediate(() => void this.work(lane));
      }
    });
  }

  private async work(lane: Lane): Promise<void> {
    try {
      while (lane.waiting.length > 0) await this.commit(nextGroup(lane));
    } finally {
      lane.active = false;
    }
  }

  private async commit(group: Waiting[]): Promise<void> {
    const { db, dialect } = this.store;
    try {
      const outcomes = await db.transaction().execute((trx) => applyPushes(trx, dialect, group));
      for (const [i, waiting] of group.entries()) waiting.resolve(outcomes[i] as PushOutcome);
    } catch (error) {
      if (group.length === 1) {
        group[0]?.reject(error);
        return;
      }
      for (const waiting of group) {
        try {
          waiting.resolve(
            await db.transaction().execute((trx) => applyPush(trx, dialect, waiting.job, waiting.checked)),
          );
        } catch (alone) {
          waiting.reject(alone);
        }
      }
    }
  }
}

function nextGroup(lane: Lane): Waiting[] {
  const group: Waiting[] = [];
  let events = 0;
  while (lane.waiting.length > 0) {
    const next = lane.waiting[0] as Waiting;
    if (group.length > 0 && events + next.checked.length > MAX_GROUP_EVENTS) break;
    group.push(next);
    events += next.checked.length;
    lane.waiting.shift();
  }
  return group;
}
