// Every endpoint fed malformed JSON, wrong types, oversized bodies and injection strings: always a 4xx with a
// machine-readable code, never a 5xx, and nothing stored.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoginResponse } from "../domain/protocol";
import { runCommand } from "./cli/commands";
import { DEMO_LOGIN } from "./sites/demo";
import { startTestServer, TEST_STORES, type TestServer } from "./testServer";

const INJECTIONS = [
  "'; DROP TABLE events; --",
  '" OR 1=1 --',
  "<script>alert(1)</script>",
  "../../../../etc/passwd",
  "%00%27",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell-style probe, meant literally
  "${jndi:ldap://x}",
  "𠮷".repeat(300),
  "\u0000\u0001",
];

const BODIES: [string, string][] = [
  ["malformed JSON", "{nope"],
  ["JSON null", "null"],
  ["JSON array", "[1,2,3]"],
  ["JSON string", '"hello"'],
  ["wrong types", JSON.stringify({ username: 5, password: [], deviceId: {}, events: "x", poolSize: "ten" })],
  ["oversized", JSON.stringify({ padding: "x".repeat(1_100_000) })],
  ...INJECTIONS.map((text): [string, string] => [
    `injection ${JSON.stringify(text).slice(0, 20)}`,
    JSON.stringify({ username: text, password: text, deviceId: text, events: [text], name: text, poolSize: text }),
  ]),
];

