/** Builds the Fastify app (API, OpenAPI document, the built PWA); server.ts starts it, tests build it in-process. */

import { existsSync } from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import Fastify, { type FastifyServerOptions } from "fastify";
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { API_PREFIX, MAX_BODY_BYTES } from "../domain/protocol";
import type { ResidentFormat } from "../domain/residentFormats";
import { DEFAULT_LOGIN_LIMITS, type LoginLimits } from "./auth/loginLimits";
import type { Store } from "./db";
import { installErrorHandling, notFound } from "./errors";
import { GroupCommitter } from "./events/groupCommit";
import type { StatusLimits } from "./labs/residentStatus";
import { clientErrorHandler, installJsonBodyGuard } from "./requestGuards";
import { adminRoutes } from "./routes/admin";
import { authRoutes } from "./routes/auth";
import { boxLabelRoutes } from "./routes/boxLabels";
import { dashboardRoutes } from "./routes/dashboard";
import { eventRoutes } from "./routes/events";
import { exportRoutes } from "./routes/exports";
import { healthRoutes } from "./routes/health";
import { labRoutes } from "./routes/labs";
import { lookupRoutes } from "./routes/lookups";
import { publicRoutes } from "./routes/public";
import { rosterRoutes } from "./routes/rosters";
import { siteImportRoutes } from "./routes/siteImport";
import { siteRoutes } from "./routes/sites";
import { installSecurityHeaders } from "./securityHeaders";
import { APP_VERSION } from "./version";

export interface AppOptions {
  store: Store;
  /** Other systems' resident codes the deployment reads (RESIDENT_FORMATS_FILE), sent to phones with the site. */
  residentFormats?: ResidentFormat[];
  /** The built PWA (vite build output); not served when absent. */
  staticDir?: string;
  logger?: FastifyServerOptions["logger"];
  tokenTtlMs?: number;
  /** Failed-login limits per username and address (429 beyond them). */
  loginLimits?: LoginLimits;
  /** Resident status lookups per address and per document (429 beyond them). */
  statusLimits?: StatusLimits;
  /** Serve HTTPS with this certificate and key (PEM): browsers allow the camera only in a secure context. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (for the per-address login limit). */
  trustProxy?: boolean;
}

export const DEFAULT_TOKEN_TTL_MS = 72 * 3600 * 1000;

/** Files that must be revalidated on every load so that a new version is noticed. */
const NO_CACHE = new Set([
  "index.html",
  "console.html",
  "status.html",
  "resident.html",
  "sw.js",
  "registerSW.js",
  "manifest.webmanifest",
  "resident.webmanifest",
]);

export async function buildApp(options: AppOptions) {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: MAX_BODY_BYTES,
    requestIdHeader: "x-request-id",
    trustProxy: options.trustProxy ?? false,
    clientErrorHandler,
    // Typed as the plain HTTP server: nothing here depends on which one it is.
    ...(options.tls ? { https: options.tls } : {}),
  } as FastifyServerOptions).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  installJsonBodyGuard(app);
  await installSecurityHeaders(app);
  // The API speaks JSON only: other bodies get 415 instead of a confusing schema error.
  app.removeContentTypeParser("text/plain");
  // An answer to a request that may have written is sent only once what it wrote is on disk (see Store.durable).
  app.addHook("onSend", async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") await options.store.durable();
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: "SamplePoint sync API", version: APP_VERSION },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  const { db } = options.store;
  await app.register(healthRoutes(options.store));
  await app.register(
    authRoutes(
      db,
      options.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS,
      options.loginLimits ?? DEFAULT_LOGIN_LIMITS,
      options.residentFormats,
    ),
    {
      prefix: API_PREFIX,
    },
  );
  // Concurrent pushes (and imports) share transactions: one group committer for the process.
  const committer = new GroupCommitter(options.store);
  await app.register(eventRoutes(options.store, committer), { prefix: API_PREFIX });
  await app.register(adminRoutes(options.store, committer), { prefix: API_PREFIX });
  await app.register(siteRoutes(db, options.residentFormats), { prefix: API_PREFIX });
  await app.register(labRoutes(options.store), { prefix: API_PREFIX });
  await app.register(dashboardRoutes(options.store), { prefix: API_PREFIX });
  await app.register(lookupRoutes(options.store), { prefix: API_PREFIX });
  await app.register(exportRoutes(options.store), { prefix: API_PREFIX });
  await app.register(siteImportRoutes(options.store), { prefix: API_PREFIX });
  await app.register(rosterRoutes(options.store), { prefix: API_PREFIX });
  await app.register(boxLabelRoutes(db, options.residentFormats), { prefix: API_PREFIX });
  await app.register(publicRoutes(db, options.statusLimits), { prefix: API_PREFIX });
  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  const staticDir = options.staticDir;
  const servesApp = staticDir !== undefined && existsSync(path.join(staticDir, "index.html"));
  if (servesApp) {
    await app.register(fastifyStatic, {
      root: staticDir,
      wildcard: false,
      setHeaders(res, filePath) {
        const name = path.basename(filePath);
        if (NO_CACHE.has(name)) res.header("Cache-Control", "no-cache");
        else if (filePath.includes(`${path.sep}assets${path.sep}`)) {
          res.header("Cache-Control", "public, max-age=31536000, immutable");
        }
      },
    });
  }
  app.setNotFoundHandler((request, reply) => {
    // The import page's old address (/admin.html) is the console's import screen now.
    if (servesApp && request.method === "GET" && /^\/admin(\.html)?(\/|$|\?)/.test(request.url)) {
      return reply.redirect("/console/import");
    }
    const isPageNavigation =
      servesApp &&
      request.method === "GET" &&
      !request.url.startsWith("/api") &&
      !path.extname(request.url.split("?")[0] ?? "");
    // Client-side routes get their page: /console/… the desk console (/admin, its import page's old address, goes
    // there), /status and /resident the residents' pages, the rest the station app. Anything else is a JSON 404.
    if (isPageNavigation) {
      const pathname = request.url.split("?")[0] ?? "";
      const page = /^\/console(\/|$)/.test(pathname)
        ? "console.html"
        : /^\/status\/?$/.test(pathname)
          ? "status.html"
          : /^\/resident\/?$/.test(pathname)
            ? "resident.html"
            : "index.html";
      return reply.header("Cache-Control", "no-cache").sendFile(page);
    }
    return reply.status(404).send(notFound(request.method, request.url));
  });

  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
