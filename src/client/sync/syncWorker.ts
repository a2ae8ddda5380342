/**
 * The sync worker: runs the outbox loop (push, pull, site settings) off the page's thread, so that an upload never
 * delays painting the next registration on a slow phone. The page talks to it through syncLoop.ts; the page forwards
 * what only a page sees (shown again, back online).
 */
import { dropDataKey, holdDataKey } from "../data/dataKey";
import { SyncLoop } from "./outbox";
import type { FromSyncWorker, ToSyncWorker } from "./syncWorkerProtocol";

/** The parts of the worker scope used here (the app's TypeScript setup has DOM types, not WebWorker ones). */
declare const self: {
  postMessage(message: FromSyncWorker): void;
  addEventListener(type: "message", listener: (event: MessageEvent<ToSyncWorker>) => void): void;
};

const loop = new SyncLoop();
loop.subscribe((status) => self.postMessage({ type: "status", status }));
loop.onRemoteEvents(() => self.postMessage({ type: "remote" }));
loop.onQuarantineChanged(() => self.postMessage({ type: "quarantine" }));

const answer = (id: number, work: Promise<void>) =>
  work.then(
    () => self.postMessage({ type: "done", id }),
    (error: unknown) => self.postMessage({ type: "done", id, error: String(error) }),
  );

self.addEventListener("message", ({ data }) => {
  switch (data.type) {
    case "start":
      loop.start();
      break;
    case "stop":
      loop.stop();
      break;
    case "nudge":
      loop.nudge();
      break;
    case "syncNow":
      void answer(data.id, loop.syncNow());
      break;
    case "refreshCounts":
      void answer(data.id, loop.refreshCounts());
      break;
    case "dataKey":
      if (data.key) {
        holdDataKey(data.key);
        void loop.syncNow();
      } else dropDataKey();
      break;
  }
});