describe.each(TEST_STORES)("bad input on %s", (kind) => {
  let server: TestServer;
  let token = "";
  let labToken = "";
  let adminToken = "";
  beforeAll(async () => {
    server = await startTestServer({ kind });
    const ctx = { store: server.store, dataDir: server.dataDir, actor: "test" };
    await runCommand(["add-lab", "LAB01", "检验所"], ctx);
    await runCommand(["add-staff", "lab1", "检验员", "--lab", "LAB01", "--password", "lab-password-1"], ctx);
    labToken = (
      await server.app.inject({
        method: "POST",
        url: "/api/v1/auth/console-login",
        payload: { username: "lab1", password: "lab-password-1" },
      })
    ).json<{ token: string }>().token;
    await runCommand(["add-staff", "city", "市指挥部", "--role", "admin", "--password", "admin-password-1"], ctx);
    adminToken = (
      await server.app.inject({
        method: "POST",
        url: "/api/v1/auth/console-login",
        payload: { username: "city", password: "admin-password-1" },
      })
    ).json<{ token: string }>().token;
    const res = await server.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { ...DEMO_LOGIN, deviceId: "device-bad-input-01" },
    });
    token = res.json<LoginResponse>().token;
  });
  afterAll(async () => {
    await server.dispose();
  });

  const counts = async () => {
    const db = server.store.db;
    const n = async (
      table:
        | "events"
        | "registrations"
        | "sites"
        | "staff"
        | "tubes"
        | "conflicts"
        | "results"
        | "recalls"
        | "box_receipts"
        | "tube_receipts"
        | "labs"
        | "rounds"
        | "export_tickets",
    ) =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return [
      await n("events"),
      await n("registrations"),
      await n("sites"),
      await n("staff"),
      await n("tubes"),
      await n("conflicts"),
      await n("results"),
      await n("recalls"),
      await n("box_receipts"),
      await n("tube_receipts"),
      await n("labs"),
      await n("rounds"),
      await n("export_tickets"),
    ];
  };

  it("answers every endpoint's bad bodies and bad path parameters with 4xx and a code, storing nothing", async () => {
    const before = await counts();
    const endpoints: [string, string, "none" | "station" | "lab" | "admin"][] = [
      ["POST", "/api/v1/auth/login", "none"],
      ["POST", "/api/v1/auth/console-login", "none"],
      ["POST", "/api/v1/events/push", "station"],
      ["PATCH", "/api/v1/sites/DEMO", "station"],
      ["POST", "/api/v1/labs/LAB01/boxes/BOX-1/receive", "lab"],
      ["POST", "/api/v1/labs/LAB01/results", "lab"],
      ["POST", "/api/v1/labs/LAB01/tubes/T1/receive", "lab"],
      ["POST", "/api/v1/recalls/00000000-0000-4000-8000-000000000001/contacted", "station"],
      ["POST", "/api/v1/public/status", "none"],
      ["POST", "/api/v1/lookups", "admin"],
      ["POST", "/api/v1/exports", "admin"],
    ];
    for (const [method, url, as] of endpoints) {
      const bearer = as === "station" ? token : as === "lab" ? labToken : as === "admin" ? adminToken : null;
      for (const [label, payload] of BODIES) {
        for (const contentType of ["application/json", "text/plain"]) {
          const res = await server.app.inject({
            method: method as "POST",
            url,
            payload,
            headers: { "content-type": contentType, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
          });
          const what = `${method} ${url} ${label} as ${contentType}`;
          expect(res.statusCode, what).toBeGreaterThanOrEqual(400);
          expect(res.statusCode, what).toBeLessThan(500);
          expect(typeof res.json().code, what).toBe("string");
        }
      }
    }
    // The command centre's reads: every query parameter, and a download ticket, with each injection.
    for (const text of [...INJECTIONS, "a".repeat(5000)]) {
      for (const key of ["district", "street", "site", "round", "day"]) {
        const res = await server.app.inject({
          method: "GET",
          url: `/api/v1/dashboard?district=x&${key}=${encodeURIComponent(text)}`,
          headers: { authorization: `Bearer ${adminToken}` },
        });
        const what = `GET dashboard ${key}=${text.slice(0, 20)}`;
        expect(res.statusCode, what).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, what).toBeLessThan(500);
        expect(typeof res.json().code, what).toBe("string");
      }
      const ticket = await server.app.inject({
        method: "GET",
        url: `/api/v1/exports/download/${encodeURIComponent(text)}`,
      });
      expect(ticket.statusCode, `ticket ${text.slice(0, 20)}`).toBeGreaterThanOrEqual(400);
      expect(ticket.statusCode, `ticket ${text.slice(0, 20)}`).toBeLessThan(500);
    }
    const reads = ["", "/summary", "/tubes", "/boxes", "/conflicts", "/events"];
    for (const text of [...INJECTIONS, "DEMO/../OTHER", "a".repeat(5000)]) {
      for (const suffix of reads) {
        const res = await server.app.inject({
          method: "GET",
          url: `/api/v1/sites/${encodeURIComponent(text)}${suffix}?code=${encodeURIComponent(text)}`,
          headers: { authorization: `Bearer ${token}` },
        });
        const what = `GET sites/${text.slice(0, 20)}${suffix}`;
        expect(res.statusCode, what).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, what).toBeLessThan(500);
        expect(typeof res.json().code, what).toBe("string");
      }
      const tubes = await server.app.inject({
        method: "GET",
        url: `/api/v1/sites/DEMO/tubes?code=${encodeURIComponent(text)}`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(tubes.statusCode, `tube search ${text.slice(0, 20)}`).toBeLessThan(500);
      // The pull cursor and its event id, injected: refused with 400 and a code.
      for (const query of [`after=${encodeURIComponent(text)}`, `afterId=${encodeURIComponent(text)}`]) {
        const pull = await server.app.inject({
          method: "GET",
          url: `/api/v1/sites/DEMO/events?${query}`,
          headers: { authorization: `Bearer ${token}` },
        });
        expect(pull.statusCode, `pull ${query.slice(0, 30)}`).toBe(400);
        expect(typeof pull.json().code, `pull ${query.slice(0, 30)}`).toBe("string");
      }
    }
    // Lab reads with injected codes in the path and query.
    for (const text of [...INJECTIONS, "a".repeat(5000)]) {
      const code = encodeURIComponent(text);
      for (const url of [
        `/api/v1/labs/${code}/boxes/BOX-1`,
        `/api/v1/labs/LAB01/boxes/${code}`,
        `/api/v1/labs/LAB01/boxes/BOX-1?site=${code}`,
        `/api/v1/labs/LAB01/recalls?tube=${code}`,
        `/api/v1/labs/LAB01/tubes/${code}/timeline?site=DEMO`,
        `/api/v1/sites/${code}/recalls`,
      ]) {
        const res = await server.app.inject({ method: "GET", url, headers: { authorization: `Bearer ${labToken}` } });
        expect(res.statusCode, url.slice(0, 60)).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, url.slice(0, 60)).toBeLessThan(500);
        expect(typeof res.json().code, url.slice(0, 60)).toBe("string");
      }
    }
    // Every text field of the lab operations with a NUL, a control character or a lone surrogate: 4xx with a code.
    for (const text of ["a\u0000b", "a\u0007\u001b[2J", "a\ud800b"]) {
      const cases: [string, string, string, unknown][] = [
        [
          "POST",
          "/api/v1/labs/LAB01/results",
          labToken,
          {
            results: [
              {
                resultId: "r-00000001",
                tubeCode: "T1",
                outcome: "negative",
                resultedAt: new Date().toISOString(),
                reason: text,
              },
            ],
          },
        ],
        [
          "POST",
          "/api/v1/labs/LAB01/results",
          labToken,
          { results: [{ resultId: text, tubeCode: "T1", outcome: "negative", resultedAt: new Date().toISOString() }] },
        ],
        ["POST", "/api/v1/labs/LAB01/boxes/BOX-1/receive", labToken, { scannedTubes: [text] }],
        ["POST", "/api/v1/public/status", "", { docNumber: text, name: "张三" }],
        ["POST", "/api/v1/public/status", "", { docNumber: "110105194912310038", name: text }],
        ["POST", "/api/v1/auth/console-login", "", { username: text, password: "x" }],
        [
          "POST",
          "/api/v1/recalls/00000000-0000-4000-8000-000000000001/contacted",
          token,
          { state: "contacted", note: text },
        ],
      ];
      for (const [method, url, bearer, payload] of cases) {
        const res = await server.app.inject({
          method: method as "POST",
          url,
          payload: payload as object,
          headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
        });
        const what = `${url} ${JSON.stringify(payload).slice(0, 60)}`;
        expect(res.statusCode, what).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, what).toBeLessThan(500);
        expect(typeof res.json().code, what).toBe("string");
      }
    }
    for (const header of ["Bearer", "Bearer ", `Bearer ${"x".repeat(10_000)}`, "Basic abc", INJECTIONS[0] as string]) {
      const res = await server.app.inject({
        method: "GET",
        url: "/api/v1/sites/DEMO/summary",
        headers: { authorization: header },
      });
      expect(res.statusCode, `authorization ${header.slice(0, 20)}`).toBe(401);
    }
    // Control characters inside otherwise valid requests (PostgreSQL refuses NUL in text): refused, not a 500.
    const nul = await server.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { username: "de\u0000mo", password: "x", deviceId: "device-bad-input-01" },
    });
    expect(nul.statusCode).toBe(400);
    const session = await server.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { ...DEMO_LOGIN, deviceId: "device-bad-input-02" },
    });
    const staffId = session.json<LoginResponse>().staff.id;
    const push = await server.app.inject({
      method: "POST",
      url: "/api/v1/events/push",
      headers: { authorization: `Bearer ${session.json<LoginResponse>().token}` },
      payload: {
        deviceId: "device-bad-input-02",
        events: [
          {
            id: "00000000-0000-4000-8000-00000000bad0",
            deviceId: "device-bad-input-02",
            seq: 1,
            staffId,
            siteCode: "DEMO",
            occurredAt: new Date().toISOString(),
            type: "box.handed_over",
            payload: { boxCode: "BOX-1", courierName: "刘\u0000师傅", courierPhone: "13900001111" },
          },
        ],
      },
    });
    expect(push.statusCode).toBe(200);
    expect(push.json().results[0]).toMatchObject({ status: "rejected", code: "invalid_event" });
    expect(await counts()).toEqual(before);
    expect((await server.app.inject({ method: "GET", url: "/api/health" })).statusCode).toBe(200);
  }, 120_000);
});
