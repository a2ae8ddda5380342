/**
 * Exports this device's unsynced events to a file (the escape hatch when the network is down for days). Nothing is
 * changed on the device: the events stay queued, and a later sync is answered "duplicate" for any the server got from
 * the file.
 */
import { buildExportFile, type ExportFile, exportFileName } from "../../domain/exportFile";
import { APP_VERSION } from "../pwa/version";
import { db } from "./db";
import { eventOf } from "./eventLog";
import { getDeviceId } from "./meta";
import { loadSession } from "./session";

export interface QueueExport {
  file: ExportFile;
  fileName: string;
  count: number;
}

export async function exportUnsynced(): Promise<QueueExport> {
  const [deviceId, session] = await Promise.all([getDeviceId(), loadSession()]);
  const pending = await db.events.where("[syncState+seq]").between(["pending", 0], ["pending", Infinity]).toArray();
  const events = await Promise.all(pending.map(eventOf));
  const header = {
    deviceId,
    siteCode: events[0]?.siteCode ?? session?.site.code ?? "",
    exportedAt: new Date().toISOString(),
    appVersion: APP_VERSION,
  };
  return { file: buildExportFile(header, events), fileName: exportFileName(header), count: events.length };
}

/** Hands the file to the browser as a download. */
export function downloadExport(exported: QueueExport): void {
  const blob = new Blob([JSON.stringify(exported.file, null, 1)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = exported.fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has taken the data by the next turn; free the memory a little later.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
