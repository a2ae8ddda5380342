import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LoginResponse } from "../../domain/protocol";
import { eventStream } from "../../domain/testEvents";
import { DEMO_LOGIN } from "../sites/demo";
import { startTestServer, TEST_STORES, type TestServer } from "../testServer";
import { CliError, runCommand } from "./commands";

describe.each(TEST_STORES)("administration CLI on %s", (kind) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ kind });
  });
  afterEach(async () => {
    await server.dispose();
  });

  const cli = (...argv: string[]) =>
    runCommand(argv, { store: server.store, dataDir: server.dataDir, actor: "cli:test" });

  async function login(username: string, password: string, deviceId = "device-cli-0001") {
    return server.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username, password, deviceId } });
  }

  async function pushTubes(s: LoginResponse, deviceId: string, count: number, pending?: number) {
    const stream = eventStream(deviceId, s.site.code, s.staff.id);
    const events = Array.from({ length: count }, (_, i) =>
      stream.next("tube.opened", { tubeCode: `YT${String(i).padStart(8, "0")}`, capacity: 10 }),
    );
    return server.app.inject({
      method: "POST",
      url: "/api/v1/events/push",
      headers: { authorization: `Bearer ${s.token}` },
      payload: { deviceId, events, ...(pending === undefined ? {} : { pending }) },
    });
  }

  it("adds a site and staff with a generated password that signs in; refuses bad or duplicate input", async () => {
    expect(await cli("add-site", "SP001", "芝罘区一号点", "--pool", "20")).toEqual([
      'site SP001 "芝罘区一号点" added (pool 20)',
    ]);
    const lines = await cli("add-staff", "lead7", "王站长", "--site", "SP001", "--role", "site_lead");
    const password = lines[1]?.replace("password: ", "") as string;
    const res = await login("lead7", password);
    expect(res.statusCode).toBe(200);
    expect(res.json<LoginResponse>()).toMatchObject({
      staff: { role: "site_lead" },
      site: { code: "SP001", poolSize: 20 },
    });

    await expect(cli("add-site", "SP001", "again")).rejects.toThrow(CliError);
    await expect(cli("add-site", "SP002", "x", "--pool", "7")).rejects.toThrow(/pool size/);
    await expect(cli("add-staff", "lead7", "dup", "--site", "SP001", "--role", "collector")).rejects.toThrow(/taken/);
    await expect(cli("add-staff", "x1", "x", "--site", "SP001", "--role", "boss")).rejects.toThrow(/role/);
    await expect(cli("add-staff", "x2", "x", "--site", "NOPE", "--role", "collector")).rejects.toThrow(/no site/);
    await expect(cli("add-staff", "x3", "x", "--site", "SP001", "--role", "lab")).rejects.toThrow(/--lab/);
    await expect(cli("add-staff", "x4", "x", "--lab", "NOLAB")).rejects.toThrow(/no lab/);
    await expect(cli("add-lab", "bad code", "x")).rejects.toThrow(/lab code/);
    expect(await cli("add-lab", "LAB01", "芝罘区疾控PCR实验室")).toEqual([`lab LAB01 "芝罘区疾控PCR实验室" added`]);
    await expect(cli("add-lab", "LAB01", "again")).rejects.toThrow(/exists/);
    await expect(cli("add-staff", "x5", "x", "--lab", "LAB01", "--site", "SP001")).rejects.toThrow(/not both/);
    await expect(cli("frobnicate")).rejects.toThrow(/unknown command/);
  });

  it("revokes a device: its token gets 401 token_revoked; lists devices with what they still had queued", async () => {
    const s = (await login(DEMO_LOGIN.username, DEMO_LOGIN.password)).json<LoginResponse>();
    expect((await pushTubes(s, "device-cli-0001", 2, 5)).statusCode).toBe(200);
    const listed = await cli("list-devices", "--site", "DEMO");
    expect(listed[1]?.split("\t")).toEqual(["device-cli-0001", "DEMO", "demo", "2", expect.any(String), "3"]);

    expect(await cli("revoke-device", "device-cli-0001")).toEqual(["device device-cli-0001: 1 token(s) revoked"]);
    const refused = await pushTubes(s, "device-cli-0001", 1);
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: "token_revoked" });
    await expect(cli("revoke-device", "no-such-device")).rejects.toThrow(/no device/);
    const actions = await server.store.db.selectFrom("audit_log").select("action").orderBy("at").execute();
    expect(actions.map((a) => a.action)).toContain("token_revoked");
  });

  it("resets a password and signs the user out everywhere", async () => {
    const s = (await login(DEMO_LOGIN.username, DEMO_LOGIN.password)).json<LoginResponse>();
    await cli("reset-password", "demo", "--password", "new-password-9");
    expect((await pushTubes(s, "device-cli-0001", 1)).statusCode).toBe(401);
    expect((await login("demo", DEMO_LOGIN.password)).statusCode).toBe(401);
    expect((await login("demo", "new-password-9")).statusCode).toBe(200);
  });

  it.skipIf(kind !== "sqlite")("takes a consistent online backup of the SQLite store", async () => {
    const s = (await login(DEMO_LOGIN.username, DEMO_LOGIN.password)).json<LoginResponse>();
    await pushTubes(s, "device-cli-0001", 3);
    const file = path.join(mkdtempSync(path.join(tmpdir(), "samplepoint-backup-")), "backup.sqlite");
    expect(await cli("backup", file)).toEqual([`backup written to ${file}`]);
    expect(existsSync(file)).toBe(true);
    const raw = new SQLite(file, { readonly: true });
    expect(raw.prepare("select count(*) as n from events").get()).toEqual({ n: 3 });
    raw.close();
  });
});
