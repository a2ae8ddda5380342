/** Starts the sync server and stops it gracefully on SIGINT/SIGTERM (in-flight requests finish, the store closes). */
import { buildApp } from "./app";
import { readConfig } from "./config";
import { openStore } from "./db";
import { DEMO_LOGIN, DEMO_SITE, seedDemoIfEmpty } from "./sites/demo";

async function main(): Promise<void> {
  const config = readConfig();
  const store = await openStore({
    dataDir: config.dataDir,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.databaseSchema ? { databaseSchema: config.databaseSchema } : {}),
  });
  const app = await buildApp({
    store,
    staticDir: config.staticDir,
    tokenTtlMs: config.tokenTtlMs,
    trustProxy: config.trustProxy,
    ...(config.tls ? { tls: config.tls } : {}),
    ...(config.statusLimits ? { statusLimits: config.statusLimits } : {}),
    ...(config.residentFormats ? { residentFormats: config.residentFormats } : {}),
    logger: { level: config.logLevel },
  });

  if (config.demo && (await seedDemoIfEmpty(store.db))) {
    await store.durable();
    app.log.info(
      `demo site ${DEMO_SITE.code} created — log in as "${DEMO_LOGIN.username}" with password "${DEMO_LOGIN.password}"`,
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "stopping");
    await app.close();
    await store.db.destroy();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));

  await app.listen({ port: config.port, host: config.host });
  app.log.info(
    `SamplePoint ${store.dialect} store at ${store.location}; open ${config.tls ? "https" : "http"}://localhost:${config.port}/`,
  );
  if (config.demo) app.log.info(`demo login: ${DEMO_LOGIN.username} / ${DEMO_LOGIN.password}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
