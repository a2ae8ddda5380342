// Security hardening, on both stores: bodies too deep or carrying unstorable text are refused before any work, raw
// malformed HTTP gets our JSON error, imports are checked whole before anything is written, sign-out ends the token,
// and every answer carries the security headers.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildExportFile } from "../domain/exportFile";
import type { LoginResponse } from "../domain/protocol";
import { textProblem } from "../domain/safeText";
import { eventStream } from "../domain/testEvents";
import { DEMO_LOGIN } from "./sites/demo";
import { createStaff } from "./sites/sites";
import { startTestServer, TEST_STORES, type TestServer } from "./testServer";

const ADMIN = { username: "security-admin", password: "admin-password-1" };

/** Nested arrays `depth` deep around a value, as JSON text. */
const bomb = (depth: number, inner = "1") => `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`;

describe.each(TEST_STORES)("security on %s", (kind) => {
  let server: TestServer;
  let collector: LoginResponse;
  let admin: LoginResponse;
  beforeAll(async () => {
    server = await startTestServer({ kind });
    await createStaff(server.store.db, { ...ADMIN, name: "区指挥部", role: "admin", siteCode: "DEMO" });
    const login = async (credentials: { username: string; password: string }, deviceId: string) =>
      (
        await server.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { ...credentials, deviceId } })
      ).json<LoginResponse>();
    collector = await login(DEMO_LOGIN, "device-security-01");
    admin = await login(ADMIN, "device-security-admin");
  });
  afterAll(async () => {
    await server.dispose();
  });

  const rowCounts = async () => {
    const n = async (table: "events" | "sites" | "staff" | "devices" | "tubes") =>
      Number(
        (
          await server.store.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return [await n("events"), await n("sites"), await n("staff"), await n("devices"), await n("tubes")];
  };
  const send = (method: "POST" | "PATCH", url: string, payload: string, token?: string) =>
    server.app.inject({
      method,
      url,
      payload,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  const endpoints = () =>
    [
      ["POST", "/api/v1/auth/login", undefined],
      ["POST", "/api/v1/events/push", collector.token],
      ["PATCH", "/api/v1/sites/DEMO", admin.token],
      ["POST", "/api/v1/admin/import", admin.token],
      ["POST", "/api/v1/auth/logout", collector.token],
    ] as const;

  it("refuses depth bombs on every body with 400 too_deep, before any recursive work, storing nothing", async () => {
    const before = await rowCounts();
    for (const [method, url, token] of endpoints()) {
      for (const depth of [40, 3_500, 200_000]) {
        const bodies = [bomb(depth), `{"events":[${bomb(depth)}],"deviceId":"x"}`];
        for (const body of bodies) {
          const res = await send(method, url, body, token);
          expect(res.statusCode, `${url} depth ${depth}`).toBe(400);
          expect(res.json().code, `${url} depth ${depth}`).toBe("too_deep");
        }
      }
    }
    expect(await rowCounts()).toEqual(before);
  });

  it("refuses NUL, control characters and lone surrogates in every text field with 400 bad_text", async () => {
    const before = await rowCounts();
    const bad = ["a\u0000b", "\u0007\u001b[2J", "two\nlines", "x\ud800", "\u0085"];
    for (const text of bad) {
      const cases: [string, "POST" | "PATCH", string, unknown, string | undefined][] = [
        ["site name", "PATCH", "/api/v1/sites/DEMO", { name: text }, admin.token],
        ["username", "POST", "/api/v1/auth/login", { username: text, password: "x", deviceId: "d-1" }, undefined],
        ["device id", "POST", "/api/v1/auth/login", { ...DEMO_LOGIN, deviceId: text }, undefined],
        ["push device id", "POST", "/api/v1/events/push", { deviceId: text, events: [] }, collector.token],
        ["a key", "PATCH", "/api/v1/sites/DEMO", { [`name${text}`]: "x" }, admin.token],
      ];
      for (const [label, method, url, payload, token] of cases) {
        const res = await send(method, url, JSON.stringify(payload), token);
        expect(res.statusCode, `${label} ${JSON.stringify(text)}`).toBe(400);
        expect(res.json().code, `${label} ${JSON.stringify(text)}`).toBe("bad_text");
      }
    }
    // An event with such text in a push is rejected on its own (the device sets it aside), never a 5xx.
    const stream = eventStream("device-security-01", "DEMO", collector.staff.id);
    const event = stream.next("box.handed_over", {
      boxCode: "BOX-1",
      courierName: "刘\u0000师傅",
      courierPhone: "13900001111",
    });
    const push = await send(
      "POST",
      "/api/v1/events/push",
      JSON.stringify({ deviceId: "device-security-01", events: [event] }),
      collector.token,
    );
    expect(push.statusCode).toBe(200);
    expect(push.json().results[0]).toMatchObject({ status: "rejected", code: "invalid_event" });
    const site = await server.store.db.selectFrom("sites").select("name").where("code", "=", "DEMO").executeTakeFirst();
    expect(textProblem(site?.name ?? "")).toBeNull();
    expect((await rowCounts()).slice(1)).toEqual(before.slice(1));
  });

  it("checks a whole import before writing anything: a bad staff id (NUL, 100,000 characters, unknown) changes nothing", async () => {
    const before = await rowCounts();
    const stream = eventStream("device-imported-01", "DEMO", collector.staff.id);
    for (const staffId of ["a\u0000b", "s".repeat(100_000), "staff-nobody"]) {
      const events = [stream.next("tube.opened", { tubeCode: "TUBE7001", capacity: 10 }, { staffId })];
      const file = buildExportFile(
        { deviceId: "device-imported-01", siteCode: "DEMO", exportedAt: new Date().toISOString(), appVersion: "test" },
        events,
      );
      const res = await send("POST", "/api/v1/admin/import", JSON.stringify(file), admin.token);
      expect(res.statusCode, staffId.slice(0, 12)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, staffId.slice(0, 12)).toBeLessThan(500);
      expect(["bad_text", "invalid_event", "unknown_staff", "invalid_export"]).toContain(res.json().code);
    }
    expect(await rowCounts()).toEqual(before);
  });

  it("answers malformed HTTP on a raw socket with 4xx JSON { code, message }", async () => {
    const address = await server.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = new URL(address);
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), "127.0.0.1");
        let answer = "";
        socket.on("data", (chunk) => {
          answer += chunk.toString("latin1");
        });
        socket.on("end", () => resolve(answer));
        socket.on("close", () => resolve(answer));
        socket.on("error", reject);
        socket.write(request);
      });
    const requests = [
      "GARBAGE\r\n\r\n",
      "GET / HTTP/1.1\nHost: x\n\n",
      "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
      `GET /${"a".repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(70_000)}\r\n\r\n`,
    ];
    for (const request of requests) {
      const answer = await raw(request);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
      expect(status, request.slice(0, 40)).toBeGreaterThanOrEqual(400);
      expect(status, request.slice(0, 40)).toBeLessThan(500);
      const body = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as { code?: unknown; message?: unknown };
      expect(typeof body.code, request.slice(0, 40)).toBe("string");
      expect(typeof body.message, request.slice(0, 40)).toBe("string");
    }
  });

  it("sends the security headers on API answers, errors included", async () => {
    for (const res of [
      await server.app.inject({ method: "GET", url: "/api/health" }),
      await server.app.inject({ method: "GET", url: "/api/v1/nowhere" }),
      await send("POST", "/api/v1/auth/login", "{bad"),
    ]) {
      const csp = String(res.headers["content-security-policy"]);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
      expect(res.headers["permissions-policy"]).toContain("camera=(self)");
      // Plain HTTP here: no HSTS (it would pin a LAN deployment without TLS).
      expect(res.headers["strict-transport-security"]).toBeUndefined();
    }
  });

  it("ends a token at sign-out: later requests with it get 401 token_revoked", async () => {
    const session = (
      await server.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { ...DEMO_LOGIN, deviceId: "device-security-logout" },
      })
    ).json<LoginResponse>();
    const summary = () =>
      server.app.inject({
        method: "GET",
        url: "/api/v1/sites/DEMO/events?after=0",
        headers: { authorization: `Bearer ${session.token}` },
      });
    expect((await summary()).statusCode).toBe(200);
    const out = await server.app.inject({
      method: "POST",
      url: "/api/v1/auth/logout",
      headers: { authorization: `Bearer ${session.token}` },
    });
    expect(out.statusCode).toBe(200);
    const after = await summary();
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe("token_revoked");
  });
});
