/** Every non-2xx answer is JSON { code, message }: codes are stable for machines, messages are for people. */
import type { FastifyError, FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import type { ErrorBody } from "../domain/protocol";

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Fastify's own error codes for bad requests, mapped to ours. */
const FASTIFY_CODES: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: "malformed_json",
    message: "The request body is not valid JSON.",
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: "empty_body", message: "The request body is empty." },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: "body_too_large", message: "The request body is too large." },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: "unsupported_media_type",
    message: "Send the body as application/json.",
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: "bad_content_length",
    message: "Content-Length does not match the body.",
  },
};

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let status: number;
    let body: ErrorBody;
    if (error instanceof ApiError) {
      status = error.statusCode;
      body = {
        code: error.code,
        message: error.message,
        ...(error.details === undefined ? {} : { details: error.details }),
      };
    } else if (hasZodFastifySchemaValidationErrors(error)) {
      status = 400;
      body = {
        code: "invalid_request",
        message: `The request does not match the schema: ${error.validation.map((v) => `${v.instancePath || "/"} ${v.message}`).join("; ")}`,
        details: error.validation.map((v) => ({ path: v.instancePath, message: v.message })),
      };
    } else if (error.code && FASTIFY_CODES[error.code]) {
      const known = FASTIFY_CODES[error.code] as { status: number; code: string; message: string };
      status = known.status;
      body = { code: known.code, message: known.message };
    } else if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message))) {
      status = 400;
      body = { code: "malformed_json", message: "The request body is not valid JSON." };
    } else if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      status = error.statusCode;
      body = { code: (error.code ?? "bad_request").toLowerCase(), message: error.message };
    } else {
      status = 500;
      request.log.error({ err: error }, "unhandled error");
      body = { code: "internal_error", message: "The server failed to handle this request; it has been logged." };
    }
    if (status >= 500 && !(error instanceof ApiError)) request.log.error({ err: error }, "server error");
    return reply.status(status).send(body);
  });
}

export function notFound(method: string, url: string): ErrorBody {
  return { code: "not_found", message: `No route for ${method} ${url.split("?")[0]}.` };
}
