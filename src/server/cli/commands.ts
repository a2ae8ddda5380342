/**
 * Administration commands (`npm run cli -- <command>`), on the store the server uses (DATA_DIR, or DATABASE_URL).
 * Each command returns the lines it prints, so tests run them in-process.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { DaySchema, PlaceNameSchema } from "../../domain/command";
import { POOL_SIZES, type PoolSize } from "../../domain/events";
import { ROLES, type Role } from "../../domain/protocol";
import { textProblem } from "../../domain/safeText";
import { audit } from "../audit/audit";
import { hashPassword } from "../auth/passwords";
import { recount } from "../dashboard/counters";
import type { Store } from "../db";
import { openSqliteStore } from "../db/sqlite";
import { ApiError } from "../errors";
import { GroupCommitter } from "../events/groupCommit";
import { importQueue } from "../events/importQueue";
import { SpreadsheetError } from "../files/spreadsheet";
import { createLab, findLab, LAB_CODE } from "../labs/labs";
import { importSites } from "../sites/siteImport";
import { createSite, createStaff, findSite } from "../sites/sites";

export class CliError extends Error {}

/** A district or street name given to a command: trimmed, 1–50 characters, no control characters. */
function placeName(value: string | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  const parsed = PlaceNameSchema.safeParse(value);
  if (!parsed.success) throw new CliError(`a ${what} name is 1–50 characters, with no control characters`);
  return parsed.data;
}

export const USAGE = `usage: npm run cli -- <command> [options]

  add-site <code> <name> [--pool 1|5|10|20] [--phone-required] [--district <区/县> --street <街道>]
  add-lab <code> <name>
  add-round <name> <first day> <last day>         (a testing round, Beijing days YYYY-MM-DD, inclusive)
  add-staff <username> <name> --site <code> --role collector|site_lead|admin [--password <p>]
  add-staff <username> <name> --role admin [--district <区/县>] [--password <p>]
                                                  (command centre: the whole city, or one district)
  add-staff <username> <name> --lab <code> [--password <p>]      (lab staff: they sign in to the console)
  import-sites <file.csv|file.xlsx>               (create or update sites: code, name, district, street, pool)
  recount [--fix]                                 (the dashboard's counters against the stored rows)
  reset-password <username> [--password <p>]     (also signs the user out on every device)
  revoke-device <device-id>                       (its tokens stop working: 401, the app asks for the password)
  list-devices [--site <code>]                    (last sync, sequence mark, events the device still had queued)
  backup <file>                                   (consistent online copy of the SQLite store)
  import <file>                                   (a device's exported queue: exactly once, as if it had pushed)

The store is the server's: DATABASE_URL (PostgreSQL) when set, otherwise DATA_DIR/samplepoint.sqlite.`;

export interface CliContext {
  store: Store;
  /** SQLite data directory (for backup). */
  dataDir: string;
  /** Who runs the command, for the audit log. */
  actor: string;
}

const newPassword = () => randomBytes(9).toString("base64url");

function requireArg(value: string | undefined, what: string): string {
  if (!value) throw new CliError(`missing ${what}\n\n${USAGE}`);
  return value;
}

