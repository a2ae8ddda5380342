/** The administration CLI: `npm run cli -- <command>` (see cli/commands.ts for the commands). */
import { userInfo } from "node:os";
import { CliError, runCommand } from "./cli/commands";
import { readConfig } from "./config";
import { openStore } from "./db";

async function main(): Promise<number> {
  const config = readConfig(process.env, []);
  const store = await openStore({
    dataDir: config.dataDir,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.databaseSchema ? { databaseSchema: config.databaseSchema } : {}),
  });
  try {
    const lines = await runCommand(process.argv.slice(2), {
      store,
      dataDir: config.dataDir,
      actor: `cli:${userInfo().username}`,
    });
    for (const line of lines) console.log(line);
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  } finally {
    await store.durable();
    await store.db.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
