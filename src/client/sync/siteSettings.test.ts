// The site settings change against a real server (in-process Fastify on a temporary SQLite file), over Dexie on
// fake-indexeddb, as the settings screen makes it.
import "fake-indexeddb/auto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SiteConfig } from "../../domain/protocol";
import { DEMO_LOGIN } from "../../server/sites/demo";
import { createStaff } from "../../server/sites/sites";
import { startTestServer, type TestServer } from "../../server/testServer";
import { db } from "../data/db";
import { knownStaffNames, loadSession } from "../data/session";
import { pageSyncLoop as syncLoop } from "./outbox";
import { signIn } from "./signIn";
import { changeSiteSettings, problemOfFailure, siteSettingsChanges } from "./siteSettings";

let server: TestServer;
let base = "";
const realFetch = globalThis.fetch;

beforeAll(async () => {
  server = await startTestServer();
  base = await server.app.listen({ port: 0, host: "127.0.0.1" });
  globalThis.fetch = (input, init) => realFetch(typeof input === "string" ? `${base}${input}` : input, init);
  await createStaff(server.store.db, {
    username: "lead",
    name: "组长",
    role: "site_lead",
    siteCode: "DEMO",
    password: "leadpass1",
  });
});
afterAll(async () => {
  syncLoop.stop();
  globalThis.fetch = realFetch;
  await server.dispose();
});
afterEach(async () => {
  // Sign-in and a saved change start sync passes: let them finish before the database goes.
  await syncLoop.syncNow();
  syncLoop.stop();
});
beforeEach(async () => {
  await db.delete();
  await db.open();
});

const site: SiteConfig = {
  code: "DEMO",
  name: "演示采样点",
  poolSize: 10,
  tubePattern: "^[0-9A-Z]{8,16}$",
  boxPattern: "^BOX[0-9A-Z-]{3,20}$",
  phoneRequired: false,
};

describe("site settings form", () => {
  it("sends only what changed, and refuses a bad name or no change before sending", () => {
    const form = { name: site.name, poolSize: site.poolSize, phoneRequired: false, retentionDays: 7 };
    expect(siteSettingsChanges(site, { ...form, poolSize: 5 })).toEqual({ ok: true, value: { poolSize: 5 } });
    expect(siteSettingsChanges(site, { ...form, name: " 新名字 ", phoneRequired: true, retentionDays: 7 })).toEqual({
      ok: true,
      value: { name: "新名字", phoneRequired: true },
    });
    expect(siteSettingsChanges(site, form)).toEqual({ ok: false, error: "unchanged" });
    expect(siteSettingsChanges(site, { ...form, name: "   " })).toEqual({ ok: false, error: "name_empty" });
    expect(siteSettingsChanges(site, { ...form, name: "点".repeat(65) })).toEqual({
      ok: false,
      error: "name_too_long",
    });
    expect(siteSettingsChanges(site, { ...form, name: "a\u0007b" })).toEqual({
      ok: false,
      error: "name_bad_characters",
    });
  });

  it("names the reason for each failure the server or the network gives", () => {
    const http = (status: number, code: string) => ({ kind: "http" as const, status, code, message: "" });
    expect(problemOfFailure({ kind: "network", message: "Failed to fetch" })).toBe("offline");
    expect(problemOfFailure(http(401, "invalid_token"))).toBe("signed_out");
    expect(problemOfFailure(http(403, "forbidden_role"))).toBe("forbidden_role");
    expect(problemOfFailure(http(403, "wrong_site"))).toBe("wrong_site");
    expect(problemOfFailure(http(404, "unknown_site"))).toBe("unknown_site");
    expect(problemOfFailure(http(400, "invalid_request"))).toBe("refused");
    expect(problemOfFailure(http(503, "unavailable"))).toBe("server");
  });
});

describe("changing the site settings", () => {
  it("a site lead's change reaches the server and becomes this device's site configuration at once", async () => {
    await signIn("lead", "leadpass1");
    const outcome = await changeSiteSettings({ name: "幸福里", poolSize: 5, phoneRequired: true, retentionDays: 7 });
    expect(outcome).toMatchObject({
      ok: true,
      value: { code: "DEMO", name: "幸福里", poolSize: 5, phoneRequired: true },
    });
    expect((await loadSession())?.site).toMatchObject({
      name: "幸福里",
      poolSize: 5,
      phoneRequired: true,
      retentionDays: 7,
    });
    const token = (await loadSession())?.token;
    const seen = await server.app.inject({
      method: "GET",
      url: "/api/v1/sites/DEMO",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(seen.json()).toMatchObject({ poolSize: 5, phoneRequired: true, retentionDays: 7 });
    // Who signed in here is remembered by name (the history names who voided or moved people).
    expect(Object.values(await knownStaffNames())).toContain("组长");
  });

  it("a role the server refuses, or no network, changes nothing on the device and says why", async () => {
    const before = (await signIn("lead", "leadpass1")).site;
    // The lead's role was taken away on the server after sign-in.
    await server.store.db.updateTable("staff").set({ role: "collector" }).where("username", "=", "lead").execute();
    expect(
      await changeSiteSettings({ name: before.name, poolSize: 20, phoneRequired: false, retentionDays: 7 }),
    ).toEqual({
      ok: false,
      error: { problem: "forbidden_role", code: "forbidden_role" },
    });
    await server.store.db.updateTable("staff").set({ role: "site_lead" }).where("username", "=", "lead").execute();
    globalThis.fetch = () => Promise.reject(new TypeError("Failed to fetch"));
    try {
      expect(
        await changeSiteSettings({ name: before.name, poolSize: 1, phoneRequired: false, retentionDays: 7 }),
      ).toEqual({
        ok: false,
        error: { problem: "offline" },
      });
    } finally {
      globalThis.fetch = (input, init) => realFetch(typeof input === "string" ? `${base}${input}` : input, init);
    }
    expect((await loadSession())?.site).toEqual(before);
  });

  it("a collector's device does not send at all", async () => {
    await signIn(DEMO_LOGIN.username, DEMO_LOGIN.password);
    expect(await changeSiteSettings({ name: "x", poolSize: 1, phoneRequired: false, retentionDays: 7 })).toEqual({
      ok: false,
      error: { problem: "forbidden_role" },
    });
  });
});
