/**
 * Group commit. Pushes that arrive while the store is busy are applied together, one transaction per group, instead
 * of one transaction (and one log flush) each: a group reads what the store knows once and writes its rows together
 * (`applyPushes`), each push with its own results and mark, exactly as one after another. SQLite has one writer, so
 * one group runs at a time; on PostgreSQL a few groups run side by side on the pool (devices' and sites' rows are
 * locked in a fixed order, so groups never wait for each other in a circle). If anything in a group fails, its pushes
 * are applied again one transaction each, so one bad push never fails the others.
 */
import type { Store } from "../db";
import { applyPush, applyPushes, type Checked, checkPush, type PushJob, type PushOutcome } from "./pushBatch";

interface Waiting {
  job: PushJob;
  checked: Checked[];
  resolve: (outcome: PushOutcome) => void;
  reject: (error: unknown) => void;
}

/** Events per group: a group's transaction stays short, so the first push in it does not wait long. */
const MAX_GROUP_EVENTS = 2_000;

export class GroupCommitter {
  private waiting: Waiting[] = [];
  private active = 0;

  constructor(
    private readonly store: Pick<Store, "db" | "dialect">,
    /** Groups applied at the same time. */
    private readonly concurrency = store.dialect === "sqlite" ? 1 : 4,
  ) {}

  push(job: PushJob): Promise<PushOutcome> {
    const checked = checkPush(job);
    return new Promise((resolve, reject) => {
      this.waiting.push({ job, checked, resolve, reject });
      if (this.active < this.concurrency) {
        this.active++;
        // Let pushes that arrive in the same turn of the event loop join the first group.
        setImmediate(() => void this.work());
      }
    });
  }

  private async work(): Promise<void> {
    try {
      while (this.waiting.length > 0) await this.commit(this.nextGroup());
    } finally {
      this.active--;
    }
  }

  private nextGroup(): Waiting[] {
    const group: Waiting[] = [];
    let events = 0;
    while (this.waiting.length > 0) {
      const next = this.waiting[0] as Waiting;
      if (group.length > 0 && events + next.checked.length > MAX_GROUP_EVENTS) break;
      group.push(next);
      events += next.checked.length;
      this.waiting.shift();
    }
    return group;
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
