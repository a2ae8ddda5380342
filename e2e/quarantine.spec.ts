import { expect, test } from "./fixtures";
import { account, checkerToken, horizontalOverflow, logIn, scan, setLanguage } from "./helpers";

test("records the server refuses go to quarantine with the reason, and are corrected and resubmitted or discarded with a reason", async ({
  page,
  request,
  adminStore,
}) => {
  // The fault: on the way to the server, the first registration of each of two residents gets a NUL in the name (as a
  // device on an older app version might send). The server really refuses them; the device keeps its own good copy.
  const corrupted = new Set<string>();
  // Uploads wait until the test has seen both registrations counted (the app syncs by itself after each one).
  let allowPush = () => {};
  const pushAllowed = new Promise<void>((resolve) => {
    allowPush = resolve;
  });
  await page.route("**/api/v1/events/push", async (route) => {
    await pushAllowed;
    const body = route.request().postDataJSON() as {
      events: { id: string; type: string; payload: { resident?: { name: string; docNumber: string } } }[];
    };
    for (const event of body.events) {
      const resident = event.payload.resident;
      if (resident && ["E66600001", "E66600002"].includes(resident.docNumber) && !corrupted.has(resident.docNumber)) {
        corrupted.add(resident.docNumber);
        resident.name = `${resident.name}\u0000`;
      }
    }
    await route.continue({ postData: JSON.stringify(body) });
  });

  await logIn(page);
  await scan(page, "QUARANT01");
  await scan(page, "SP1|钱七|PP|E66600001");
  await scan(page, "SP1|孙八|PP|E66600002");
  await expect(page.getByTestId("tube-count")).toHaveText("2 / 10");
  await expect(page.getByTestId("counters")).toContainText("本机今日 2 人");
  allowPush();
  await page.getByRole("button", { name: /立即同步|Sync now/ }).click();

  // Both are refused and set aside: the queue is not blocked, and a tab lists them with the reason.
  const tab = page.getByTestId("tab-quarantine");
  await expect(tab).toHaveText(/2\s*待处理/, { timeout: 30_000 });
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0");
  // Rejected records do not count (as the quarantine page says) until they are resubmitted, and the badge does not
  // claim that everything is uploaded.
  await expect(page.getByTestId("tube-count")).toHaveText("0 / 10");
  await expect(page.getByTestId("counters")).toContainText("本机今日 0 人");
  await expect(page.getByTestId("counters")).toContainText("本点今日 0 人");
  const chip = page.getByTestId("sync-chip");
  await expect(chip).toHaveAttribute("data-chip", "rejected");
  await expect(chip).toContainText("被拒 2");
  await expect(chip).not.toContainText("已上传");
  // The details in the menu say the same.
  await page.getByTestId("menu-button").click();
  const badge = page.getByTestId("sync-badge");
  await expect(badge).toHaveAttribute("data-chip", "rejected");
  await expect(badge).not.toContainText("已全部上传");
  await page.getByTestId("menu-button").click();

  await tab.click();
  const items = page.getByTestId("quarantine").locator("article");
  await expect(items).toHaveCount(2);
  // The reason is a sentence saying what is wrong and what to do; the server's text only under "详情".
  const reason = items.first().getByTestId("rejection-reason");
  await expect(reason).toContainText("姓名不合格（可能含有看不见的字符、为空或过长）：请在下方改正姓名");
  await expect(reason.getByText(/payload\.resident\.name/)).toBeHidden();
  await reason.getByText("详情").click();
  await expect(reason.getByText(/payload\.resident\.name: no control characters/)).toBeVisible();
  await expect(items.first()).toContainText("钱七");

  // A phone of 360 × 740: no sideways scroll on the quarantine page, in either language.
  await page.setViewportSize({ width: 360, height: 740 });
  const quarantine = "[data-testid=quarantine]";
  await expect.poll(() => horizontalOverflow(page, quarantine)).toMatchObject({ scrollWidth: 360, outside: [] });
  await setLanguage(page, "en");
  await expect(page.getByTestId("sync-chip")).toContainText("2 rejected");
  await tab.click();
  await expect(items.first().getByTestId("rejection-reason")).toContainText(
    "The name is not valid (it may hold an invisible character, or be empty or too long): correct the name below",
  );
  await items.first().getByTestId("rejection-reason").getByText("Details").click();
  // It fits in English too.
  await expect.poll(() => horizontalOverflow(page, quarantine)).toMatchObject({ scrollWidth: 360, outside: [] });
  await setLanguage(page, "zh");
  await tab.click();

  // The first: corrected (a new name) and resubmitted.
  const first = items.first();
  await first.getByLabel(/姓名|Name/).fill("钱七七");
  await first.getByLabel(/处理原因|Reason for the decision/).fill("姓名更正");
  await first.getByRole("button", { name: /更正后重新提交|Correct and resubmit/ }).click();
  await expect(items).toHaveCount(1);
  // Resubmitted, it counts again (as the new registration).
  await expect(page.getByTestId("counters")).toContainText("本机今日 1 人");

  // The second: discarding needs a reason, in both languages.
  const second = items.first();
  await second.getByRole("button", { name: /放弃此记录|Discard this record/ }).click();
  await expect(second.getByTestId("problem")).toHaveAttribute("data-code", "reason_required");
  await second.getByLabel(/处理原因|Reason for the decision/).fill("人已离开，未采样");
  await second.getByRole("button", { name: /放弃此记录|Discard this record/ }).click();
  await expect(items).toHaveCount(0);
  await expect(page.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });

  // The server has the corrected registration only, and both decisions in its audit log.
  const token = await checkerToken(request);
  const tubes = (await (
    await request.get(`/api/v1/sites/${account().siteCode}/tubes`, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as { code: string; members: { name: string }[] }[];
  expect(tubes.find((tube) => tube.code === "QUARANT01")?.members.map((m) => m.name)).toEqual(["钱七七"]);
  const decisions = await adminStore.db
    .selectFrom("audit_log")
    .select(["action", "detail"])
    .where("site_code", "=", account().siteCode)
    .where("action", "like", "quarantine_%")
    .orderBy("at")
    .execute();
  expect(decisions.map((d) => [d.action, JSON.parse(d.detail ?? "{}").reason])).toEqual([
    ["quarantine_resubmitted", "姓名更正"],
    ["quarantine_discarded", "人已离开，未采样"],
  ]);

  // On the device, the tube holds the corrected resident only.
  await page.getByTestId("tab-station").click();
  await expect(page.getByTestId("tube-count")).toHaveText("1 / 10");
  await expect(page.getByTestId("members")).toContainText("钱七七");
});
