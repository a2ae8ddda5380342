/**
 * A site lead changes the site's settings (name, pool size, phone rule) from the settings screen: checked here before
 * anything is sent, sent through the API client, and on success taken by this device at once (its session's site
 * configuration; the station takes new tubes at the new size, open tubes keep theirs). Other devices pick the change
 * up on their next sync.
 */
import type { PoolSize } from "../../domain/events";
import type { SiteConfig, SiteSettings } from "../../domain/protocol";
import { err, ok, type Result } from "../../domain/result";
import { retentionDaysOf } from "../../domain/retention";
import { loadSession, updateSessionSite } from "../data/session";
import { ApiError, type ApiFailure, api } from "./api";
import { syncLoop } from "./syncLoop";

/** Matches the server's limit (SiteSettingsSchema). */
export const SITE_NAME_MAX = 64;
/** The roles the server lets change site settings (PATCH /api/v1/sites/{code}). */
export const SITE_SETTINGS_ROLES: readonly string[] = ["site_lead", "admin"];

export interface SiteSettingsForm {
  name: string;
  poolSize: PoolSize;
  phoneRequired: boolean;
  /** Days phones keep synced records after their box was handed over (1–30). */
  retentionDays: number;
}

/** Why a change was not made: the form's own checks, then what the server or the network said. */
export type SiteSettingsProblem =
  | "name_empty"
  | "name_too_long"
  | "name_bad_characters"
  | "unchanged"
  | "offline"
  | "signed_out"
  | "forbidden_role"
  | "wrong_site"
  | "unknown_site"
  | "refused"
  | "server";

export type SiteSettingsOutcome = Result<SiteConfig, { problem: SiteSettingsProblem; code?: string }>;

const CONTROL_CHARACTER = /\p{Cc}/u;

/** The changes the form makes to the current settings, or why it cannot be sent. */
export function siteSettingsChanges(
  current: SiteConfig,
  form: SiteSettingsForm,
): Result<SiteSettings, SiteSettingsProblem> {
  const name = form.name.trim();
  if (name === "") return err("name_empty");
  if (name.length > SITE_NAME_MAX) return err("name_too_long");
  if (CONTROL_CHARACTER.test(name)) return err("name_bad_characters");
  const changes: SiteSettings = {
    ...(name !== current.name ? { name } : {}),
    ...(form.poolSize !== current.poolSize ? { poolSize: form.poolSize } : {}),
    ...(form.phoneRequired !== current.phoneRequired ? { phoneRequired: form.phoneRequired } : {}),
    ...(form.retentionDays !== retentionDaysOf(current) ? { retentionDays: form.retentionDays } : {}),
  };
  return Object.keys(changes).length === 0 ? err("unchanged") : ok(changes);
}

/** The problem to show for an API failure (server codes → the screen's messages). */
export function problemOfFailure(failure: ApiFailure): SiteSettingsProblem {
  if (failure.kind === "network") return "offline";
  if (failure.status === 401) return "signed_out";
  if (failure.code === "forbidden_role") return "forbidden_role";
  if (failure.code === "wrong_site") return "wrong_site";
  if (failure.code === "unknown_site") return "unknown_site";
  if (failure.status >= 500 || failure.status === 429) return "server";
  return "refused";
}

/** Checks the form, sends the changes, and on success makes them this device's site configuration. */
export async function changeSiteSettings(form: SiteSettingsForm): Promise<SiteSettingsOutcome> {
  const session = await loadSession();
  if (!session?.token) return err({ problem: "signed_out" });
  if (!SITE_SETTINGS_ROLES.includes(session.staff.role)) return err({ problem: "forbidden_role" });
  const changes = siteSettingsChanges(session.site, form);
  if (!changes.ok) return err({ problem: changes.error });
  let site: SiteConfig;
  try {
    site = await api.updateSite(session.token, session.site.code, changes.value);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const { failure } = error;
    return err({ problem: problemOfFailure(failure), ...(failure.kind === "http" ? { code: failure.code } : {}) });
  }
  await updateSessionSite(site);
  // A sync that read the old settings just before this change would save them back: one more pass sets them right.
  void syncLoop.syncNow();
  return ok(site);
}
