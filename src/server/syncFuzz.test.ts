// Seeded randomized sync test (in the spirit of PouchDB's fuzzy tests): several devices record events, go offline,
// lose responses (as in a page reload mid-push), get batches delivered twice, and the server restarts; at the end
// every device drains its queue and every event must be on the server exactly once, with each device's high-water
// mark at its last event.
// A failure names its seed: FUZZ_SEED=<seed> npx vitest run src/server/syncFuzz.test.ts replays it.
import { describe, expect, it } from "vitest";
import type { SampleEvent } from "../domain/events";
import type { LoginResponse, PushResponse } from "../domain/protocol";
import { eventStream, prng } from "../domain/testEvents";
import { DEMO_LOGIN } from "./sites/demo";
import { startTestServer, type TestServer } from "./testServer";

const SEEDS = process.env.FUZZ_SEED ? [Number(process.env.FUZZ_SEED)] : Array.from({ length: 200 }, (_, i) => i + 1);

/** A device as the app keeps it: its log with a synced flag per event (what IndexedDB holds across reloads). */
interface Device {
  id: string;
  session: LoginResponse;
  stream: ReturnType<typeof eventStream>;
  log: { event: SampleEvent; synced: boolean }[];
  online: boolean;
  tubes: number;
}

async function runSeed(seed: number): Promise<void> {
  const random = prng(seed);
  const chance = (p: number) => random() < p;
  let server: TestServer = await startTestServer();
  try {
    const devices: Device[] = [];
    for (let d = 0; d < 3; d++) {
      const id = `fuzz-${seed}-device-${d}`;
      const res = await server.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { ...DEMO_LOGIN, deviceId: id },
      });
      const session = res.json<LoginResponse>();
      devices.push({ id, session, stream: eventStream(id, "DEMO", session.staff.id), log: [], online: true, tubes: 0 });
    }

    /** One push as the outbox does it: the oldest pending events in order; results applied only if they arrive. */
    const push = async (device: Device, loseResponse: boolean, deliverTwice: boolean) => {
      const pending = device.log.filter((e) => !e.synced).slice(0, 1 + Math.floor(random() * 8));
      if (pending.length === 0) return;
      const payload = { deviceId: device.id, events: pending.map((e) => e.event) };
      const send = () =>
        server.app.inject({
          method: "POST",
          url: "/api/v1/events/push",
          headers: { authorization: `Bearer ${device.session.token}` },
          payload,
        });
      const first = await send();
      const answer = deliverTwice ? await send() : first;
      expect(first.statusCode, `seed ${seed}`).toBe(200);
      expect(answer.statusCode, `seed ${seed}`).toBe(200);
      if (loseResponse) return;
      for (const result of answer.json<PushResponse>().results) {
        expect(result.status, `seed ${seed}: ${JSON.stringify(result)}`).not.toBe("rejected");
        const entry = pending[result.index];
        if (entry) entry.synced = true;
      }
    };

    for (let step = 0; step < 40; step++) {
      const device = devices[Math.floor(random() * devices.length)] as Device;
      const action = random();
      if (action < 0.45) {
        // Record: open a tube, register a few people, seal it.
        const tubeCode = `FZ${String(seed).padStart(4, "0")}${device.id.slice(-1)}${String(device.tubes++).padStart(3, "0")}`;
        device.log.push({ event: device.stream.next("tube.opened", { tubeCode, capacity: 5 }), synced: false });
        const people = 1 + Math.floor(random() * 5);
        for (let r = 0; r < people; r++) {
          device.log.push({
            event: device.stream.next("registration.added", {
              registrationId: crypto.randomUUID(),
              tubeCode,
              resident: {
                name: "居民",
                docType: "PP",
                docNumber: `E${String(Math.floor(random() * 1e8)).padStart(8, "0")}`,
              },
            }),
            synced: false,
          });
        }
        if (chance(0.7)) {
          device.log.push({
            event: device.stream.next("tube.sealed", { tubeCode, count: people, short: people < 5 }),
            synced: false,
          });
        }
      } else if (action < 0.8) {
        if (device.online) await push(device, chance(0.25), chance(0.2));
      } else if (action < 0.9) {
        device.online = !device.online;
      } else {
        // The server restarts (same data); devices keep their tokens. (A page reload changes nothing here: the
        // device's log is its IndexedDB, and a response lost in the reload is the lost-response case above.)
        await server.stop();
        server = await startTestServer({ dataDir: server.dataDir });
      }
    }

    // Everyone back online drains.
    for (const device of devices) {
      device.online = true;
      for (let i = 0; i < 200 && device.log.some((e) => !e.synced); i++) await push(device, false, false);
      expect(
        device.log.every((e) => e.synced),
        `seed ${seed}: ${device.id} drained`,
      ).toBe(true);
    }
    const stored = await server.store.db.selectFrom("events").select(["id", "device_id", "seq"]).execute();
    const sent = devices.flatMap((d) => d.log.map((e) => e.event.id)).sort();
    expect(stored.map((e) => e.id).sort(), `seed ${seed}: every event exactly once`).toEqual(sent);
    const marks = await server.store.db.selectFrom("devices").select(["id", "last_seq"]).execute();
    for (const device of devices) {
      const last = device.log.at(-1)?.event.seq ?? 0;
      expect(marks.find((m) => m.id === device.id)?.last_seq ?? 0, `seed ${seed}: ${device.id} mark`).toBe(last);
    }
    const registrations = await server.store.db.selectFrom("registrations").select("id").execute();
    const registered = devices.flatMap((d) => d.log.filter((e) => e.event.type === "registration.added"));
    expect(registrations.length, `seed ${seed}: registrations projected once`).toBe(registered.length);
  } finally {
    await server.dispose();
  }
}

describe("randomized sync (seeded)", () => {
  it(`converges with every event stored exactly once over ${SEEDS.length} seeds`, async () => {
    for (const seed of SEEDS) await runSeed(seed);
  }, 600_000);
});
