/**
 * Security headers on every answer (app, admin page, API), set by @fastify/helmet: a strict Content-Security-Policy
 * (our own scripts only — no inline script, no eval; WebAssembly for the decoder; workers from our origin), no
 * sniffing, no framing, no referrer, the camera for our own pages only, and HSTS when the request came over HTTPS
 * (TLS here, or a proxy's X-Forwarded-Proto with TRUST_PROXY).
 */
import helmet from "@fastify/helmet";
import type { FastifyInstance } from "fastify";

export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  // 'wasm-unsafe-eval' compiles the decoder's WebAssembly; it allows no JavaScript eval.
  scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
  workerSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:", "blob:"],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  mediaSrc: ["'self'", "blob:"],
  manifestSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()";
const HSTS = "max-age=31536000; includeSubDomains";

export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    referrerPolicy: { policy: "no-referrer" },
    xFrameOptions: { action: "deny" },
    // Set below, only for requests that came over HTTPS (a plain-HTTP LAN deployment must not pin itself).
    strictTransportSecurity: false,
    // The app loads nothing from other origins; embedding isolation would add nothing but risk.
    crossOriginEmbedderPolicy: false,
  });
  app.addHook("onSend", async (request, reply) => {
    reply.header("permissions-policy", PERMISSIONS_POLICY);
    if (request.protocol === "https") reply.header("strict-transport-security", HSTS);
  });
}
