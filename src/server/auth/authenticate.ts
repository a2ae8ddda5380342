/** Bearer-token authentication for /api/v1 routes: sets request.auth or answers 401 with the exact reason. */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { Database } from "../db/schema";
import { ApiError } from "../errors";
import { type Authenticated, checkToken, type TokenProblem } from "./tokens";

declare module "fastify" {
  interface FastifyRequest {
    auth?: Authenticated;
  }
}

const MESSAGES: Record<TokenProblem | "missing_token", string> = {
  missing_token: "Log in first: send Authorization: Bearer <token>.",
  invalid_token: "The token is not known; log in again.",
  token_expired: "The token has expired; log in again with your password.",
  token_revoked: "The token was revoked; log in again with your password.",
  staff_disabled: "This staff account is disabled.",
};

export function authenticate(db: Kysely<Database>) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) throw new ApiError(401, "missing_token", MESSAGES.missing_token);
    const checked = await checkToken(db, match[1]);
    if (!checked.ok) throw new ApiError(401, checked.problem, MESSAGES[checked.problem]);
    request.auth = checked.auth;
  };
}

/** The authenticated caller; only for routes behind authenticate(). */
export function authOf(request: FastifyRequest): Authenticated {
  if (!request.auth) throw new ApiError(401, "missing_token", MESSAGES.missing_token);
  return request.auth;
}

/** Console tokens start their device id so: they are bound to no phone. */
export const CONSOLE_DEVICE_PREFIX = "console-";

/** A station's own routes (push, pull): a console token has no phone and no event log of its own. */
export function stationAuthOf(request: FastifyRequest): Authenticated {
  const auth = authOf(request);
  if (auth.deviceId.startsWith(CONSOLE_DEVICE_PREFIX)) {
    throw new ApiError(403, "console_token", "A console sign-in cannot push or pull a station's events.");
  }
  return auth;
}
