// Group commit through the real push route and a real SQLite store: concurrent pushes share transactions, yet each
// gets its own results and mark; a push that makes the database fail fails alone.
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LoginResponse, PushResponse } from "../../domain/protocol";
import { eventStream } from "../../domain/testEvents";
import { DEMO_LOGIN } from "../sites/demo";
import { startTestServer, type TestServer } from "../testServer";

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.dispose();
});

async function device(id: string) {
  const res = await server.app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    payload: { ...DEMO_LOGIN, deviceId: id },
  });
  const session = res.json<LoginResponse>();
  const stream = eventStream(id, "DEMO", session.staff.id);
  const push = (events: unknown[]) =>
    server.app.inject({
      method: "POST",
      url: "/api/v1/events/push",
      headers: { authorization: `Bearer ${session.token}` },
      payload: { deviceId: id, events },
    });
  return { stream, push };
}

describe("group commit", () => {
  it("gives each of many concurrent pushes its own results and mark, a resend in the same group included", async () => {
    const devices = await Promise.all(Array.from({ length: 8 }, (_, i) => device(`group-device-${i}`)));
    const batches = devices.map((d, i) =>
      Array.from({ length: 5 }, (_, n) => d.stream.next("tube.opened", { tubeCode: `GC${i}${n}000000`, capacity: 10 })),
    );
    // Every device's batch twice, all at once: one copy is accepted, the other answered as duplicates.
    const answers = await Promise.all(devices.flatMap((d, i) => [d.push(batches[i] ?? []), d.push(batches[i] ?? [])]));
    for (const [i] of devices.entries()) {
      const pair = [answers[2 * i], answers[2 * i + 1]].map((a) => a?.json<PushResponse>());
      const statuses = pair.map((p) => [...new Set(p?.results.map((r) => r.status))].join());
      expect(statuses.sort()).toEqual(["accepted", "duplicate"]);
      expect(pair.map((p) => p?.mark)).toEqual([5, 5]);
    }
    const stored = await server.store.db.selectFrom("events").select("id").execute();
    expect(stored).toHaveLength(40);
    const numbers = await server.store.db.selectFrom("events").select("site_seq").orderBy("site_seq").execute();
    expect(numbers.map((n) => Number(n.site_seq))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it("applies the others when one push in a group makes the database fail, and that one fails alone", async () => {
    // A real failure inside the store: a trigger refuses one tube code.
    await sql`CREATE TRIGGER refuse_boom BEFORE INSERT ON tubes WHEN NEW.code = 'BOOM0001'
      BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`.execute(server.store.db);
    const [a, b, c] = await Promise.all(["group-a-device", "group-b-device", "group-c-device"].map(device));
    if (!a || !b || !c) throw new Error("devices");
    const answers = await Promise.all([
      a.push([a.stream.next("tube.opened", { tubeCode: "GOOD0001", capacity: 10 })]),
      b.push([b.stream.next("tube.opened", { tubeCode: "BOOM0001", capacity: 10 })]),
      c.push([c.stream.next("tube.opened", { tubeCode: "GOOD0002", capacity: 10 })]),
    ]);
    expect(answers.map((r) => r.statusCode)).toEqual([200, 500, 200]);
    const tubes = await server.store.db.selectFrom("tubes").select("code").orderBy("code").execute();
    expect(tubes.map((t) => t.code)).toEqual(["GOOD0001", "GOOD0002"]);
    const marks = await server.store.db.selectFrom("devices").select(["id", "last_seq"]).orderBy("id").execute();
    expect(marks.map((m) => [m.id, Number(m.last_seq)])).toEqual([
      ["group-a-device", 1],
      ["group-b-device", 0],
      ["group-c-device", 1],
    ]);
  });

  it("records cross-device conflicts found among the pushes of one group", async () => {
    const [a, b] = await Promise.all(["group-conflict-a", "group-conflict-b"].map(device));
    if (!a || !b) throw new Error("devices");
    const resident = { name: "郑一", docType: "PP" as const, docNumber: "E12121212" };
    const batch = (d: typeof a, tubeCode: string) => [
      d.stream.next("tube.opened", { tubeCode, capacity: 10 }),
      d.stream.next("registration.added", { registrationId: crypto.randomUUID(), tubeCode, resident }),
    ];
    const answers = await Promise.all([a.push(batch(a, "CONFA001")), b.push(batch(b, "CONFB001"))]);
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200]);
    const rows = await server.store.db.selectFrom("conflicts").select(["site_code", "kind", "detail"]).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ site_code: "DEMO", kind: "resident_in_two_tubes" });
    expect(JSON.parse(rows[0]?.detail ?? "{}").tubes.sort()).toEqual(["CONFA001", "CONFB001"]);
  });
});
