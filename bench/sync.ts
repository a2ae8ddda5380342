/**
 * npm run bench:sync — simulated devices push their queued events to a real server process over loopback, against
 * SQLite and (when DATABASE_URL is set) PostgreSQL. Prints events/s sustained, push latency p50/p99, lost and
 * duplicated events (counted in the store afterwards), and one device's drain time for 10,000 queued events.
 *
 *   npm run bench:sync -- [--devices 200] [--events 500] [--drain 10000] [--store sqlite|postgres|both] [--json]
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { sql } from "kysely";
import { INITIAL_PUSH_BATCH, nextBatchSize } from "../src/client/sync/batchSize";
import type { SampleEvent } from "../src/domain/events";
import { type LoginResponse, MAX_PUSH_EVENTS, type PushResponse } from "../src/domain/protocol";
import { eventStream } from "../src/domain/testEvents";
import { openStore, type StoreKind } from "../src/server/db";
import { type ServerProcess, startServerProcess } from "../src/server/serverProcess";
import { DEMO_LOGIN } from "../src/server/sites/demo";

const { values: args } = parseArgs({
  options: {
    devices: { type: "string", default: "200" },
    events: { type: "string", default: "500" },
    drain: { type: "string", default: "10000" },
    store: { type: "string", default: "both" },
    port: { type: "string", default: "8291" },
    json: { type: "boolean", default: false },
  },
});
const deviceCount = Number(args.devices);
const eventsPerDevice = Number(args.events);
const drainEvents = Number(args.drain);
const databaseUrl = process.env.DATABASE_URL || undefined;
const stores: StoreKind[] =
  args.store === "both" ? (databaseUrl ? ["sqlite", "postgres"] : ["sqlite"]) : [args.store as StoreKind];
if (stores.includes("postgres") && !databaseUrl) throw new Error("--store postgres needs DATABASE_URL");
if (args.store === "both" && !databaseUrl) console.error("DATABASE_URL is not set: PostgreSQL is NOT measured.");

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0;

/** A device's day: tubes of 10 (opened, 10 registrations, sealed) until `count` events. */
function deviceEvents(deviceId: string, staffId: string, count: number, tag: string): SampleEvent[] {
  const stream = eventStream(deviceId, "DEMO", staffId);
  const events: SampleEvent[] = [];
  for (let tube = 0; events.length < count; tube++) {
    const tubeCode = `${tag}${String(tube).padStart(6, "0")}`;
    events.push(stream.next("tube.opened", { tubeCode, capacity: 10 }));
    for (let r = 0; r < 10 && events.length < count - 1; r++) {
      events.push(
        stream.next("registration.added", {
          registrationId: crypto.randomUUID(),
          tubeCode,
          resident: {
            name: "居民",
            docType: "PP",
            docNumber: `E${randomBytes(4).readUInt32BE() % 100_000_000}`.padEnd(9, "0"),
          },
        }),
      );
    }
    if (events.length < count) events.push(stream.next("tube.sealed", { tubeCode, count: 10, short: false }));
  }
  return events.slice(0, count);
}

async function login(server: ServerProcess, deviceId: string): Promise<LoginResponse> {
  const res = await fetch(`${server.base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...DEMO_LOGIN, deviceId }),
  });
  if (res.status !== 200) throw new Error(`login ${res.status}: ${await res.text()}`);
  return (await res.json()) as LoginResponse;
}

/**
 * Pushes a device's queue in batches as the app does: the batch size adapts to how quickly pushes come back (the
 * app's own rule, `nextBatchSize`); a batch is retried on a network error or 5xx. `fixedBatch` turns adaptation off.
 */
async function drain(
  server: ServerProcess,
  session: LoginResponse,
  deviceId: string,
  events: SampleEvent[],
  fixedBatch: number | null,
  latencies: number[],
): Promise<{ accepted: number; duplicate: number; rejected: number }> {
  const counts = { accepted: 0, duplicate: 0, rejected: 0 };
  let batchSize = fixedBatch ?? INITIAL_PUSH_BATCH;
  for (let i = 0; i < events.length; ) {
    const batch = events.slice(i, i + batchSize);
    const start = performance.now();
    const res = await fetch(`${server.base}/api/v1/events/push`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${session.token}` },
      body: JSON.stringify({ deviceId, events: batch }),
    }).catch(() => null);
    const ms = performance.now() - start;
    latencies.push(ms);
    if (fixedBatch === null)
      batchSize = nextBatchSize(batchSize, res && res.status < 500 ? { ok: true, ms } : { ok: false });
    if (!res || res.status >= 500) continue;
    if (res.status !== 200) throw new Error(`push ${res.status}: ${await res.text()}`);
    for (const result of ((await res.json()) as PushResponse).results) counts[result.status]++;
    i += batch.length;
  }
  return counts;
}

