// The deployment's resident code formats: read and checked at start (a broken file stops the start with the reason),
// and sent to each site's phones with the site's configuration (a format limited to some sites reaches only those).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { LoginResponse } from "../domain/protocol";
import { runCommand } from "./cli/commands";
import { readResidentFormats } from "./config";
import { DEMO_LOGIN } from "./sites/demo";
import { startTestServer, type TestServer } from "./testServer";

const dir = mkdtempSync(path.join(tmpdir(), "samplepoint-formats-"));
const file = (name: string, content: string) => {
  const at = path.join(dir, name);
  writeFileSync(at, content);
  return at;
};
const DELIMITED = {
  kind: "delimited",
  label: "烟台一码通",
  prefix: "YTM:",
  separator: "#",
  fields: { name: 0, docType: 1, docNumber: 2 },
  docTypeCodes: { "01": "ID" },
};

describe("resident code formats of the deployment", () => {
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.dispose();
    server = null;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a broken file at start, naming what is wrong", () => {
    expect(() => readResidentFormats(file("a.json", "{not json"))).toThrow(/cannot read it as JSON/);
    expect(() => readResidentFormats(file("b.json", JSON.stringify({ formats: [{ kind: "xml" }] })))).toThrow(
      /RESIDENT_FORMATS_FILE/,
    );
    expect(() =>
      readResidentFormats(
        file(
          "c.json",
          JSON.stringify({ formats: [{ kind: "regex", label: "坏", pattern: "(?<name>", docType: "ID" }] }),
        ),
      ),
    ).toThrow(/not a valid regular expression/);
    expect(readResidentFormats(file("d.json", JSON.stringify({ formats: [DELIMITED] })))).toHaveLength(1);
  });

  it("sends a site's formats to its phones, and none to other sites", async () => {
    server = await startTestServer({
      residentFormats: [
        readResidentFormats(file("e.json", JSON.stringify({ formats: [DELIMITED] })))[0] as never,
        { ...DELIMITED, label: "只给 ZF01", prefix: "ZF:", sites: ["ZF01"] } as never,
      ],
    });
    await runCommand(["add-site", "ZF01", "毓璜顶一号点"], {
      store: server.store,
      dataDir: server.dataDir,
      actor: "t",
    });
    const login = await server.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { ...DEMO_LOGIN, deviceId: "device-formats-01" },
    });
    expect(login.json<LoginResponse>().site.residentFormats?.map((f) => f.label)).toEqual(["烟台一码通"]);
    const site = await server.app.inject({
      method: "GET",
      url: "/api/v1/sites/DEMO",
      headers: { authorization: `Bearer ${login.json<LoginResponse>().token}` },
    });
    expect(site.json().residentFormats).toHaveLength(1);
  });
});