export async function runCommand(argv: string[], ctx: CliContext): Promise<string[]> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      pool: { type: "string" },
      "phone-required": { type: "boolean" },
      site: { type: "string" },
      lab: { type: "string" },
      role: { type: "string" },
      password: { type: "string" },
      district: { type: "string" },
      street: { type: "string" },
      fix: { type: "boolean" },
    },
  });
  const db = ctx.store.db;
  switch (command) {
    case "add-site": {
      const code = requireArg(positionals[0], "site code");
      const name = requireArg(positionals[1], "site name");
      if (!/^[A-Z0-9][A-Z0-9_-]{1,31}$/.test(code))
        throw new CliError(`site code must be 2–32 of A–Z, 0–9, _ or -: ${code}`);
      const pool = Number(values.pool ?? 10);
      if (!POOL_SIZES.includes(pool as PoolSize))
        throw new CliError(`pool size must be one of ${POOL_SIZES.join(", ")}`);
      if (await findSite(db, code)) throw new CliError(`site ${code} exists already`);
      const district = placeName(values.district, "district");
      const street = placeName(values.street, "street");
      if (street && !district) throw new CliError("a street needs its --district");
      await createSite(db, {
        code,
        name,
        poolSize: pool as PoolSize,
        phoneRequired: values["phone-required"] === true,
        district: district ?? "",
        street: street ?? "",
      });
      await audit(db, {
        action: "site_added",
        actor: ctx.actor,
        siteCode: code,
        subject: code,
        detail: { district: district ?? "", street: street ?? "" },
      });
      return [
        `site ${code} "${name}" added (pool ${pool}${district ? `, ${district} ${street ?? ""}`.trimEnd() : ""})`,
      ];
    }
    case "add-lab": {
      const code = requireArg(positionals[0], "lab code");
      const name = requireArg(positionals[1], "lab name");
      if (!LAB_CODE.test(code)) throw new CliError(`lab code must be 2–32 of A–Z, 0–9, _ or -: ${code}`);
      if (textProblem(name) !== null || name.trim() === "" || name.length > 100)
        throw new CliError("a lab name is 1–100 characters, with no control characters");
      if (await findLab(db, code)) throw new CliError(`lab ${code} exists already`);
      await createLab(db, { code, name });
      await audit(db, { action: "lab_added", actor: ctx.actor, subject: code, detail: { name } });
      return [`lab ${code} "${name}" added`];
    }
    case "add-staff": {
      const username = requireArg(positionals[0], "username");
      const name = requireArg(positionals[1], "name");
      // Lab staff belong to a lab (role lab); everyone else to a site.
      const labCode = values.lab;
      const role = labCode ? (values.role ?? "lab") : requireArg(values.role, "--role");
      if (!ROLES.includes(role as Role)) throw new CliError(`role must be one of ${ROLES.join(", ")}`);
      if (labCode && values.site) throw new CliError("staff belong to a site or to a lab, not both");
      if (labCode && role !== "lab") throw new CliError("staff of a lab have the role lab");
      if (!labCode && role === "lab") throw new CliError("lab staff need --lab <code>");
      // An admin of the command centre may belong to no site: the whole city, or one district.
      const district = placeName(values.district, "district");
      if (district && role !== "admin") throw new CliError("only an admin is scoped to a --district");
      if (district && values.site) throw new CliError("an admin belongs to a site or to a district, not both");
      if (
        district &&
        !(await db.selectFrom("sites").select("code").where("district", "=", district).executeTakeFirst())
      ) {
        throw new CliError(`no site is in district ${district}`);
      }
      const siteCode = labCode || (role === "admin" && !values.site) ? null : requireArg(values.site, "--site");
      if (siteCode && !(await findSite(db, siteCode))) throw new CliError(`no site ${siteCode}`);
      if (labCode && !(await findLab(db, labCode))) throw new CliError(`no lab ${labCode}`);
      const existing = await db.selectFrom("staff").select("id").where("username", "=", username).executeTakeFirst();
      if (existing) throw new CliError(`username ${username} is taken`);
      const password = values.password ?? newPassword();
      if (password.length < 8) throw new CliError("a password needs at least 8 characters");
      const id = await createStaff(db, {
        username,
        name,
        role: role as Role,
        siteCode,
        labCode: labCode ?? null,
        district: district ?? null,
        password,
      });
      await audit(db, {
        action: "staff_added",
        actor: ctx.actor,
        siteCode,
        subject: id,
        detail: { username, role, ...(labCode ? { lab: labCode } : {}), ...(district ? { district } : {}) },
      });
      return [
        `staff ${username} (${role}) added to ${siteCode ?? labCode ?? district ?? "the city"}`,
        ...(values.password ? [] : [`password: ${password}`]),
      ];
    }
    case "reset-password": {
      const username = requireArg(positionals[0], "username");
      const staff = await db
        .selectFrom("staff")
        .select(["id", "site_code"])
        .where("username", "=", username)
        .executeTakeFirst();
      if (!staff) throw new CliError(`no staff ${username}`);
      const password = values.password ?? newPassword();
      if (password.length < 8) throw new CliError("a password needs at least 8 characters");
      const hash = await hashPassword(password);
      const now = new Date().toISOString();
      await db.transaction().execute(async (trx) => {
        await trx.updateTable("staff").set({ password_hash: hash }).where("id", "=", staff.id).execute();
        await trx
          .updateTable("tokens")
          .set({ revoked_at: now })
          .where("staff_id", "=", staff.id)
          .where("revoked_at", "is", null)
          .execute();
        await audit(trx, { action: "password_reset", actor: ctx.actor, siteCode: staff.site_code, subject: staff.id });
      });
      return [
        `password of ${username} reset; signed out everywhere`,
        ...(values.password ? [] : [`password: ${password}`]),
      ];
    }
    case "revoke-device": {
      const deviceId = requireArg(positionals[0], "device id");
      const device = await db
        .selectFrom("devices")
        .select(["id", "site_code"])
        .where("id", "=", deviceId)
        .executeTakeFirst();
      if (!device) throw new CliError(`no device ${deviceId}`);
      const now = new Date().toISOString();
      const revoked = await db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable("tokens")
          .set({ revoked_at: now })
          .where("device_id", "=", deviceId)
          .where("revoked_at", "is", null)
          .executeTakeFirst();
        await audit(trx, { action: "token_revoked", actor: ctx.actor, siteCode: device.site_code, subject: deviceId });
        return Number(result.numUpdatedRows);
      });
      return [`device ${deviceId}: ${revoked} token(s) revoked`];
    }
    case "list-devices": {
      let query = db
        .selectFrom("devices")
        .innerJoin("staff", "staff.id", "devices.staff_id")
        .select([
          "devices.id",
          "devices.site_code",
          "staff.username",
          "devices.last_seq",
          "devices.last_seen_at",
          "devices.reported_pending",
        ])
        .orderBy("devices.site_code")
        .orderBy("devices.last_seen_at", "desc");
      if (values.site) query = query.where("devices.site_code", "=", values.site);
      const rows = await query.execute();
      return [
        ["device", "site", "staff", "last seq", "last sync", "queued"].join("\t"),
        ...rows.map((r) =>
          [r.id, r.site_code, r.username, r.last_seq, r.last_seen_at, r.reported_pending ?? "?"].join("\t"),
        ),
      ];
    }
    case "backup": {
      const file = requireArg(positionals[0], "backup file");
      if (ctx.store.dialect !== "sqlite")
        throw new CliError("backup copies the SQLite store; for PostgreSQL use pg_dump");
      // SQLite's online backup API: a consistent copy while the server keeps writing.
      const source = openSqliteStore(ctx.dataDir);
      try {
        await source.raw.backup(file);
      } finally {
        source.close();
      }
      return [`backup written to ${file}`];
    }
    case "import": {
      const file = requireArg(positionals[0], "export file");
      let raw: unknown;
      try {
        raw = JSON.parse(await readFile(file, "utf8"));
      } catch (error) {
        throw new CliError(`cannot read ${file} as JSON: ${(error as Error).message}`);
      }
      try {
        const result = await importQueue(ctx.store, new GroupCommitter(ctx.store), raw, ctx.actor);
        return [
          `imported ${result.events} events of device ${result.deviceId} at ${result.siteCode}: ${result.accepted} accepted, ${result.duplicates} already there, ${result.rejected} rejected; mark ${result.mark}`,
          ...result.rejections.map((r) => `  event ${r.index} (${r.id ?? "no id"}): ${r.code} — ${r.message}`),
        ];
      } catch (error) {
        if (error instanceof ApiError) throw new CliError(`${error.code}: ${error.message}`);
        throw error;
      }
    }
    case "add-round": {
      const name = requireArg(positionals[0], "round name");
      const startsOn = requireArg(positionals[1], "first day");
      const endsOn = requireArg(positionals[2], "last day");
      if (textProblem(name) !== null || name.trim() === "" || name.length > 100)
        throw new CliError("a round name is 1–100 characters, with no control characters");
      for (const day of [startsOn, endsOn]) {
        if (!DaySchema.safeParse(day).success || Number.isNaN(Date.parse(`${day}T00:00:00Z`)))
          throw new CliError(`a day is YYYY-MM-DD: ${day}`);
      }
      if (endsOn < startsOn) throw new CliError("the last day comes before the first");
      const id = `${startsOn}-${randomBytes(3).toString("hex")}`;
      await db
        .insertInto("rounds")
        .values({ id, name: name.trim(), starts_on: startsOn, ends_on: endsOn, created_at: new Date().toISOString() })
        .execute();
      await audit(db, { action: "round_added", actor: ctx.actor, subject: id, detail: { name, startsOn, endsOn } });
      return [`round ${id} "${name.trim()}" ${startsOn} – ${endsOn} added`];
    }
    case "import-sites": {
      const file = requireArg(positionals[0], "sites file");
      const format = /\.csv$/i.test(file) ? "csv" : /\.xlsx$/i.test(file) ? "xlsx" : null;
      if (!format) throw new CliError("the sites file is a .csv or an .xlsx file");
      let rows: Awaited<ReturnType<typeof importSites>>;
      try {
        rows = await importSites(db, await readFile(file), format, ctx.actor);
      } catch (error) {
        if (error instanceof SpreadsheetError) throw new CliError(`${file}: ${error.message}`);
        throw error;
      }
      const count = (status: string) => rows.filter((r) => r.status === status).length;
      return [
        `${count("created")} sites created, ${count("updated")} updated, ${count("unchanged")} unchanged, ${count("refused")} refused`,
        ...rows.flatMap((r) => (r.status === "refused" ? [`  line ${r.line} (${r.code}): ${r.problem}`] : [])),
      ];
    }
    case "recount": {
      const found = await recount(db, { fix: values.fix === true });
      if (values.fix && found.length > 0) {
        await audit(db, { action: "counters_fixed", actor: ctx.actor, detail: { differences: found.length } });
      }
      if (found.length === 0) return ["the counters agree with the stored rows"];
      return [
        `${found.length} counter${found.length === 1 ? "" : "s"} differ${values.fix ? " (now fixed)" : " (run with --fix to correct)"}:`,
        ...found
          .slice(0, 50)
          .map((d) => `  ${d.siteCode} ${d.day} ${d.field}: stored ${d.stored}, recounted ${d.recounted}`),
        ...(found.length > 50 ? [`  … and ${found.length - 50} more`] : []),
      ];
    }
    default:
      throw new CliError(command ? `unknown command: ${command}\n\n${USAGE}` : USAGE);
  }
}
