// Other systems' resident codes, declared in the deployment's file (e2e/resident-formats.json, the README's worked
// examples): the phone gets them with its site and registers both formats; a code of no declared format is refused
// as before; the server holds what was registered.
import { idCheckCharacter } from "../src/domain/documents";
import { expect, test } from "./fixtures";
import { checkerToken, logIn, scan } from "./helpers";

const id = (first17: string) => first17 + idCheckCharacter(first17);

test("a delimited and a JSON code of other systems register; an undeclared format is refused", async ({
  page,
  request,
  siteAccount,
}) => {
  await logIn(page);
  const tube = `RF${siteAccount.siteCode.slice(-8)}`;
  await scan(page, tube);
  await expect(page.getByTestId("open-tube")).toHaveText(tube);

  const zhang = id("11010519491231002");
  await scan(page, `YTM:张三#01#${zhang}#13800138000`);
  await expect(page.getByTestId("tube-count")).toHaveText(/^1 \//);
  const li = id("37060219800101123");
  await scan(page, JSON.stringify({ p: { xm: "李四", zjhm: li, sjh: "13900139000" }, sq: "幸福里社区" }));
  await expect(page.getByTestId("tube-count")).toHaveText(/^2 \//);
  await expect(page.getByTestId("members").getByText("李四")).toBeVisible();

  // A code of a format nobody declared: refused, nothing registered.
  await scan(page, `XYZ|王五|${id("44030119900101123")}`);
  await expect(page.getByTestId("problem")).toHaveAttribute("data-code", /unrecognised_code|invalid_resident_code/);
  await expect(page.getByTestId("tube-count")).toHaveText(/^2 \//);

  await page.getByRole("button", { name: /立即同步|Sync now/ }).click();
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });
  const token = await checkerToken(request);
  const tubes = await request.get(`/api/v1/sites/${siteAccount.siteCode}/tubes`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(JSON.stringify(await tubes.json())).toContain(tube);
  const site = await request.get(`/api/v1/sites/${siteAccount.siteCode}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect((await site.json()).residentFormats.map((f: { label: string }) => f.label)).toEqual([
    "烟台一码通",
    "核酸码（JSON）",
  ]);
});
