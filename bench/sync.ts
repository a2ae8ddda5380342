/**
 * npm run bench:sync — simulated devices push their queued events to a real server process over loopback, against
 * SQLite and (when DATABASE_URL is set) PostgreSQL. Prints events/s sustained, push latency p50/p99, lost and
 * duplicated events (counted in the store afterwards), and one device's drain time for 10,000 queued events.
 *
 * Devices are spread over sites as in a city (default 4 phones per site: 200 devices at 50 sites); each site has its
 * own pull cursor and counter, so sites do not queue behind one another.
 *
 *   npm run bench:sync -- [--devices 200] [--events 500] [--sites 50] [--drain 10000] [--store sqlite|postgres|both]
 *                         [--rate 10000] [--seconds 10] [--processes 1] [--small] [--port N] [--json]
 * --processes N runs N server processes on the one PostgreSQL, devices spread over them as a load balancer would.
 * --small: 20 devices × 50 events, 1,000 events/s for 2 s, a drain of 1,000 (the CI smoke run; explicit options win).
 * Servers listen on free ports unless --port N (then N, N+10, … per process and +100 per store).
 */
import { randomBytes } from "node:crypto";
import { Agent, request as httpRequest } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { sql } from "kysely";
import { INITIAL_PUSH_BATCH, nextBatchSize } from "../src/client/sync/batchSize";
import type { SampleEvent } from "../src/domain/events";
import { type LoginResponse, MAX_PUSH_EVENTS, type PushResponse } from "../src/domain/protocol";
import { eventStream } from "../src/domain/testEvents";
import { openStore, type StoreKind } from "../src/server/db";
import { type ServerProcess, startServerProcess } from "../src/server/serverProcess";
import { DEMO_LOGIN } from "../src/server/sites/demo";
import { createSite, createStaff } from "../src/server/sites/sites";
import { freePort } from "./freePort";

const { values: args } = parseArgs({
  options: {
    devices: { type: "string" },
    sites: { type: "string" },
    processes: { type: "string", default: "1" },
    rate: { type: "string" },
    seconds: { type: "string" },
    events: { type: "string" },
    drain: { type: "string" },
    store: { type: "string", default: "both" },
    port: { type: "string" },
    small: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const small = args.small;
const deviceCount = Number(args.devices ?? (small ? 20 : 200));
const eventsPerDevice = Number(args.events ?? (small ? 50 : 500));
const drainEvents = Number(args.drain ?? (small ? 1_000 : 10_000));
const targetRate = Number(args.rate ?? (small ? 1_000 : 10_000));
/** Server processes on PostgreSQL (devices spread over them, as by a load balancer); SQLite has one. */
const processCount = Math.max(1, Number(args.processes));
const rateSeconds = Number(args.seconds ?? (small ? 2 : 10));
const siteCount = Math.max(1, Number(args.sites ?? Math.ceil(deviceCount / 4)));
const BENCH_PASSWORD = "bench-password-1";
const siteCodeOf = (i: number) => `BENCH-${String(i % siteCount).padStart(4, "0")}`;
const databaseUrl = process.env.DATABASE_URL || undefined;
const stores: StoreKind[] =
  args.store === "both" ? (databaseUrl ? ["sqlite", "postgres"] : ["sqlite"]) : [args.store as StoreKind];
if (stores.includes("postgres") && !databaseUrl) throw new Error("--store postgres needs DATABASE_URL");
if (args.store === "both" && !databaseUrl) console.error("DATABASE_URL is not set: PostgreSQL is NOT measured.");

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))] ?? 0;

/**
 * The load generator's HTTP client: node:http with kept-alive connections, which costs the shared 2 cores less than
 * fetch per request (the generator runs beside the server it measures). Resolves null on a network error.
 */
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
function post(url: string, token: string, payload: unknown): Promise<{ status: number; body: string } | null> {
  const body = JSON.stringify(payload);
  return new Promise((resolve) => {
    const req = httpRequest(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on("error", () => resolve(null));
      },
    );
    req.on("error", () => resolve(null));
    req.end(body);
  });
}

