/**
 * What every request passes before a route sees it: the JSON body parsed safely (no prototype keys), then refused
 * with a 400 and a code when it nests too deep or carries text no field may store (NUL, control characters, lone
 * surrogates) — before any recursive work or any write. And malformed HTTP that never becomes a request gets our
 * JSON error body, not the framework's.
 */
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";
import secureJson from "secure-json-parse";
import { API_PREFIX } from "../domain/limits";
import { jsonProblem, MAX_JSON_DEPTH } from "../domain/safeText";
import { ApiError } from "./errors";

/** Routes whose body carries a device's events: each event's text is checked on its own (see checkPush). */
const EVENTS_CHECKED_ONE_BY_ONE = new Set([`${API_PREFIX}/events/push`]);

export function parseJsonBody(text: string, textExempt?: string): unknown {
  if (text === "") throw new ApiError(400, "empty_body", "The request body is empty.");
  let parsed: unknown;
  try {
    parsed = secureJson.parse(text, undefined, { protoAction: "error", constructorAction: "error" });
  } catch (error) {
    // The parser itself may give up on extreme nesting (a RangeError): that is the client's doing too.
    if (error instanceof RangeError) {
      throw new ApiError(400, "too_deep", `The request nests deeper than ${MAX_JSON_DEPTH} levels.`);
    }
    throw new ApiError(400, "malformed_json", "The request body is not valid JSON.");
  }
  const problem = jsonProblem(parsed, textExempt === undefined ? {} : { textExempt });
  if (problem?.code === "too_deep") {
    throw new ApiError(
      400,
      "too_deep",
      `The request nests deeper than ${MAX_JSON_DEPTH} levels (at ${problem.path}).`,
      {
        path: problem.path,
      },
    );
  }
  if (problem?.code === "bad_text") {
    const what = problem.problem === "lone_surrogate" ? "a broken character (lone surrogate)" : "a control character";
    throw new ApiError(400, "bad_text", `The text at ${problem.path} contains ${what}; no stored text may.`, {
      path: problem.path,
      problem: problem.problem,
    });
  }
  return parsed;
}

export function installJsonBodyGuard(app: FastifyInstance): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    try {
      // A push's events are checked one by one: one bad event is rejected (and set aside on the device), the rest go in.
      const exempt = EVENTS_CHECKED_ONE_BY_ONE.has(request.routeOptions.url ?? "") ? "/events/" : undefined;
      done(null, parseJsonBody(body as string, exempt));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/** Node's HTTP parser refused the bytes (bad request line, bare LF, CL+TE, huge headers…): JSON { code, message }. */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, code, message] =
    error.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? [408, "request_timeout", "The request took too long to arrive."]
      : error.code === "HPE_HEADER_OVERFLOW"
        ? [431, "headers_too_large", "The request's headers (or its address) are too large."]
        : [400, "bad_http", "The request is not valid HTTP."];
  const body = JSON.stringify({ code, message });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
