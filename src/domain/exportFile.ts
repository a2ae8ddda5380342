/**
 * The escape hatch's file: a device's unsynced events, exported when the network is down for days and imported on
 * the server by an administrator with the same exactly-once result as a push. The checksum (SHA-256 over the
 * canonical form of the header and every event) catches a file damaged or edited on the way; it is not a signature.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { z } from "zod";
import { canonicalEventJson, DeviceIdSchema, type SampleEvent, SiteCodeSchema } from "./events";

export const EXPORT_FORMAT = "samplepoint-export";
export const EXPORT_FORMAT_VERSION = 1;

export interface ExportHeader {
  deviceId: string;
  siteCode: string;
  exportedAt: string;
  appVersion: string;
}

/** The file as parsed; events are checked one by one on import (as pushed events are), not here. */
export const ExportFileSchema = z
  .object({
    format: z.literal(EXPORT_FORMAT),
    version: z.literal(EXPORT_FORMAT_VERSION),
    deviceId: DeviceIdSchema,
    siteCode: SiteCodeSchema,
    exportedAt: z.iso.datetime({ offset: true }),
    appVersion: z.string().max(100),
    events: z.array(z.unknown()).max(1_000_000),
    checksum: z.string().regex(/^sha256:[0-9a-f]{64}$/, "checksum: sha256:<64 hex digits>"),
  })
  .meta({ id: "ExportFile" });
export type ExportFile = z.infer<typeof ExportFileSchema>;

/** The text the checksum covers: the header fields in a fixed order, then each event in canonical form. */
function checksummedText(header: ExportHeader, eventTexts: string[]): string {
  return [EXPORT_FORMAT, EXPORT_FORMAT_VERSION, header.deviceId, header.siteCode, header.exportedAt, header.appVersion]
    .map(String)
    .concat(eventTexts)
    .join("\n");
}

const sha256Hex = (text: string) => `sha256:${bytesToHex(sha256(utf8ToBytes(text)))}`;

export function buildExportFile(header: ExportHeader, events: SampleEvent[]): ExportFile {
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_FORMAT_VERSION,
    ...header,
    events,
    checksum: sha256Hex(checksummedText(header, events.map(canonicalEventJson))),
  };
}

/**
 * Whether the file's checksum matches its content. Events are taken as they are in the file (canonical JSON of
 * whatever object is there), so any change to any field shows.
 */
export function checksumMatches(file: ExportFile): boolean {
  const texts = file.events.map((event) => canonicalEventJson(event as SampleEvent) ?? "null");
  return sha256Hex(checksummedText(file, texts)) === file.checksum;
}

/** A file name that says whose queue it is and when it was taken. */
export function exportFileName(header: ExportHeader): string {
  const stamp = header.exportedAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `samplepoint-${header.siteCode}-${header.deviceId}-${stamp}.json`;
}
