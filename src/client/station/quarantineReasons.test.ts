// Why the server refused an event, as staff can act on it: the server's own messages (its real validation) mapped to
// the fields staff know, with every code and field having a sentence in both languages.
import { describe, expect, it } from "vitest";
import { EVENT_REJECTIONS } from "../../domain/protocol";
import { checkPush } from "../../server/events/pushBatch";
import { explainRejection } from "./quarantine";

const auth = { deviceId: "device-0001", siteCode: "DEMO", staffId: "staff-1" } as never;

/** The server's message for this (invalid) event, from the server's own check. */
function serverMessage(event: Record<string, unknown>): string {
  const [checked] = checkPush({ auth, rawEvents: [event], now: new Date() });
  if (!checked?.problem) throw new Error("the server accepted the event");
  return checked.problem;
}

const registration = (resident: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: crypto.randomUUID(),
  deviceId: "device-0001",
  seq: 1,
  staffId: "staff-1",
  siteCode: "DEMO",
  occurredAt: new Date().toISOString(),
  type: "registration.added",
  payload: { registrationId: crypto.randomUUID(), tubeCode: "YT00000001", resident },
  ...extra,
});

describe("rejection reasons", () => {
  it("names the fields the server found invalid", () => {
    const name = serverMessage(registration({ name: "钱七\u0000", docType: "PP", docNumber: "E1" }));
    expect(name).toContain("payload.resident.name");
    expect(explainRejection({ code: "invalid_event", message: name })).toEqual({
      code: "invalid_event",
      fields: ["name"],
    });
    const two = serverMessage(registration({ name: "", docType: "PP", docNumber: "E1\u0007", phone: "1\u0000" }));
    expect(explainRejection({ code: "invalid_event", message: two }).fields).toEqual(["name", "docNumber", "phone"]);
    // A document number that fails the check digit: the schema's whole-resident check names the field in JSON.
    const badId = serverMessage(registration({ name: "张三", docType: "ID", docNumber: "110105194912310020" }));
    expect(badId).toContain("invalid resident");
    expect(explainRejection({ code: "invalid_event", message: badId }).fields).toEqual(["docNumber"]);
    const time = serverMessage(
      registration({ name: "张三", docType: "PP", docNumber: "E12345678" }, { occurredAt: "soon" }),
    );
    expect(explainRejection({ code: "invalid_event", message: time }).fields).toEqual(["time"]);
  });

  it("falls back to the code's sentence when no known field is named, and to 'unknown' for a new code", () => {
    expect(explainRejection({ code: "invalid_event", message: "type: Invalid input" })).toEqual({
      code: "invalid_event",
      fields: [],
    });
    for (const code of EVENT_REJECTIONS) {
      expect(explainRejection({ code, message: "payload.resident.name: x" }).code).toBe(code);
    }
    expect(explainRejection({ code: "something_new", message: "" })).toEqual({ code: "unknown", fields: [] });
    expect(explainRejection(undefined)).toEqual({ code: "unknown", fields: [] });
  });
});
