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
