/**
 * Imported first by every domain module that builds zod schemas: zod decides at schema construction whether to
 * compile parsers with eval, and the browser build (vite.config.ts `define`) must turn that off before any schema
 * exists — the app's Content-Security-Policy forbids eval, and even zod's probe for it is reported as a violation.
 * The server keeps the compiled, faster parsing.
 */
import { z } from "zod";

declare const __ZOD_JITLESS__: boolean | undefined;
if (typeof __ZOD_JITLESS__ !== "undefined" && __ZOD_JITLESS__) z.config({ jitless: true });
