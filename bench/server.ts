/** Starts the real sync server (production build, fresh data directory) for a benchmark and waits until it answers. */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export async function startBenchServer(port: number, name: string): Promise<{ base: string; stop(): void }> {
  const base = `http://127.0.0.1:${port}`;
  // Node itself with tsx's loader (not npx), in its own process group, so that stopping it stops the server itself.
  const server = spawn(process.execPath, ["--import", "tsx", "src/server/server.ts"], {
    detached: true,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: mkdtempSync(path.join(tmpdir(), `${name}-`)),
      LOG_LEVEL: "warn",
    },
    // Not stdout: a server left holding the caller's pipe would keep `… | tail` waiting.
    stdio: ["ignore", "ignore", "inherit"],
  });
  const stop = () => {
    if (server.exitCode === null && server.pid !== undefined) process.kill(-server.pid, "SIGTERM");
  };
  process.on("exit", stop);
  for (let i = 0; i < 120; i++) {
    const up = await fetch(`${base}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { base, stop };
    await new Promise((r) => setTimeout(r, 500));
  }
  stop();
  throw new Error(`the server did not start on port ${port}`);
}
