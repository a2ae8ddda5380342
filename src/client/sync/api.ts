/** The one place the app talks HTTP to the sync server. Every failure comes back as a typed ApiFailure. */
import type { BoxLabelRun } from "../../domain/boxLabels";
import type { RecallEntry } from "../../domain/labs";
import { API_PREFIX } from "../../domain/limits";
import type {
  ErrorBody,
  ImportResponse,
  LoginRequest,
  LoginResponse,
  PullResponse,
  PushRequest,
  PushResponse,
  SiteConfig,
  SiteSettings,
} from "../../domain/protocol";
import type { SiteRoster } from "../../domain/roster";

export type ApiFailure =
  /** No answer: offline, DNS, connection refused, timeout. Worth retrying. */
  | { kind: "network"; message: string }
  /** The server answered with an error status and (usually) { code, message }. */
  | {
      kind: "http";
      status: number;
      code: string;
      message: string;
      retryAfterSeconds?: number;
      /** The error body's details (e.g. the lab a box was meant for). */
      details?: Record<string, unknown>;
    };

export class ApiError extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.message);
  }
}

const TIMEOUT_MS = 20_000;

async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  token?: string | null,
  extraHeaders: Record<string, string> = {},
): Promise<T> {
  const headers: Record<string, string> = { "x-request-id": crypto.randomUUID(), ...extraHeaders };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      cache: "no-store",
    });
  } catch (error) {
    throw new ApiError({ kind: "network", message: error instanceof Error ? error.message : String(error) });
  }
  // Not modified (a conditional GET): the caller's copy stands.
  if (response.status === 304) return null as T;
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const error = parsed as Partial<ErrorBody> | undefined;
    const retryAfter = Number(response.headers.get("retry-after"));
    throw new ApiError({
      kind: "http",
      status: response.status,
      code: typeof error?.code === "string" ? error.code : `http_${response.status}`,
      message: typeof error?.message === "string" ? error.message : response.statusText,
      ...(retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
    });
  }
  return parsed as T;
}

export const api = {
  login: (body: LoginRequest) => request<LoginResponse>("POST", `${API_PREFIX}/auth/login`, body),
  /** Ends this device's token on the server (sign-out). */
  logout: (token: string) => request<{ ok: true }>("POST", `${API_PREFIX}/auth/logout`, undefined, token),
  push: (token: string, body: PushRequest) => request<PushResponse>("POST", `${API_PREFIX}/events/push`, body, token),
  pull: (token: string, siteCode: string, after: number, afterId: string | null, limit = 500) =>
    request<PullResponse>(
      "GET",
      `${API_PREFIX}/sites/${encodeURIComponent(siteCode)}/events?after=${after}&limit=${limit}${afterId ? `&afterId=${afterId}` : ""}`,
      undefined,
      token,
    ),
  site: (token: string, siteCode: string) =>
    request<SiteConfig>("GET", `${API_PREFIX}/sites/${encodeURIComponent(siteCode)}`, undefined, token),
  /** A site lead changes the site's name, pool size or phone rule; the answer is the new configuration. */
  updateSite: (token: string, siteCode: string, changes: SiteSettings) =>
    request<SiteConfig>("PATCH", `${API_PREFIX}/sites/${encodeURIComponent(siteCode)}`, changes, token),
  /** The site's roster (residents it expects); null when `version` is still the current one. */
  siteRoster: (token: string, siteCode: string, version: string | null) =>
    request<SiteRoster | null>(
      "GET",
      `${API_PREFIX}/sites/${encodeURIComponent(siteCode)}/roster`,
      undefined,
      token,
      version ? { "if-none-match": `"${version}"` } : {},
    ),
  /** The site's recall list: residents of positive pools (open entries only). */
  siteRecalls: (token: string, siteCode: string) =>
    request<{ recalls: RecallEntry[] }>(
      "GET",
      `${API_PREFIX}/sites/${encodeURIComponent(siteCode)}/recalls?open=1`,
      undefined,
      token,
    ),
  /** Reserves `count` new box codes for the site's printed labels (each given out once: needs the network). */
  reserveBoxLabels: (token: string, siteCode: string, count: number) =>
    request<BoxLabelRun>("POST", `${API_PREFIX}/sites/${encodeURIComponent(siteCode)}/box-labels`, { count }, token),
  /** An administrator imports a device's exported queue (the file's parsed JSON, sent as it is). */
  importQueue: (token: string, file: unknown) =>
    request<ImportResponse>("POST", `${API_PREFIX}/admin/import`, file, token),
};