/** A device's day: tubes of 10 (opened, 10 registrations, sealed) until `count` events. */
function deviceEvents(deviceId: string, siteCode: string, staffId: string, count: number, tag: string): SampleEvent[] {
  const stream = eventStream(deviceId, siteCode, staffId);
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

async function login(
  server: ServerProcess,
  deviceId: string,
  credentials: { username: string; password: string } = DEMO_LOGIN,
): Promise<LoginResponse> {
  const res = await fetch(`${server.base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...credentials, deviceId }),
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
    const res = await post(`${server.base}/api/v1/events/push`, session.token, { deviceId, events: batch });
    const ms = performance.now() - start;
    latencies.push(ms);
    if (fixedBatch === null)
      batchSize = nextBatchSize(batchSize, res && res.status < 500 ? { ok: true, ms } : { ok: false });
    if (!res || res.status >= 500) continue;
    if (res.status !== 200) throw new Error(`push ${res.status}: ${res.body}`);
    for (const result of (JSON.parse(res.body) as PushResponse).results) counts[result.status]++;
    i += batch.length;
  }
  return counts;
}

/**
 * The latency phase: events arrive on each device at a steady rate (together `targetRate` per second), and each device
 * pushes as the app does — whatever has arrived, as soon as its previous push is answered (the app's sync loop runs
 * again when events were recorded during a pass). Push latency is measured at this offered load, not at saturation.
 */
async function atRate(
  serverOf: (device: number) => ServerProcess,
  sessions: LoginResponse[],
  devices: string[],
  queues: SampleEvent[][],
  perDeviceRate: number,
  latencies: number[],
): Promise<void> {
  const start = performance.now();
  await Promise.all(
    devices.map(async (deviceId, d) => {
      const queue = queues[d] ?? [];
      const session = sessions[d] as LoginResponse;
      const server = serverOf(d);
      // Devices' arrivals are out of phase with one another (spread over one arrival interval), so that together
      // they offer the target rate from the start; a wider spread would stretch the window and understate the rate.
      const offset = (d / devices.length) * (1000 / perDeviceRate);
      let sent = 0;
      while (sent < queue.length) {
        const arrived = Math.min(
          queue.length,
          Math.floor(((performance.now() - start - offset) / 1000) * perDeviceRate),
        );
        if (arrived <= sent) {
          await new Promise((r) => setTimeout(r, Math.max(1, 1000 / perDeviceRate)));
          continue;
        }
        const batch = queue.slice(sent, Math.min(arrived, sent + MAX_PUSH_EVENTS));
        const pushStart = performance.now();
        const res = await post(`${server.base}/api/v1/events/push`, session.token, { deviceId, events: batch });
        latencies.push(performance.now() - pushStart);
        if (!res || res.status >= 500) continue;
        if (res.status !== 200) throw new Error(`push ${res.status}: ${res.body}`);
        sent += batch.length;
      }
    }),
  );
}

/** --port N: N + offset; else a free port. */
const serverPort = (offset: number) => (args.port ? Promise.resolve(Number(args.port) + offset) : freePort());

async function runOn(kind: StoreKind, storeIndex: number) {
  const schema = kind === "postgres" ? `sp_bench_${randomBytes(5).toString("hex")}` : undefined;
  const servers: ServerProcess[] = [];
  // One after another: the first migrates the schema, the others find it done.
  for (let k = 0; k < (kind === "postgres" ? processCount : 1); k++) {
    servers.push(
      await startServerProcess(await serverPort(storeIndex * 100 + k * 10), `bench-sync-${kind}-${k}`, {
        ...(kind === "postgres" ? { databaseUrl, databaseSchema: schema } : {}),
      }),
    );
  }
  const server = servers[0] as ServerProcess;
  const serverOf = (device: number) => servers[device % servers.length] as ServerProcess;
  /** Signs in device i as its site's collector on its server, eight at a time. */
  const signInAll = async (ids: string[]): Promise<LoginResponse[]> => {
    const sessions: LoginResponse[] = [];
    for (let i = 0; i < ids.length; i += 8) {
      const slice = ids.slice(i, i + 8);
      sessions.push(
        ...(await Promise.all(
          slice.map((d, j) =>
            login(serverOf(i + j), d, { username: siteCodeOf(i + j).toLowerCase(), password: BENCH_PASSWORD }),
          ),
        )),
      );
    }
    return sessions;
  };
  const store = await openStore({
    dataDir: server.dataDir,
    ...(kind === "postgres" ? { databaseUrl, databaseSchema: schema } : {}),
  });
  try {
    console.error(`[${kind}] ${siteCount} sites; signing in ${deviceCount} devices`);
    for (let i = 0; i < siteCount; i++) {
      const code = siteCodeOf(i);
      await createSite(store.db, { code, name: `Bench ${i}`, poolSize: 10 });
      await createStaff(store.db, {
        username: code.toLowerCase(),
        name: "Bench",
        role: "collector",
        siteCode: code,
        password: BENCH_PASSWORD,
      });
    }
    const devices = Array.from({ length: deviceCount }, (_, i) => `bench-device-${String(i).padStart(4, "0")}`);
    const sessions = await signInAll(devices);
    const queues = devices.map((d, i) =>
      deviceEvents(
        d,
        siteCodeOf(i),
        sessions[i]?.staff.id as string,
        eventsPerDevice,
        `B${String(i).padStart(4, "0")}`,
      ),
    );
    console.error(`[${kind}] ${deviceCount} devices push ${eventsPerDevice} events each`);
    const latencies: number[] = [];
    const start = performance.now();
    const outcomes = await Promise.all(
      devices.map((d, i) => drain(serverOf(i), sessions[i] as LoginResponse, d, queues[i] ?? [], null, latencies)),
    );
    const seconds = (performance.now() - start) / 1000;
    const sent = deviceCount * eventsPerDevice;
    const accepted = outcomes.reduce((n, o) => n + o.accepted, 0);
    const rejected = outcomes.reduce((n, o) => n + o.rejected, 0);

    const perDeviceRate = targetRate / deviceCount;
    console.error(`[${kind}] latency at ${targetRate} events/s offered for ${rateSeconds} s`);
    const rateDevices = devices.map((d) => d.replace("bench-device-", "bench-rate-"));
    const rateSessions = await signInAll(rateDevices);
    const rateQueues = rateDevices.map((d, i) =>
      deviceEvents(
        d,
        siteCodeOf(i),
        rateSessions[i]?.staff.id as string,
        Math.round(perDeviceRate * rateSeconds),
        `R${String(i).padStart(4, "0")}`,
      ),
    );
    const rateLatencies: number[] = [];
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const cpu0 = process.cpuUsage();
    const rateStart = performance.now();
    await atRate(serverOf, rateSessions, rateDevices, rateQueues, perDeviceRate, rateLatencies);
    const rateAchieved = (rateQueues.flat().length / (performance.now() - rateStart)) * 1000;
    lag.disable();
    const cpu = process.cpuUsage(cpu0);
    // The generator shares the cores with the server: show that it is not what limits the rate.
    console.error(
      `[${kind}] load generator: event-loop delay p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms, CPU ${(((cpu.user + cpu.system) / 1000 / (performance.now() - rateStart)) * 100).toFixed(0)}% of one core`,
    );

    console.error(`[${kind}] one device drains ${drainEvents} queued events`);
    const drainDevice = "bench-drain-device";
    const drainSession = await login(server, drainDevice);
    const drainQueue = deviceEvents(drainDevice, "DEMO", drainSession.staff.id, drainEvents, "DRAIN");
    const drainStart = performance.now();
    await drain(server, drainSession, drainDevice, drainQueue, MAX_PUSH_EVENTS, []);
    const drainMs = performance.now() - drainStart;

    // What the store holds, counted directly: every sent event once, none lost, none twice.
    const row = await store.db
      .selectFrom("events")
      .select([(eb) => eb.fn.countAll<number>().as("n"), (eb) => eb.fn.count<number>("id").distinct().as("distinct")])
      .where("device_id", "like", "bench-device-%")
      .executeTakeFirstOrThrow();
    const stored = Number(row.n);
    return {
      store: kind,
      processes: servers.length,
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
      atRate: {
        offered: targetRate,
        achieved: Math.round(rateAchieved),
        pushP50Ms: Math.round(percentile(rateLatencies, 0.5)),
        pushP99Ms: Math.round(percentile(rateLatencies, 0.99)),
        pushes: rateLatencies.length,
      },
    };
  } finally {
    if (schema) await sql`drop schema ${sql.id(schema)} cascade`.execute(store.db);
    await store.db.destroy();
    for (const each of servers) await each.stop();
  }
}

const rows = [];
for (const [i, kind] of stores.entries()) rows.push(await runOn(kind, i));
if (args.json) console.log(JSON.stringify(rows));
else {
  console.log(
    `sync bench — ${deviceCount} devices at ${siteCount} sites × ${eventsPerDevice} events, adaptive batches from ${INITIAL_PUSH_BATCH} (as the app), real server process over loopback`,
  );
  console.log("store         events/s   push p50   push p99   pushes   lost   duplicated   rejected   drain of N");
  for (const r of rows) {
    console.log(
      `${`${r.store}${r.processes > 1 ? ` ×${r.processes}` : ""}`.padEnd(12)} ${String(r.eventsPerSecond).padStart(9)} ${`${r.pushP50Ms} ms`.padStart(10)} ${`${r.pushP99Ms} ms`.padStart(10)} ${String(r.pushes).padStart(8)} ${String(r.lost).padStart(6)} ${String(r.duplicated).padStart(12)} ${String(r.rejected).padStart(10)}   ${r.drainMs} ms for ${r.drainEvents}`,
    );
  }
  console.log(
    `\nat a steady ${targetRate} events/s offered for ${rateSeconds} s (events arriving on each device, pushed as the app does;\nachieved = all events ÷ (the window + the time to answer the last push))`,
  );
  console.log("store         achieved/s   push p50   push p99   pushes");
  for (const r of rows) {
    console.log(
      `${`${r.store}${r.processes > 1 ? ` ×${r.processes}` : ""}`.padEnd(12)} ${String(r.atRate.achieved).padStart(11)} ${`${r.atRate.pushP50Ms} ms`.padStart(10)} ${`${r.atRate.pushP99Ms} ms`.padStart(10)} ${String(r.atRate.pushes).padStart(8)}`,
    );
  }
  if (small) console.log("(--small: a smoke run; the targets below are for the full size)");
  console.log("targets: ≥ 10,000 events/s per store, push p99 ≤ 500 ms, lost = duplicated = 0, drain of 10,000 ≤ 5 s");
}
