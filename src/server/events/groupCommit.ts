/**
 * Group commit for the SQLite store. SQLite has one writer, so concurrent pushes queue for it anyway; instead of one
 * transaction (and one fsync of the write-ahead log) per push, the pushes waiting when the writer comes free are
 * applied together in one transaction — each exactly as it would be alone (a device's mark is read and written in
 * the same transaction, so two pushes of one device in a group follow each other). If anything in a group fails, its
 * pushes are applied again one transaction each, so one bad push never fails the others.
 */
import type { Store } from "../db";
import { applyPush, type Checked, checkPush, type PushJob, type PushOutcome } from "./pushBatch";

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
  private running = false;

  constructor(private readonly store: Pick<Store, "db" | "dialect">) {}

  push(job: PushJob): Promise<PushOutcome> {
    const checked = checkPush(job);
    return new Promise((resolve, reject) => {
      this.waiting.push({ job, checked, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Let pushes that arrive in the same turn of the event loop join the first group.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const group: Waiting[] = [];
        let events = 0;
        while (
          this.waiting.length > 0 &&
          (group.length === 0 || events + (this.waiting[0]?.checked.length ?? 0) <= MAX_GROUP_EVENTS)
        ) {
          const next = this.waiting.shift() as Waiting;
          group.push(next);
          events += next.checked.length;
        }
        await this.commit(group);
      }
    } finally {
      this.running = false;
    }
  }

  private async commit(group: Waiting[]): Promise<void> {
    const { db, dialect } = this.store;
    try {
      const outcomes = await db.transaction().execute(async (trx) => {
        const done: PushOutcome[] = [];
        for (const { job, checked } of group) done.push(await applyPush(trx, dialect, job, checked));
        return done;
      });
      group.forEach((waiting, i) => waiting.resolve(outcomes[i] as PushOutcome));
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
