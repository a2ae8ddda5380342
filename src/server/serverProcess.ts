/**
 * Starts the real sync server as its own process (Node with tsx's loader, in its own process group) and waits until
 * it answers: for benchmarks and for tests that need real processes (several servers on one PostgreSQL, kills).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface ServerProcessOptions {
  /** postgres://… to run on PostgreSQL; by default the embedded SQLite store, whatever DATABASE_URL says. */
  databaseUrl?: string;
  /** PostgreSQL schema (default public). */
  databaseSchema?: string;
  /** SQLite data directory; a fresh temporary one by default. */
  dataDir?: string;
  /** Extra environment. */
  env?: Record<string, string>;
}

export interface ServerProcess {
  base: string;
  child: ChildProcess;
  dataDir: string;
  /** SIGTERM (graceful) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: the process dies at once, mid-request if need be. */
  kill(): Promise<void>;
}

export async function startServerProcess(
  port: number,
  name: string,
  options: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const base = `http://127.0.0.1:${port}`;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), `${name}-`));
  // SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server of a benchmark.
  const nodeArgs = (process.env.SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "src/server/server.ts"], {
    detached: true,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      DATABASE_URL: options.databaseUrl ?? "",
      DATABASE_SCHEMA: options.databaseSchema ?? "",
      ...options.env,
    },
    // Not stdout: a server left holding the caller's pipe would keep `… | tail` waiting.
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, name);
      } catch {
        // already gone
      }
      await exited;
    }
  };
  const stopNow = () => {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  process.on("exit", stopNow);
  const server: ServerProcess = { base, child, dataDir, stop: () => signal("SIGTERM"), kill: () => signal("SIGKILL") };
  for (let i = 0; i < 120; i++) {
    if (child.exitCode !== null) break;
    const up = await fetch(`${base}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return server;
    await new Promise((r) => setTimeout(r, 250));
  }
  await server.kill();
  throw new Error(`the server did not start on port ${port}`);
}
