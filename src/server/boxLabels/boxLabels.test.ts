// Box labels on both stores: runs of codes reserved atomically (parallel runs disjoint, across sites and restarts),
// codes the station and the server take as box codes, who may print, bad input refused, audited.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BoxLabelRun, BoxLabelSites } from "../../domain/boxLabels";
import type { LoginResponse, PushResponse } from "../../domain/protocol";
import { createScanClassifier, DEFAULT_BOX_PATTERN } from "../../domain/scanCodes";
import { eventStream } from "../../domain/testEvents";
import { runCommand } from "../cli/commands";
import { DEMO_LOGIN } from "../sites/demo";
import { startTestServer, TEST_STORES, type TestServer } from "../testServer";
import { prefixCandidates } from "./boxLabels";

/** A site code too long to be its own prefix. */
const LONG_SITE = "ZHIFU-YUHUANGDING-STREET-01";

describe("box label prefixes", () => {
  it("are the site code when short, else a stable three-character hash after '-'", () => {
    const first = (code: string, n = 1) => [...take(prefixCandidates(code), n)];
    expect(first("ZF01")).toEqual(["ZF01"]);
    expect(first("ZF01", 2)[1]).toMatch(/^-[0-9A-Z]{3}$/);
    expect(first(LONG_SITE)[0]).toMatch(/^-[0-9A-Z]{3}$/);
    expect(first(LONG_SITE)).toEqual(first(LONG_SITE));
    expect(new Set(first(LONG_SITE, 50)).size).toBe(50);
    // Codes with characters a box code cannot hold are hashed too.
    expect(first("ZF_01")[0]).toMatch(/^-/);
  });
});

function* take<T>(items: Iterable<T>, n: number): Generator<T> {
  if (n <= 0) return;
  let i = 0;
  for (const item of items) {
    yield item;
    if (++i >= n) return;
  }
}

