// Two real server processes on one PostgreSQL: exactly-once holds when every batch reaches both at the same time
// (a device retrying against another process of the load balancer while the first is still working).
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SampleEvent } from "../domain/events";
import type { LoginResponse, PushResponse } from "../domain/protocol";
import { eventStream, nextTestUuid } from "../domain/testEvents";
import { openPostgresStore } from "./db/postgres";
import { type ServerProcess, startServerProcess } from "./serverProcess";
import { DEMO_LOGIN } from "./sites/demo";
import { TEST_DATABASE_URL } from "./testServer";

const schema = `sp_test_${randomBytes(6).toString("hex")}`;
const port = 18_300 + Math.floor(Math.random() * 500);
let servers: ServerProcess[] = [];

describe.skipIf(!TEST_DATABASE_URL)("two server processes on one PostgreSQL", () => {
  beforeAll(async () => {
    // One after the other: the first creates the schema, migrates and seeds the demo site.
    for (const [i, name] of ["first", "second"].entries()) {
      servers.push(
        await startServerProcess(port + i, `multi-${name}`, {
          databaseUrl: TEST_DATABASE_URL as string,
          databaseSchema: schema,
        }),
      );
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    servers = [];
    const store = await openPostgresStore({ url: TEST_DATABASE_URL as string, schema });
    await sql`drop schema ${sql.id(schema)} cascade`.execute(store.db);
    await store.db.destroy();
  });

  async function login(server: ServerProcess, deviceId: string) {
    const res = await fetch(`${server.base}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...DEMO_LOGIN, deviceId }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as LoginResponse;
  }

  async function push(server: ServerProcess, token: string, deviceId: string, events: SampleEvent[]) {
    const res = await fetch(`${server.base}/api/v1/events/push`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ deviceId, events }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as PushResponse;
  }

  it("stores every event exactly once when each batch is pushed to both processes at once", async () => {
    const devices = ["device-multi-a", "device-multi-b", "device-multi-c"];
    const sessions = await Promise.all(devices.map((d, i) => login(servers[i % 2] as ServerProcess, d)));
    let registrations = 0;
    const batchesPerDevice = devices.map((deviceId, d) => {
      const stream = eventStream(deviceId, "DEMO", sessions[d]?.staff.id);
      const batches: SampleEvent[][] = [];
      for (let b = 0; b < 12; b++) {
        const tubeCode = `YT${d}${String(b).padStart(7, "0")}`;
        const batch = [stream.next("tube.opened", { tubeCode, capacity: 10 })];
        for (let r = 0; r < 10; r++) {
          registrations++;
          batch.push(
            stream.next("registration.added", {
              registrationId: nextTestUuid(),
              tubeCode,
              resident: {
                name: "居民",
                docType: "PP",
                docNumber: `E${d}${String(b).padStart(2, "0")}${String(r).padStart(5, "0")}`,
              },
            }),
          );
        }
        batch.push(stream.next("tube.sealed", { tubeCode, count: 10, short: false }));
        batches.push(batch);
      }
      return batches;
    });

    const accepted = new Map<string, number>();
    await Promise.all(
      devices.map(async (deviceId, d) => {
        const token = sessions[d]?.token as string;
        for (const batch of batchesPerDevice[d] ?? []) {
          const answers = await Promise.all(servers.map((server) => push(server, token, deviceId, batch)));
          for (const answer of answers) {
            for (const result of answer.results) {
              expect(result, JSON.stringify(result)).toMatchObject({
                status: expect.stringMatching(/^(accepted|duplicate)$/),
              });
              if (result.status === "accepted")
                accepted.set(result.id as string, (accepted.get(result.id as string) ?? 0) + 1);
            }
          }
        }
      }),
    );
    const total = batchesPerDevice.flat(2).length;
    expect(accepted.size).toBe(total);
    expect([...accepted.values()].every((n) => n === 1)).toBe(true);

    const store = await openPostgresStore({ url: TEST_DATABASE_URL as string, schema });
    try {
      const count = async (table: "events" | "registrations") =>
        Number(
          (
            await store.db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<number>().as("n"))
              .where("device_id", "in", devices)
              .executeTakeFirstOrThrow()
          ).n,
        );
      expect(await count("events")).toBe(total);
      expect(await count("registrations")).toBe(registrations);
      const marks = await store.db
        .selectFrom("devices")
        .select(["id", "last_seq"])
        .where("id", "in", devices)
        .execute();
      expect(marks.map((m) => m.last_seq)).toEqual(devices.map(() => 12 * 12));
    } finally {
      await store.db.destroy();
    }
  }, 120_000);

  it("records a resident put in two tubes by two phones of one site pushing to the two processes at once", async () => {
    const devices = ["device-conflict-a", "device-conflict-b"];
    const sessions = await Promise.all(devices.map((d, i) => login(servers[i] as ServerProcess, d)));
    const streams = devices.map((d, i) => eventStream(d, "DEMO", sessions[i]?.staff.id));
    const rounds = 12;
    for (let round = 0; round < rounds; round++) {
      const resident = { name: "居民", docType: "PP" as const, docNumber: `T${String(round).padStart(8, "0")}` };
      // Each phone registers the same resident in its own tube; the two pushes reach different processes together.
      await Promise.all(
        devices.map((deviceId, d) => {
          const stream = streams[d] as ReturnType<typeof eventStream>;
          const tubeCode = `CF${d}${String(round).padStart(7, "0")}`;
          return push(servers[d] as ServerProcess, sessions[d]?.token as string, deviceId, [
            stream.next("tube.opened", { tubeCode, capacity: 10 }),
            stream.next("registration.added", { registrationId: nextTestUuid(), tubeCode, resident }),
          ]);
        }),
      );
    }
    const store = await openPostgresStore({ url: TEST_DATABASE_URL as string, schema });
    try {
      const conflicts = await store.db
        .selectFrom("conflicts")
        .select("subject")
        .where("kind", "=", "resident_in_two_tubes")
        .where("subject", "like", "PP:T%")
        .execute();
      // Every round is one conflict: neither transaction may miss the other's registration.
      expect(conflicts).toHaveLength(rounds);
    } finally {
      await store.db.destroy();
    }
  }, 60_000);
});
