/**
 * Pull: brings the site's other devices' events into the remote table, page by page from the saved cursor, so that
 * this phone sees their tubes, duplicates and counters. Returns the server's mark for this device (for the outbox's
 * check that the server still holds every event it confirmed) and how many events were new.
 */
import type { SampleEvent } from "../../domain/events";
import { pullCursor, storePulledPage } from "../data/remoteEvents";
import { api } from "./api";

const MAX_PAGES_PER_PASS = 200;

export interface PullOutcome {
  /** The server's mark for this device; null when the backlog was too long to finish in this pass. */
  mark: number | null;
  /** Events new to this device. */
  fresh: number;
}

export async function pullSiteEvents(token: string, siteCode: string): Promise<PullOutcome> {
  // The schemas load with the first pull, not with the app's first screen.
  const { SampleEventSchema } = await import("../../domain/events");
  let cursor = await pullCursor(siteCode);
  let fresh = 0;
  for (let page = 0; page < MAX_PAGES_PER_PASS; page++) {
    const response = await api.pull(token, siteCode, cursor.after, cursor.afterId);
    cursor = { siteCode, after: response.cursor, afterId: response.cursorId };
    // Checked again here: what goes into the station's state must be well-formed, whatever the server sent.
    const events = response.events.flatMap((raw): SampleEvent[] => {
      const parsed = SampleEventSchema.safeParse(raw);
      return parsed.success && parsed.data.siteCode === siteCode ? [parsed.data] : [];
    });
    fresh += await storePulledPage(events, cursor);
    if (!response.more) return { mark: response.mark, fresh };
  }
  // A long backlog (a new phone joining a busy site): the rest comes with the next pass.
  return { mark: null, fresh };
}