describe.each(TEST_STORES)("box labels on %s", (kind) => {
  let server: TestServer;
  const ctx = () => ({ store: server.store, dataDir: server.dataDir, actor: "test" });
  beforeEach(async () => {
    server = await startTestServer({ kind });
    await runCommand(["add-site", "ZF01", "毓璜顶一号点", "--district", "芝罘区", "--street", "毓璜顶街道"], ctx());
    await runCommand(["add-site", "LS01", "莱山一号点", "--district", "莱山区"], ctx());
    await runCommand(["add-site", LONG_SITE, "毓璜顶街道长编码点", "--district", "芝罘区"], ctx());
    await runCommand(["add-staff", "city", "市指挥部", "--role", "admin", "--password", "password-city"], ctx());
    await runCommand(
      ["add-staff", "zf", "芝罘区指挥部", "--role", "admin", "--district", "芝罘区", "--password", "password-zf"],
      ctx(),
    );
    await runCommand(
      ["add-staff", "lead", "组长", "--site", "ZF01", "--role", "site_lead", "--password", "password-lead"],
      ctx(),
    );
    await runCommand(["add-lab", "LAB01", "检验所"], ctx());
    await runCommand(["add-staff", "lab1", "检验员", "--lab", "LAB01", "--password", "password-lab"], ctx());
  });
  afterEach(async () => {
    await server.dispose();
  });

  const consoleToken = async (username: string, password: string) =>
    (
      await server.app.inject({ method: "POST", url: "/api/v1/auth/console-login", payload: { username, password } })
    ).json<{ token: string }>().token;
  const phone = async (deviceId = "device-labels-01") => {
    const res = await server.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { ...DEMO_LOGIN, deviceId },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<LoginResponse>();
    const events = eventStream(deviceId, body.site.code, body.staff.id);
    const openBox = (boxCode: string) =>
      server.app.inject({
        method: "POST",
        url: "/api/v1/events/push",
        headers: { authorization: `Bearer ${body.token}` },
        payload: { deviceId, events: [events.next("box.opened", { boxCode })] },
      });
    return { token: body.token, openBox };
  };
  const reserve = (bearer: string | null, site: string, payload: unknown) =>
    server.app.inject({
      method: "POST",
      url: `/api/v1/sites/${encodeURIComponent(site)}/box-labels`,
      headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
      payload: payload as object,
    });
  const counter = async (site: string) =>
    Number(
      (
        await server.store.db
          .selectFrom("sites")
          .select("box_label_seq")
          .where("code", "=", site)
          .executeTakeFirstOrThrow()
      ).box_label_seq,
    );
  const audits = () =>
    server.store.db
      .selectFrom("audit_log")
      .select(["site_code", "actor", "subject", "detail"])
      .where("action", "=", "box_labels_reserved")
      .orderBy("at")
      .execute();

  it("gives the site's staff new box codes the station and the server take as box codes, audited", async () => {
    const p = await phone();
    const first = await reserve(p.token, "DEMO", { count: 3 });
    expect(first.statusCode).toBe(200);
    const run = first.json<BoxLabelRun>();
    expect(run).toMatchObject({
      codes: ["BOXDEMO-0001", "BOXDEMO-0002", "BOXDEMO-0003"],
      site: { code: "DEMO" },
    });
    expect(run.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(first.headers["cache-control"]).toBe("no-store");
    const classifier = createScanClassifier();
    for (const code of run.codes) {
      expect(code).toMatch(new RegExp(DEFAULT_BOX_PATTERN));
      expect(classifier.classify(code)).toEqual({ kind: "box", code });
    }
    // The next run goes on from there.
    expect((await reserve(p.token, "DEMO", { count: 2 })).json<BoxLabelRun>().codes).toEqual([
      "BOXDEMO-0004",
      "BOXDEMO-0005",
    ]);

    // A phone opens a box with a printed code: accepted, and the server knows the box.
    const push = await p.openBox(run.codes[1] as string);
    expect(push.statusCode).toBe(200);
    expect(push.json<PushResponse>().results).toEqual([expect.objectContaining({ status: "accepted" })]);
    const boxes = await server.app.inject({
      method: "GET",
      url: "/api/v1/sites/DEMO/boxes",
      headers: { authorization: `Bearer ${p.token}` },
    });
    expect(boxes.json<{ code: string }[]>().map((b) => b.code)).toEqual(["BOXDEMO-0002"]);

    const rows = await audits();
    expect(rows.map((r) => [r.site_code, r.subject, JSON.parse(r.detail ?? "{}")])).toEqual([
      ["DEMO", "BOXDEMO-0001..BOXDEMO-0003", { count: 3, first: "BOXDEMO-0001", last: "BOXDEMO-0003" }],
      ["DEMO", "BOXDEMO-0004..BOXDEMO-0005", { count: 2, first: "BOXDEMO-0004", last: "BOXDEMO-0005" }],
    ]);
    expect(rows[0]?.actor).toEqual(expect.any(String));
  });

  it("gives parallel runs disjoint codes, unique across sites and across restarts", async () => {
    const city = await consoleToken("city", "password-city");
    const lead = await consoleToken("lead", "password-lead");
    const p = await phone();
    const sites = ["DEMO", "ZF01", LONG_SITE];
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => {
        const site = sites[i % 3] as string;
        const bearer = site === "DEMO" ? p.token : site === "ZF01" && i % 2 === 0 ? lead : city;
        return reserve(bearer, site, { count: 40 });
      }),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(12).fill(200));
    const runs = answers.map((a) => a.json<BoxLabelRun>());
    let all = runs.flatMap((r) => r.codes);
    expect(all).toHaveLength(480);
    expect(new Set(all).size).toBe(480);
    for (const site of sites) expect(await counter(site)).toBe(160);
    // Each run is one consecutive stretch of its site's numbers.
    for (const run of runs) {
      const numbers = run.codes.map((c) => Number(c.slice(c.lastIndexOf("-") + 1)));
      expect(numbers).toEqual(numbers.map((_, i) => (numbers[0] as number) + i));
    }
    const longCodes = runs.filter((r) => r.site.code === LONG_SITE).flatMap((r) => r.codes);
    for (const code of longCodes) {
      expect(code).toMatch(/^BOX-[0-9A-Z]{3}-\d{4}$/);
      expect(code).toMatch(new RegExp(DEFAULT_BOX_PATTERN));
    }
    expect((await audits()).length).toBe(12);

    // After a restart the counters and prefixes are where they were.
    await server.stop();
    server = await startTestServer({
      kind,
      dataDir: server.dataDir,
      ...(server.schema ? { schema: server.schema } : {}),
    });
    const again = await reserve(await consoleToken("city", "password-city"), LONG_SITE, { count: 2 });
    const more = again.json<BoxLabelRun>().codes;
    expect(more[0]?.slice(0, 8)).toBe(longCodes[0]?.slice(0, 8));
    expect(more.map((c) => c.slice(-4))).toEqual(["0161", "0162"]);
    all = [...all, ...more];
    expect(new Set(all).size).toBe(all.length);
  });

  it("takes the next hash when another site holds a long site's prefix", async () => {
    const [firstHash, secondHash] = [...take(prefixCandidates(LONG_SITE), 2)];
    await server.store.db
      .updateTable("sites")
      .set({ box_label_prefix: firstHash as string })
      .where("code", "=", "LS01")
      .execute();
    const city = await consoleToken("city", "password-city");
    const run = (await reserve(city, LONG_SITE, { count: 1 })).json<BoxLabelRun>();
    expect(run.codes).toEqual([`BOX${secondHash}-0001`]);
    // LS01 keeps the prefix it holds.
    expect((await reserve(city, "LS01", { count: 1 })).json<BoxLabelRun>().codes).toEqual([`BOX${firstHash}-0001`]);
  });

  it("skips a code staff already typed for a box", async () => {
    const p = await phone();
    expect((await p.openBox("BOXDEMO-0002")).json<PushResponse>().results[0]?.status).toBe("accepted");
    const run = (await reserve(p.token, "DEMO", { count: 3 })).json<BoxLabelRun>();
    expect(run.codes).toEqual(["BOXDEMO-0001", "BOXDEMO-0003", "BOXDEMO-0004"]);
  });

  it("lets the site's staff and admins of its district print, and refuses the others", async () => {
    const city = await consoleToken("city", "password-city");
    const zf = await consoleToken("zf", "password-zf");
    const lead = await consoleToken("lead", "password-lead");
    const lab = await consoleToken("lab1", "password-lab");
    const p = await phone();
    const outcome = async (bearer: string | null, site: string) => {
      const res = await reserve(bearer, site, { count: 1 });
      return [res.statusCode, res.statusCode === 200 ? "ok" : res.json<{ code: string }>().code];
    };
    expect(await outcome(p.token, "DEMO")).toEqual([200, "ok"]);
    expect(await outcome(p.token, "ZF01")).toEqual([403, "wrong_site"]);
    expect(await outcome(lead, "ZF01")).toEqual([200, "ok"]);
    expect(await outcome(lead, "DEMO")).toEqual([403, "wrong_site"]);
    expect(await outcome(zf, "ZF01")).toEqual([200, "ok"]);
    expect(await outcome(zf, "LS01")).toEqual([403, "other_district"]);
    expect(await outcome(zf, "DEMO")).toEqual([200, "ok"]);
    expect(await outcome(city, "LS01")).toEqual([200, "ok"]);
    expect(await outcome(city, "NOSUCH")).toEqual([404, "unknown_site"]);
    expect(await outcome(lab, "ZF01")).toEqual([403, "forbidden_role"]);
    expect(await outcome(null, "ZF01")).toEqual([401, "missing_token"]);
    expect(await outcome("spt_not-a-token", "ZF01")).toEqual([401, "invalid_token"]);
    expect(await counter("LS01")).toBe(1);
    expect(await counter("ZF01")).toBe(2);

    // The sites each may choose from.
    const sitesOf = async (bearer: string) =>
      (
        await server.app.inject({
          method: "GET",
          url: "/api/v1/box-labels/sites",
          headers: { authorization: `Bearer ${bearer}` },
        })
      )
        .json<BoxLabelSites>()
        .sites.map((s) => s.code);
    expect(await sitesOf(city)).toEqual(["DEMO", "LS01", "ZF01", LONG_SITE].sort());
    expect(await sitesOf(zf)).toEqual(["DEMO", "ZF01", LONG_SITE].sort());
    expect(await sitesOf(lead)).toEqual(["ZF01"]);
    expect(await sitesOf(p.token)).toEqual(["DEMO"]);
    const labSites = await server.app.inject({
      method: "GET",
      url: "/api/v1/box-labels/sites",
      headers: { authorization: `Bearer ${lab}` },
    });
    expect([labSites.statusCode, labSites.json().code]).toEqual([403, "forbidden_role"]);
  });

  it("refuses bad counts and bodies with 400 and a code, reserving nothing", async () => {
    const p = await phone();
    const bodies: [string, string][] = [
      ["zero", JSON.stringify({ count: 0 })],
      ["too many", JSON.stringify({ count: 501 })],
      ["negative", JSON.stringify({ count: -5 })],
      ["fraction", JSON.stringify({ count: 1.5 })],
      ["string", JSON.stringify({ count: "10" })],
      ["missing", JSON.stringify({})],
      ["extra field", JSON.stringify({ count: 1, prefix: "X" })],
      ["null", "null"],
      ["array", "[1]"],
      ["malformed", "{count:"],
      ["huge", JSON.stringify({ count: 1e308 })],
    ];
    for (const [label, payload] of bodies) {
      const res = await server.app.inject({
        method: "POST",
        url: "/api/v1/sites/DEMO/box-labels",
        headers: { authorization: `Bearer ${p.token}`, "content-type": "application/json" },
        payload,
      });
      expect(res.statusCode, label).toBe(400);
      expect(res.json<{ code: string }>().code, label).toMatch(/^(invalid_request|malformed_json)$/);
    }
    const plain = await server.app.inject({
      method: "POST",
      url: "/api/v1/sites/DEMO/box-labels",
      headers: { authorization: `Bearer ${p.token}`, "content-type": "text/plain" },
      payload: "count=5",
    });
    expect([plain.statusCode, plain.json().code]).toEqual([415, "unsupported_media_type"]);
    for (const site of ["demo", "X", "'; DROP TABLE sites; --", "A".repeat(40)]) {
      const res = await reserve(p.token, site, { count: 1 });
      expect(res.statusCode, site).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, site).toBeLessThan(500);
      expect(res.json<{ code: string }>().code, site).toEqual(expect.any(String));
    }
    expect(await counter("DEMO")).toBe(0);
    expect(await audits()).toEqual([]);
    // 500 is the most one run takes.
    expect((await reserve(p.token, "DEMO", { count: 500 })).json<BoxLabelRun>().codes).toHaveLength(500);
  });

  it("refuses a site whose box pattern cannot hold printed codes, and uses one that can", async () => {
    const city = await consoleToken("city", "password-city");
    await server.store.db
      .updateTable("sites")
      .set({ box_pattern: "^BOX[0-9]{6}$" })
      .where("code", "=", "ZF01")
      .execute();
    const refused = await reserve(city, "ZF01", { count: 5 });
    expect([refused.statusCode, refused.json().code]).toEqual([409, "box_pattern_unfit"]);
    expect(refused.json().details).toEqual({ boxPattern: "^BOX[0-9]{6}$", example: "BOXZF01-0001" });
    expect(await counter("ZF01")).toBe(0);
    expect(await audits()).toEqual([]);

    await server.store.db
      .updateTable("sites")
      .set({ box_pattern: "^BOX[A-Z0-9-]{8,12}$" })
      .where("code", "=", "ZF01")
      .execute();
    expect((await reserve(city, "ZF01", { count: 1 })).json<BoxLabelRun>().codes).toEqual(["BOXZF01-0001"]);
  });
});
