/** In-process server on a temporary SQLite file, for integration tests. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type App, buildApp } from "./app";
import { openStore, type Store } from "./db";
import { seedDemoIfEmpty } from "./sites/demo";

export interface TestServer {
  app: App;
  store: Store;
  dataDir: string;
  /** Closes the app and the store but keeps the data directory (to test restarts). */
  stop(): Promise<void>;
  /** Stops and removes the data directory. */
  dispose(): Promise<void>;
}

export async function startTestServer(
  dataDir = mkdtempSync(path.join(tmpdir(), "samplepoint-test-")),
): Promise<TestServer> {
  const store = await openStore({ dataDir });
  await seedDemoIfEmpty(store.db);
  const app = await buildApp({ store });
  await app.ready();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.close();
    await store.db.destroy();
  };
  return {
    app,
    store,
    dataDir,
    stop,
    async dispose() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
