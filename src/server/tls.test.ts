// HTTPS served by the server itself (TLS_CERT / TLS_KEY), with a self-signed certificate made by openssl for the test.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildApp } from "./app";
import { readConfig } from "./config";
import { openStore } from "./db";

function selfSigned() {
  const dir = mkdtempSync(path.join(tmpdir(), "samplepoint-tls-"));
  const [cert, key] = [path.join(dir, "cert.pem"), path.join(dir, "key.pem")];
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdio: "ignore" },
  );
  return { dir, cert, key };
}

describe("HTTPS", () => {
  it("serves the API over TLS when TLS_CERT and TLS_KEY are set, verified against the certificate", async () => {
    const files = selfSigned();
    const config = readConfig({ TLS_CERT: files.cert, TLS_KEY: files.key, DATA_DIR: files.dir }, []);
    expect(config.tls).toBeDefined();
    const store = await openStore({ dataDir: files.dir });
    const app = await buildApp({ store, ...(config.tls ? { tls: config.tls } : {}) });
    const base = await app.listen({ port: 0, host: "127.0.0.1" });
    try {
      expect(base.startsWith("https://")).toBe(true);
      const body = await new Promise<{ status: number; json: unknown }>((resolve, reject) => {
        const req = request(`${base}/api/health`, { ca: readFileSync(files.cert), servername: "localhost" }, (res) => {
          let text = "";
          res.on("data", (chunk) => {
            text += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
        });
        req.on("error", reject);
        req.end();
      });
      expect(body).toMatchObject({ status: 200, json: { status: "ok" } });
    } finally {
      await app.close();
      await store.db.destroy();
    }
  });

  it("refuses half a TLS configuration or unreadable files, with a clear message", () => {
    expect(() => readConfig({ TLS_CERT: "/tmp/cert.pem" }, [])).toThrow(/both TLS_CERT and TLS_KEY/);
    expect(() => readConfig({ TLS_CERT: "/nonexistent/cert.pem", TLS_KEY: "/nonexistent/key.pem" }, [])).toThrow(
      /cannot read TLS_CERT/,
    );
    expect(() => readConfig({ DATABASE_URL: "mysql://x" }, [])).toThrow(/postgres:\/\//);
  });
});
