import { expect, type Page, test } from "./fixtures";
import { logIn, scan } from "./helpers";

/** "本点今日 N 人": the site's registrations today as this phone sees them. */
async function siteCount(page: Page): Promise<number> {
  const text = (await page.getByTestId("counters").textContent()) ?? "";
  const match = text.match(/本点今日 (\d+) 人/);
  if (!match) throw new Error(`no site counter in "${text}"`);
  return Number(match[1]);
}

async function syncNow(page: Page) {
  await page.getByRole("button", { name: /立即同步|Sync now/ }).click();
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });
}

test("two phones at one site see each other's tubes, residents and counters after they sync", async ({ browser }) => {
  // Two installations: separate storage, so separate device ids and databases.
  const phoneA = await (await browser.newContext()).newPage();
  const phoneB = await (await browser.newContext()).newPage();
  await logIn(phoneA);
  await logIn(phoneB);
  await syncNow(phoneB);
  const before = await siteCount(phoneB);

  await scan(phoneA, "TWOPHONE01");
  await expect(phoneA.getByTestId("open-tube")).toHaveText("TWOPHONE01");
  await scan(phoneA, "SP1|赵六|PP|E55512345");
  await expect(phoneA.getByTestId("tube-count")).toHaveText("1 / 10");
  await syncNow(phoneA);

  // Phone B pulls A's events: the site counter counts A's resident.
  await syncNow(phoneB);
  await expect.poll(() => siteCount(phoneB), { timeout: 15_000 }).toBe(before + 1);

  // A's tube is known to B: scanning it there is refused.
  await scan(phoneB, "TWOPHONE01");
  await expect(phoneB.getByTestId("problem")).toContainText("TWOPHONE01");
  await expect(phoneB.getByTestId("problem")).toContainText(/已使用过|already used/);

  // A's resident is "already registered today" on B too: a second sample needs a reason.
  await scan(phoneB, "TWOPHONE02");
  await expect(phoneB.getByTestId("open-tube")).toHaveText("TWOPHONE02");
  await scan(phoneB, "SP1|赵六|PP|E55512345");
  await expect(phoneB.getByTestId("repeat-form")).toBeVisible();
  await expect(phoneB.getByTestId("problem")).toContainText("TWOPHONE01");
  await expect(phoneB.getByTestId("tube-count")).toHaveText("0 / 10");
});
