/** Server configuration from the environment and command line, checked once at start. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { ResidentFormatsFileSchema } from "../domain/residentFormatSchema";
import { formatProblem, type ResidentFormat } from "../domain/residentFormats";

export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL connection URL; unset or empty means the embedded SQLite file in dataDir. */
  databaseUrl?: string;
  /** PostgreSQL schema to keep the tables in (default public). */
  databaseSchema?: string;
  /** TLS_CERT / TLS_KEY: PEM files; both set → the server speaks HTTPS itself. */
  tls?: { cert: Buffer; key: Buffer };
  trustProxy: boolean;
  staticDir: string;
  demo: boolean;
  tokenTtlMs: number;
  logLevel: string;
  /** STATUS_LOOKUPS_PER_ADDRESS / STATUS_LOOKUPS_PER_DOCUMENT: the resident status page's limits per 10 minutes. */
  statusLimits?: { windowMs: number; perAddress: number; perDocument: number };
  /** RESIDENT_FORMATS_FILE: other systems' resident codes (JSON, see the README), checked at start. */
  residentFormats?: ResidentFormat[];
}

const projectRoot = path.resolve(new URL("../..", import.meta.url).pathname);

export function readConfig(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv.slice(2)): ServerConfig {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, not ${env.PORT}`);
  const ttlHours = Number(env.TOKEN_TTL_HOURS ?? 72);
  if (!(ttlHours > 0)) throw new Error(`TOKEN_TTL_HOURS must be a positive number, not ${env.TOKEN_TTL_HOURS}`);
  const demoOff = argv.includes("--no-demo") || env.SAMPLEPOINT_DEMO === "0" || env.SAMPLEPOINT_DEMO === "false";
  return {
    port,
    host: env.HOST ?? "0.0.0.0",
    dataDir: path.resolve(env.DATA_DIR ?? path.join(projectRoot, "data")),
    ...(env.DATABASE_URL ? { databaseUrl: checkedDatabaseUrl(env.DATABASE_URL) } : {}),
    ...(env.DATABASE_SCHEMA ? { databaseSchema: env.DATABASE_SCHEMA } : {}),
    ...(env.TLS_CERT || env.TLS_KEY ? { tls: readTls(env.TLS_CERT, env.TLS_KEY) } : {}),
    trustProxy: env.TRUST_PROXY === "1" || env.TRUST_PROXY === "true",
    staticDir: path.resolve(env.STATIC_DIR ?? path.join(projectRoot, "dist")),
    demo: !demoOff,
    tokenTtlMs: ttlHours * 3600 * 1000,
    logLevel: env.LOG_LEVEL ?? "info",
    ...(env.RESIDENT_FORMATS_FILE ? { residentFormats: readResidentFormats(env.RESIDENT_FORMATS_FILE) } : {}),
    ...(env.STATUS_LOOKUPS_PER_ADDRESS || env.STATUS_LOOKUPS_PER_DOCUMENT
      ? {
          statusLimits: {
            windowMs: 10 * 60_000,
            perAddress: positive(env.STATUS_LOOKUPS_PER_ADDRESS, 60, "STATUS_LOOKUPS_PER_ADDRESS"),
            perDocument: positive(env.STATUS_LOOKUPS_PER_DOCUMENT, 10, "STATUS_LOOKUPS_PER_DOCUMENT"),
          },
        }
      : {}),
  };
}

/** The deployment's resident code formats: a start that cannot read them stops with the reason. */
export function readResidentFormats(file: string): ResidentFormat[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`RESIDENT_FORMATS_FILE ${file}: cannot read it as JSON (${(error as Error).message})`);
  }
  const parsed = ResidentFormatsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`RESIDENT_FORMATS_FILE ${file}: ${issue?.path.join(".") ?? ""} ${issue?.message ?? "invalid"}`);
  }
  const formats = parsed.data.formats as ResidentFormat[];
  for (const format of formats) {
    const problem = formatProblem(format);
    if (problem) throw new Error(`RESIDENT_FORMATS_FILE ${file}: ${problem}`);
  }
  return formats;
}

function checkedDatabaseUrl(url: string): string {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new Error("DATABASE_URL must be a URL like postgres://user@host:5432/database");
  }
  if (protocol !== "postgres:" && protocol !== "postgresql:") {
    throw new Error(`DATABASE_URL must be a postgres:// URL, not ${protocol}//…`);
  }
  return url;
}

function readTls(certFile: string | undefined, keyFile: string | undefined): { cert: Buffer; key: Buffer } {
  if (!certFile || !keyFile) throw new Error("set both TLS_CERT and TLS_KEY (PEM files), or neither");
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new Error(`cannot read ${what} ${file}: ${error instanceof Error ? error.message : error}`);
    }
  };
  return { cert: read(certFile, "TLS_CERT"), key: read(keyFile, "TLS_KEY") };
}

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, not ${value}`);
  return n;
}