async function runOn(kind: StoreKind, port: number) {
  const schema = kind === "postgres" ? `sp_bench_${randomBytes(5).toString("hex")}` : undefined;
  const server = await startServerProcess(port, `bench-sync-${kind}`, {
    ...(kind === "postgres" ? { databaseUrl, databaseSchema: schema } : {}),
  });
  try {
    console.error(`[${kind}] signing in ${deviceCount} devices`);
    const devices = Array.from({ length: deviceCount }, (_, i) => `bench-device-${String(i).padStart(4, "0")}`);
    const sessions: LoginResponse[] = [];
    for (let i = 0; i < devices.length; i += 8) {
      sessions.push(...(await Promise.all(devices.slice(i, i + 8).map((d) => login(server, d)))));
    }
    const queues = devices.map((d, i) =>
      deviceEvents(d, sessions[i]?.staff.id as string, eventsPerDevice, `B${String(i).padStart(4, "0")}`),
    );
    console.error(`[${kind}] ${deviceCount} devices push ${eventsPerDevice} events each`);
    const latencies: number[] = [];
    const start = performance.now();
    const outcomes = await Promise.all(
      devices.map((d, i) => drain(server, sessions[i] as LoginResponse, d, queues[i] ?? [], null, latencies)),
    );
    const seconds = (performance.now() - start) / 1000;
    const sent = deviceCount * eventsPerDevice;
    const accepted = outcomes.reduce((n, o) => n + o.accepted, 0);
    const rejected = outcomes.reduce((n, o) => n + o.rejected, 0);

    console.error(`[${kind}] one device drains ${drainEvents} queued events`);
    const drainDevice = "bench-drain-device";
    const drainSession = await login(server, drainDevice);
    const drainQueue = deviceEvents(drainDevice, drainSession.staff.id, drainEvents, "DRAIN");
    const drainStart = performance.now();
    await drain(server, drainSession, drainDevice, drainQueue, MAX_PUSH_EVENTS, []);
    const drainMs = performance.now() - drainStart;

    // What the store holds, counted directly: every sent event once, none lost, none twice.
    const store = await openStore({
      dataDir: server.dataDir,
      ...(kind === "postgres" ? { databaseUrl, databaseSchema: schema } : {}),
    });
    const row = await store.db
      .selectFrom("events")
      .select([(eb) => eb.fn.countAll<number>().as("n"), (eb) => eb.fn.count<number>("id").distinct().as("distinct")])
      .where("device_id", "like", "bench-device-%")
      .executeTakeFirstOrThrow();
    if (schema) await sql`drop schema ${sql.id(schema)} cascade`.execute(store.db);
    await store.db.destroy();
    const stored = Number(row.n);
    return {
      store: kind,
      devices: deviceCount,
      eventsPerDevice,
      eventsPerSecond: Math.round(sent / seconds),
      pushP50Ms: Math.round(percentile(latencies, 0.5)),
      pushP99Ms: Math.round(percentile(latencies, 0.99)),
      pushes: latencies.length,
      accepted,
      rejected,
      lost: Math.max(0, sent - stored),
      duplicated: stored - Number(row.distinct) + Math.max(0, stored - sent),
      drainEvents,
      drainMs: Math.round(drainMs),
    };
  } finally {
    await server.stop();
  }
}

const rows = [];
for (const [i, kind] of stores.entries()) rows.push(await runOn(kind, Number(args.port) + i));
if (args.json) console.log(JSON.stringify(rows));
else {
  console.log(
    `sync bench — ${deviceCount} devices × ${eventsPerDevice} events, adaptive batches from ${INITIAL_PUSH_BATCH} (as the app), real server process over loopback`,
  );
  console.log("store      events/s   push p50   push p99   pushes   lost   duplicated   rejected   drain of N");
  for (const r of rows) {
    console.log(
      `${r.store.padEnd(9)} ${String(r.eventsPerSecond).padStart(9)} ${`${r.pushP50Ms} ms`.padStart(10)} ${`${r.pushP99Ms} ms`.padStart(10)} ${String(r.pushes).padStart(8)} ${String(r.lost).padStart(6)} ${String(r.duplicated).padStart(12)} ${String(r.rejected).padStart(10)}   ${r.drainMs} ms for ${r.drainEvents}`,
    );
  }
  console.log("targets: ≥ 10,000 events/s per store, push p99 ≤ 500 ms, lost = duplicated = 0, drain of 10,000 ≤ 5 s");
}
