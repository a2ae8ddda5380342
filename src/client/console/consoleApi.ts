/**
 * The console's one door to the server: the lab, recall and import operations, and file up- and downloads. Errors
 * come back as the station's ApiError (the same { code, message } bodies).
 */
import type { BoxLabelRun, BoxLabelSites } from "../../domain/boxLabels";
import type {
  Dashboard,
  DashboardQuery,
  ExportRequest,
  ExportTicket,
  LookupAnswer,
  LookupRequest,
} from "../../domain/command";
import type {
  BoxForLab,
  ConsoleSession,
  RecallEntry,
  ReceiptReport,
  ResultInput,
  ResultRowOutcome,
  TubeTimeline,
  UploadReport,
} from "../../domain/labs";
import { API_PREFIX } from "../../domain/limits";
import type { ErrorBody, ImportResponse } from "../../domain/protocol";
import type {
  Coverage,
  CoverageQuery,
  ExemptionRequest,
  RosterCards,
  RosterCardsQuery,
  RosterImportReport,
  RosterResident,
  UnsampledList,
  UnsampledQuery,
} from "../../domain/roster";
import { ApiError } from "../sync/api";

export { ApiError };

export type SiteImportRow = {
  line: number;
  code: string;
  status: "created" | "updated" | "unchanged" | "refused";
  problem?: string;
  reason?: string;
};

const TIMEOUT_MS = 60_000;

async function send(method: string, path: string, token: string | null, body?: BodyInit, type?: string) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (type) headers["content-type"] = type;
  let response: Response;
  try {
    response = await fetch(`${API_PREFIX}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      cache: "no-store",
    });
  } catch (error) {
    throw new ApiError({ kind: "network", message: error instanceof Error ? error.message : String(error) });
  }
  if (!response.ok) {
    let error: Partial<ErrorBody> = {};
    try {
      error = (await response.json()) as Partial<ErrorBody>;
    } catch {
      // not JSON: the status says enough
    }
    throw new ApiError({
      kind: "http",
      status: response.status,
      code: typeof error.code === "string" ? error.code : `http_${response.status}`,
      message: typeof error.message === "string" ? error.message : response.statusText,
      ...(error.details && typeof error.details === "object"
        ? { details: error.details as Record<string, unknown> }
        : {}),
    });
  }
  return response;
}

const json = async <T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> =>
  (await (
    await send(
      method,
      path,
      token,
      body === undefined ? undefined : JSON.stringify(body),
      body === undefined ? undefined : "application/json",
    )
  ).json()) as T;

const q = encodeURIComponent;
/** An uploaded spreadsheet's content type, by its name (the form takes only .csv and .xlsx). */
const spreadsheetType = (file: File) =>
  /\.csv$/i.test(file.name) ? "text/csv" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** A query's non-empty values as `?a=…&b=…` ("" when none). */
export function searchOf(query: object): string {
  const search = new URLSearchParams(
    Object.entries(query).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""),
  ).toString();
  return search ? `?${search}` : "";
}

export const consoleApi = {
  signIn: (username: string, password: string) =>
    json<ConsoleSession>("POST", "/auth/console-login", null, { username, password }),
  signOut: (token: string) => json<{ ok: true }>("POST", "/auth/logout", token),
  box: (token: string, lab: string, box: string, site?: string) =>
    json<BoxForLab>("GET", `/labs/${q(lab)}/boxes/${q(box)}${site ? `?site=${q(site)}` : ""}`, token),
  receive: (token: string, lab: string, box: string, body: { siteCode?: string; scannedTubes?: string[] }) =>
    json<ReceiptReport>("POST", `/labs/${q(lab)}/boxes/${q(box)}/receive`, token, body),
  /** A tube missing from its box at receipt, found later. */
  receiveTube: (token: string, lab: string, tube: string, siteCode: string) =>
    json<{ siteCode: string; tubeCode: string; boxCode: string }>(
      "POST",
      `/labs/${q(lab)}/tubes/${q(tube)}/receive`,
      token,
      { siteCode },
    ),
  results: (token: string, lab: string, results: ResultInput[]) =>
    json<{ rows: ResultRowOutcome[] }>("POST", `/labs/${q(lab)}/results?source=console`, token, { results }),
  upload: async (token: string, lab: string, file: File) => {
    const type = spreadsheetType(file);
    return (await (await send("POST", `/labs/${q(lab)}/results/upload`, token, file, type)).json()) as UploadReport;
  },
  recalls: (token: string, lab: string, tube?: string) =>
    json<{ recalls: RecallEntry[] }>("GET", `/labs/${q(lab)}/recalls${tube ? `?tube=${q(tube)}` : ""}`, token),
  contacted: (token: string, recallId: string) =>
    json<{ ok: true }>("POST", `/recalls/${q(recallId)}/contacted`, token, { state: "contacted" }),
  turnaround: (token: string, lab: string) =>
    json<{
      tubes: number;
      receivedToResulted: { medianMinutes: number | null; p95Minutes: number | null };
      sampledToResulted: { medianMinutes: number | null; p95Minutes: number | null };
    }>("GET", `/labs/${q(lab)}/turnaround`, token),
  timeline: (token: string, lab: string, tube: string, site: string) =>
    json<TubeTimeline>("GET", `/labs/${q(lab)}/tubes/${q(tube)}/timeline?site=${q(site)}`, token),
  dashboard: (token: string, query: DashboardQuery) => json<Dashboard>("GET", `/dashboard${searchOf(query)}`, token),
  /** Asks for an export; the answer's URL streams the file once (the browser saves it). */
  exportTicket: (token: string, request: ExportRequest) => json<ExportTicket>("POST", "/exports", token, request),
  lookup: (token: string, request: LookupRequest) => json<LookupAnswer>("POST", "/lookups", token, request),
  importSites: async (token: string, file: File) => {
    const type = spreadsheetType(file);
    return (await (await send("POST", "/admin/sites/import", token, file, type)).json()) as { rows: SiteImportRow[] };
  },
  importRoster: async (token: string, file: File, site: string) => {
    const type = spreadsheetType(file);
    const path = `/rosters/import${site ? `?site=${q(site)}` : ""}`;
    return (await (await send("POST", path, token, file, type)).json()) as RosterImportReport;
  },
  coverage: (token: string, query: CoverageQuery) =>
    json<Coverage>("GET", `/rosters/coverage${searchOf(query)}`, token),
  unsampled: (token: string, query: UnsampledQuery) =>
    json<UnsampledList>("GET", `/rosters/unsampled${searchOf(query)}`, token),
  exempt: (token: string, entryId: string, request: ExemptionRequest) =>
    json<RosterResident>("POST", `/rosters/entries/${q(entryId)}/exemption`, token, request),
  rosterCards: (token: string, query: RosterCardsQuery) =>
    json<RosterCards>("GET", `/rosters/cards${searchOf(query)}`, token),
  withdrawExemption: (token: string, entryId: string) =>
    json<RosterResident>("DELETE", `/rosters/entries/${q(entryId)}/exemption`, token),
  /** The sites this account may print box labels for. */
  boxLabelSites: (token: string) => json<BoxLabelSites>("GET", "/box-labels/sites", token),
  /** Reserves `count` new box codes for the site's labels. */
  reserveBoxLabels: (token: string, site: string, count: number) =>
    json<BoxLabelRun>("POST", `/sites/${q(site)}/box-labels`, token, { count }),
  /** A file the server makes (template, export), as a Blob to save. */
  download: async (token: string, path: string) => (await send("GET", path, token)).blob(),
  importQueue: (token: string, file: unknown) => json<ImportResponse>("POST", "/admin/import", token, file),
};
