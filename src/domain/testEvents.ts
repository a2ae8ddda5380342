/** Builders of valid events for tests on both sides. */
import type { EventType, PayloadOf, SampleEvent } from "./events";

export interface EventStream {
  next<T extends EventType>(type: T, payload: PayloadOf<T>, overrides?: Partial<SampleEvent>): SampleEvent;
}

/** Deterministic UUID v4-shaped ids, so tests can name events. */
export function testUuid(n: number): string {
  const hex = n.toString(16).padStart(12, "0");
  return `00000000-0000-4000-8000-${hex}`;
}

let uuidCounter = 0;
export const nextTestUuid = (): string => testUuid(++uuidCounter + 0x100000);

export function eventStream(
  deviceId = "device-0001",
  siteCode = "DEMO",
  staffId = "staff-1",
  startSeq = 1,
): EventStream {
  let seq = startSeq;
  return {
    next(type, payload, overrides = {}) {
      const s = seq++;
      return {
        id: nextTestUuid(),
        deviceId,
        seq: s,
        staffId,
        siteCode,
        occurredAt: new Date(Date.UTC(2026, 10, 29, 8, 0, s)).toISOString(),
        type,
        payload,
        ...overrides,
      } as SampleEvent;
    },
  };
}

/** A small seeded PRNG (mulberry32), so a failing case can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random events from three devices over two site days, valid and invalid alike (the projection refuses nothing). */
export function randomEvents(seed: number, count: number): SampleEvent[] {
  const random = prng(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
  const devices = ["device-a", "device-b", "device-c"].map((d) => eventStream(d));
  const tubes = Array.from({ length: 12 }, (_, i) => `TUBE${String(i).padStart(4, "0")}`);
  const boxes = ["BOX01", "BOX02", "BOX03"];
  const registrationIds: string[] = [];
  const events: SampleEvent[] = [];
  for (let i = 0; i < count; i++) {
    const stream = pick(devices);
    // Around China midnight, so counters fall on two days.
    const occurredAt = new Date(Date.UTC(2026, 10, 29, 15, 50) + i * 30_000).toISOString();
    const kind = random();
    let event: SampleEvent;
    if (kind < 0.15) event = stream.next("tube.opened", { tubeCode: pick(tubes), capacity: 5 }, { occurredAt });
    else if (kind < 0.5) {
      const registrationId = testUuid(100_000 + i);
      registrationIds.push(registrationId);
      event = stream.next(
        "registration.added",
        {
          registrationId,
          tubeCode: pick(tubes),
          resident: { name: "居民", docType: "PP", docNumber: `E${Math.floor(random() * 20)}` },
        },
        { occurredAt },
      );
    } else if (kind < 0.6 && registrationIds.length > 0) {
      event = stream.next(
        "registration.voided",
        { registrationId: pick(registrationIds), tubeCode: pick(tubes), reason: "错误" },
        { occurredAt },
      );
    } else if (kind < 0.7) {
      event = stream.next("tube.sealed", { tubeCode: pick(tubes), count: 3, short: true }, { occurredAt });
    } else if (kind < 0.78) {
      event = stream.next(
        "tube.transferred",
        { fromTubeCode: pick(tubes), toTubeCode: pick(tubes), reason: "破损" },
        { occurredAt },
      );
    } else if (kind < 0.84) event = stream.next("box.opened", { boxCode: pick(boxes) }, { occurredAt });
    else if (kind < 0.92) {
      event = stream.next("box.tube_added", { boxCode: pick(boxes), tubeCode: pick(tubes) }, { occurredAt });
    } else if (kind < 0.96) event = stream.next("box.closed", { boxCode: pick(boxes), tubeCount: 1 }, { occurredAt });
    else {
      event = stream.next(
        "box.handed_over",
        { boxCode: pick(boxes), courierName: "王师傅", courierPhone: "13800138000" },
        { occurredAt },
      );
    }
    events.push(event);
  }
  return events;
}
