// Group commit through the real push route and a real store (SQLite, and PostgreSQL with DATABASE_URL): concurrent pushes share transactions, yet each
// gets its own results and mark; a push that makes the database fail fails alone.
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LoginResponse, PushResponse } from "../../domain/protocol";
import { eventStream } from "../../domain/testEvents";
import { DEMO_LOGIN } from "../sites/demo";
import { createSite, createStaff } from "../sites/sites";
import { startTestServer, TEST_STORES, type TestServer } from "../testServer";

let server: TestServer;
afterEach(async () => {
  await server.dispose();
});

async function device(id: string, login: { username: string; password: string } = DEMO_LOGIN, siteCode = "DEMO") {
  const res = await server.app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    payload: { ...login, deviceId: id },
  });
  const session = res.json<LoginResponse>();
  const stream = eventStream(id, siteCode, session.staff.id);
  const push = (events: unknown[]) =>
    server.app.inject({
      method: "POST",
      url: "/api/v1/events/push",
      headers: { authorization: `Bearer ${session.token}` },
      payload: { deviceId: id, events },
    });
  return { stream, push };
}

describe.each(TEST_STORES)("group commit on %s", (kind) => {
  beforeEach(async () => {
    server = await startTestServer({ kind });
  });

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
    if (kind === "sqlite") {
      await sql`CREATE TRIGGER refuse_boom BEFORE INSERT ON tubes WHEN NEW.code = 'BOOM0001'
        BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`.execute(server.store.db);
    } else {
      await sql`CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.code = 'BOOM0001' THEN RAISE EXCEPTION 'refused by test trigger'; END IF; RETURN NEW; END $$`.execute(
        server.store.db,
      );
      await sql`CREATE TRIGGER refuse_boom BEFORE INSERT ON tubes FOR EACH ROW EXECUTE FUNCTION refuse_boom()`.execute(
        server.store.db,
      );
    }
    const [a, b, c] = await Promise.all(["group-a-device", "group-b-device", "group-c-device"].map((id) => device(id)));
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

  it("projects a group of several sites: the same tube code at two sites, and seals of tubes opened earlier", async () => {
    await createSite(server.store.db, { code: "OTHER", name: "Other site", poolSize: 5 });
    const otherLogin = { username: "other-lead", password: "other-password-1" };
    await createStaff(server.store.db, { ...otherLogin, name: "Other", role: "collector", siteCode: "OTHER" });
    const a = await device("group-site-a", DEMO_LOGIN, "DEMO");
    const b = await device("group-site-b", otherLogin, "OTHER");
    // Tube codes are unique within a site only: both sites open SAME0001 in one group.
    const opened = await Promise.all([
      a.push([a.stream.next("tube.opened", { tubeCode: "SAME0001", capacity: 10 })]),
      b.push([b.stream.next("tube.opened", { tubeCode: "SAME0001", capacity: 5 })]),
    ]);
    expect(opened.map((r) => r.json<PushResponse>().results[0]?.status)).toEqual(["accepted", "accepted"]);
    // Sealed in later pushes (the tubes are stored): each seal reaches its own site's tube.
    const sealed = await Promise.all([
      a.push([a.stream.next("tube.sealed", { tubeCode: "SAME0001", count: 3, short: true })]),
      b.push([b.stream.next("tube.sealed", { tubeCode: "SAME0001", count: 5, short: false })]),
    ]);
    expect(sealed.map((r) => r.json<PushResponse>().results[0]?.status)).toEqual(["accepted", "accepted"]);
    const tubes = await server.store.db
      .selectFrom("tubes")
      .select(["site_code", "code", "capacity", "status", "sealed_count", "short"])
      .orderBy("site_code")
      .execute();
    expect(tubes).toEqual([
      { site_code: "DEMO", code: "SAME0001", capacity: 10, status: "sealed", sealed_count: 3, short: 1 },
      { site_code: "OTHER", code: "SAME0001", capacity: 5, status: "sealed", sealed_count: 5, short: 0 },
    ]);
  });

  it("records cross-device conflicts found among the pushes of one group", async () => {
    const [a, b] = await Promise.all(["group-conflict-a", "group-conflict-b"].map((id) => device(id)));
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
