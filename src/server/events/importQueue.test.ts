// The escape hatch on the server: an administrator imports a device's exported queue (API and CLI), with the same
// exactly-once result as a push, on both stores.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SampleEvent } from "../../domain/events";
import { buildExportFile } from "../../domain/exportFile";
import type { ImportResponse, LoginResponse, PushResponse } from "../../domain/protocol";
import { eventStream, nextTestUuid } from "../../domain/testEvents";
import { runCommand } from "../cli/commands";
import { DEMO_LOGIN } from "../sites/demo";
import { createStaff } from "../sites/sites";
import { startTestServer, TEST_STORES, type TestServer } from "../testServer";

const DEVICE = "device-export-import";
const ADMIN = { username: "district-admin", password: "admin-password-1" };

describe.each(TEST_STORES)("importing an exported queue on %s", (kind) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ kind });
    await createStaff(server.store.db, { ...ADMIN, name: "区指挥部", role: "admin", siteCode: "DEMO" });
  });
  afterEach(async () => {
    await server.dispose();
  });

  const login = async (credentials: { username: string; password: string }, deviceId: string) =>
    (
      await server.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { ...credentials, deviceId } })
    ).json<LoginResponse>();

  /** The device signs in, pushes `synced` events, and exports the rest (its unsynced queue). */
  async function deviceWithQueue(synced: number, queued: number) {
    const session = await login(DEMO_LOGIN, DEVICE);
    const stream = eventStream(DEVICE, "DEMO", session.staff.id);
    const events: SampleEvent[] = [];
    for (let i = 0; i < synced + queued; i++) {
      events.push(
        i % 5 === 0
          ? stream.next("tube.opened", { tubeCode: `IMP${String(i).padStart(5, "0")}`, capacity: 10 })
          : stream.next("registration.added", {
              registrationId: nextTestUuid(),
              tubeCode: `IMP${String(i - (i % 5)).padStart(5, "0")}`,
              resident: { name: "居民", docType: "PP", docNumber: `E${String(i).padStart(8, "0")}` },
            }),
      );
    }
    const push = (batch: SampleEvent[]) =>
      server.app.inject({
        method: "POST",
        url: "/api/v1/events/push",
        headers: { authorization: `Bearer ${session.token}` },
        payload: { deviceId: DEVICE, events: batch },
      });
    if (synced > 0) expect((await push(events.slice(0, synced))).statusCode).toBe(200);
    const file = buildExportFile(
      { deviceId: DEVICE, siteCode: "DEMO", exportedAt: new Date().toISOString(), appVersion: "test" },
      events.slice(synced),
    );
    return { file, push, queue: events.slice(synced) };
  }

  const importFile = async (token: string, file: unknown) =>
    server.app.inject({
      method: "POST",
      url: "/api/v1/admin/import",
      headers: { authorization: `Bearer ${token}` },
      payload: file as object,
    });

  const count = async (table: "events" | "registrations") =>
    Number(
      (
        await server.store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("applies the queue exactly once: a second import and the device's own later push change nothing", async () => {
    const { file, push, queue } = await deviceWithQueue(5, 12);
    const admin = await login(ADMIN, "admin-console-0001");
    const first = await importFile(admin.token, file);
    expect(first.statusCode).toBe(200);
    expect(first.json<ImportResponse>()).toMatchObject({
      events: 12,
      accepted: 12,
      duplicates: 0,
      rejected: 0,
      mark: 17,
    });
    const stored = { events: await count("events"), registrations: await count("registrations") };
    expect(stored.events).toBe(17);

    const second = await importFile(admin.token, JSON.parse(JSON.stringify(file)));
    expect(second.json<ImportResponse>()).toMatchObject({ accepted: 0, duplicates: 12, rejected: 0, mark: 17 });
    // The device comes back online and pushes its queue: all duplicates.
    const later = (await push(queue)).json<PushResponse>();
    expect(later.results.every((r) => r.status === "duplicate")).toBe(true);
    expect({ events: await count("events"), registrations: await count("registrations") }).toEqual(stored);

    const audit = await server.store.db
      .selectFrom("audit_log")
      .select(["actor", "subject"])
      .where("action", "=", "queue_imported")
      .execute();
    expect(audit).toEqual([
      { actor: admin.staff.id, subject: DEVICE },
      { actor: admin.staff.id, subject: DEVICE },
    ]);
  });

  it("refuses non-administrators, damaged files and files mixing devices, storing nothing", async () => {
    const { file } = await deviceWithQueue(0, 6);
    const collector = await login(DEMO_LOGIN, "device-other-collector");
    const refused = await importFile(collector.token, file);
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ code: string }>().code).toBe("forbidden_role");

    const admin = await login(ADMIN, "admin-console-0002");
    const edited = structuredClone(file);
    (edited.events[1] as { payload: { resident: { name: string } } }).payload.resident.name = "改过的名字";
    const damaged = await importFile(admin.token, edited);
    expect(damaged.statusCode).toBe(400);
    expect(damaged.json<{ code: string }>().code).toBe("checksum_mismatch");

    const foreign = eventStream("device-someone-else", "DEMO", collector.staff.id).next("tube.opened", {
      tubeCode: "FOREIGN01",
      capacity: 10,
    });
    const mixed = buildExportFile(
      { deviceId: DEVICE, siteCode: "DEMO", exportedAt: file.exportedAt, appVersion: "test" },
      [...(file.events as SampleEvent[]), foreign],
    );
    const mixedAnswer = await importFile(admin.token, mixed);
    expect(mixedAnswer.statusCode).toBe(400);
    expect(mixedAnswer.json<{ code: string }>().code).toBe("export_mismatch");

    const notAFile = await importFile(admin.token, { format: "something else" });
    expect(notAFile.statusCode).toBe(400);
    expect(await count("events")).toBe(0);
  });

  it("imports with the CLI, twice, with the same exactly-once result", async () => {
    const { file } = await deviceWithQueue(3, 9);
    const fileName = path.join(server.dataDir, "queue-export.json");
    writeFileSync(fileName, JSON.stringify(file));
    const ctx = { store: server.store, dataDir: server.dataDir, actor: "cli:test" };
    const [firstLine] = await runCommand(["import", fileName], ctx);
    expect(firstLine).toContain("9 accepted, 0 already there, 0 rejected; mark 12");
    const [secondLine] = await runCommand(["import", fileName], ctx);
    expect(secondLine).toContain("0 accepted, 9 already there, 0 rejected; mark 12");
    expect(await count("events")).toBe(12);
    writeFileSync(fileName, "{ not json");
    await expect(runCommand(["import", fileName], ctx)).rejects.toThrow(/cannot read .* as JSON/);
  });
});
