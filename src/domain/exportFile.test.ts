import { describe, expect, it } from "vitest";
import { buildExportFile, checksumMatches, ExportFileSchema, exportFileName } from "./exportFile";
import { eventStream } from "./testEvents";

const header = {
  deviceId: "device-export-1",
  siteCode: "DEMO",
  exportedAt: "2026-11-29T08:30:00.000Z",
  appVersion: "0.1.0+test",
};

function sampleFile() {
  const stream = eventStream(header.deviceId, header.siteCode, "staff-1");
  const events = [
    stream.next("tube.opened", { tubeCode: "EXP00001", capacity: 10 }),
    stream.next("registration.added", {
      registrationId: "00000000-0000-4000-8000-00000000e001",
      tubeCode: "EXP00001",
      resident: { name: "郑一", docType: "PP", docNumber: "E12121212" },
    }),
  ];
  return buildExportFile(header, events);
}

describe("export file", () => {
  it("is valid by its schema and its checksum, also after a round trip through JSON text", () => {
    const file = JSON.parse(JSON.stringify(sampleFile()));
    const parsed = ExportFileSchema.parse(file);
    expect(checksumMatches(parsed)).toBe(true);
    expect(parsed.checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("keeps its checksum whatever the key order, and loses it when any event or header field changes", () => {
    const file = sampleFile();
    // Keys in another order: the same content.
    const reordered = {
      ...file,
      events: file.events.map((e) => Object.fromEntries(Object.entries(e as object).reverse())),
    };
    expect(checksumMatches(reordered)).toBe(true);
    const name = { ...file, events: structuredClone(file.events) };
    (name.events[1] as { payload: { resident: { name: string } } }).payload.resident.name = "郑二";
    expect(checksumMatches(name)).toBe(false);
    expect(checksumMatches({ ...file, events: file.events.slice(1) })).toBe(false);
    expect(checksumMatches({ ...file, siteCode: "OTHER" })).toBe(false);
    expect(checksumMatches({ ...file, deviceId: "device-export-2" })).toBe(false);
  });

  it("names the file by site, device and time", () => {
    expect(exportFileName(header)).toBe("samplepoint-DEMO-device-export-1-20261129T083000Z.json");
  });
});
