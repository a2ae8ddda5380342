import { randomResidentCode } from "../scripts/frames/corpus";
import { mulberry32 } from "../scripts/frames/render";
import { expect, type Page, test } from "./fixtures";
import { account, checkerToken, logIn, scan, unlock, waitForServiceWorker } from "./helpers";

/** Distinct residents (unique document numbers), seeded. */
function residents(count: number): { code: string; docNumber: string }[] {
  const rand = mulberry32(2021);
  const seen = new Set<string>();
  const out: { code: string; docNumber: string }[] = [];
  while (out.length < count) {
    const code = randomResidentCode(rand);
    const docNumber = code.split("|")[3] as string;
    if (seen.has(docNumber)) continue;
    seen.add(docNumber);
    out.push({ code, docNumber });
  }
  return out;
}

async function fillTube(page: Page, tube: string, people: { code: string }[], startCount = 0) {
  await scan(page, tube);
  await expect(page.getByTestId("open-tube")).toHaveText(tube);
  for (const [i, person] of people.entries()) {
    await scan(page, person.code);
    await expect(page.getByTestId("tube-count")).toHaveText(new RegExp(`^${startCount + i + 1} / 10$`));
  }
}

test("a whole offline work session — full, short, voided and transferred tubes, a box handed over — reaches the server exactly", async ({
  page,
  context,
  request,
}) => {
  test.setTimeout(180_000);
  const people = residents(24);
  const [a, b, extraB, d] = [people.slice(0, 10), people.slice(10, 20), people[20], people.slice(21, 24)];
  await logIn(page);
  // The page is opened again offline below: only a page the service worker controls can load then.
  await waitForServiceWorker(page);
  await context.setOffline(true);

  // Tube A: ten people, full, sealed.
  await fillTube(page, "YT10000001", a);
  await expect(page.getByTestId("seal-prompt")).toBeVisible();
  await page.getByTestId("seal-prompt").getByRole("button").click();
  await expect(page.getByTestId("open-tube")).toHaveCount(0);

  // Tube B: ten people, one voided and replaced, sealed full.
  await fillTube(page, "YT10000002", b);
  // The third registered: the list is newest first.
  const third = page.getByTestId("members").locator("li").nth(7);
  await third.getByRole("button", { name: /作废|Void/ }).click();
  const voiding = page.getByTestId("void-form");
  await voiding.getByRole("radio", { name: /信息录入错误|Entry error/ }).check();
  await voiding.getByRole("button", { name: /确认作废|Void registration/ }).click();
  await expect(page.getByTestId("tube-count")).toHaveText("9 / 10");
  await scan(page, (extraB as { code: string }).code);
  await expect(page.getByTestId("tube-count")).toHaveText("10 / 10");

  // The app is killed mid-shift and opened again, still offline.
  await page.close();
  page = await context.newPage();
  await page.goto("/");
  await unlock(page);
  await expect(page.getByTestId("open-tube")).toHaveText("YT10000002");
  await expect(page.getByTestId("tube-count")).toHaveText("10 / 10");
  await page.getByTestId("seal-prompt").getByRole("button").click();

  // Tube D breaks after three people: they move to tube E, which is sealed short with three.
  await fillTube(page, "YT10000003", d);
  await page.getByRole("button", { name: /转管|Transfer/ }).click();
  const transfer = page.getByTestId("transfer-form");
  await transfer.getByLabel(/新试管条码|New tube barcode/).fill("YT10000004");
  await transfer.getByRole("radio", { name: /试管破损|Tube broken/ }).check();
  await transfer.getByRole("button", { name: /确认转管|Transfer people/ }).click();
  await expect(page.getByTestId("open-tube")).toHaveText("YT10000004");
  await expect(page.getByTestId("tube-count")).toHaveText("3 / 10");
  await page.getByTestId("seal").click();
  await page
    .getByRole("alertdialog")
    .getByRole("button", { name: /确认封管|Seal short tube/ })
    .click();
  await expect(page.getByTestId("open-tube")).toHaveCount(0);

  // Box: the three sealed tubes, closed and handed over.
  await page.getByTestId("tab-boxes").click();
  const boxInput = page.getByTestId("box-input");
  for (const code of ["BOX-000001", "YT10000001", "YT10000002", "YT10000003", "YT10000004"]) {
    await boxInput.fill(code);
    await boxInput.press("Enter");
  }
  // The void tube D is refused; A, B and E are in.
  await expect(page.getByTestId("box-count")).toHaveText(/^3/);
  await page.getByRole("button", { name: /关箱|Close box/ }).click();
  await page.getByRole("button", { name: /交接转运|Hand over/ }).click();
  await page.getByLabel(/转运人员姓名|Courier name/).fill("刘师傅");
  await page.getByLabel(/转运人员手机号|Courier mobile/).fill("13900001111");
  await page.getByLabel(/车牌号|Vehicle plate/).fill("鲁F12345");
  await page.getByRole("button", { name: /确认交接|Confirm handover/ }).click();
  await expect(page.getByTestId("handed-boxes")).toContainText("BOX-000001");

  // Back online: everything uploads.
  await context.setOffline(false);
  await page.getByRole("button", { name: /立即同步|Sync now/ }).click();
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });

  const token = await checkerToken(request);
  const headers = { authorization: `Bearer ${token}` };
  const tubes = (await (await request.get(`/api/v1/sites/${account().siteCode}/tubes`, { headers })).json()) as {
    code: string;
    status: string;
    short: boolean;
    boxCode: string | null;
    transferredTo: string | null;
    members: { docNumber: string }[];
  }[];
  const mine = tubes.filter((t) => t.code.startsWith("YT1000000"));
  const bMembers = [...b.slice(0, 2), ...b.slice(3), extraB] as { docNumber: string }[];
  expect(mine.map((t) => ({ ...t, members: t.members.map((m) => m.docNumber) }))).toEqual([
    {
      code: "YT10000001",
      capacity: 10,
      status: "sealed",
      short: false,
      boxCode: "BOX-000001",
      transferredTo: null,
      members: a.map((p) => p.docNumber),
    },
    {
      code: "YT10000002",
      capacity: 10,
      status: "sealed",
      short: false,
      boxCode: "BOX-000001",
      transferredTo: null,
      members: bMembers.map((p) => p.docNumber),
    },
    {
      code: "YT10000003",
      capacity: 10,
      status: "void",
      short: false,
      boxCode: null,
      transferredTo: "YT10000004",
      members: [],
    },
    {
      code: "YT10000004",
      capacity: 10,
      status: "sealed",
      short: true,
      boxCode: "BOX-000001",
      transferredTo: null,
      members: d.map((p) => p.docNumber),
    },
  ]);
  const boxes = (await (
    await request.get(`/api/v1/sites/${account().siteCode}/boxes`, { headers })
  ).json()) as unknown[];
  expect(boxes).toContainEqual({
    code: "BOX-000001",
    status: "handed_over",
    tubeCodes: ["YT10000001", "YT10000002", "YT10000004"],
    handover: expect.objectContaining({ courierName: "刘师傅", courierPhone: "13900001111", vehiclePlate: "鲁F12345" }),
  });

  // What the device shows matches: the history lists the same tubes with the same counts and states.
  await page.getByTestId("tab-history").click();
  for (const t of mine) {
    const item = page.getByTestId(`history-${t.code}`);
    await expect(item).toContainText(`${t.members.length} / 10`);
  }
});
