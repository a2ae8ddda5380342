import { expect, test } from "./fixtures";
import { logIn, rawDatabaseText, scan, unlock } from "./helpers";

const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idNumber = (n: number) => {
  const first17 = `37060219850101${String(100 + n).padStart(3, "0")}`;
  const sum = [...first17].reduce((acc, ch, i) => acc + Number(ch) * (weights[i] ?? 0), 0);
  return first17 + "10X98765432"[sum % 11];
};

test("resident data is encrypted at rest: a raw read of IndexedDB finds no name, number or phone; lock and unlock keep the station", async ({
  browser,
}) => {
  const phone = await (await browser.newContext()).newPage();
  const other = await (await browser.newContext()).newPage();
  await logIn(phone);
  await logIn(other);

  // Another phone of the site registers someone; this phone will pull that event.
  await scan(other, "ENCRYPTB01");
  const otherDoc = idNumber(99);
  await scan(other, `SP1|欧阳远航|ID|${otherDoc}|13800009999|幸福里社区`);
  await expect(other.getByTestId("tube-count")).toHaveText("1 / 10");
  await other.getByRole("button", { name: /立即同步|Sync now/ }).click();
  await expect(other.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });

  // Twenty registrations here, two tubes of ten.
  const residents = Array.from({ length: 20 }, (_, i) => ({
    name: `林${"一二三四五六七八九十"[i % 10]}${i < 10 ? "甲" : "乙"}`,
    doc: idNumber(i),
    phone: `139${String(10_000_000 + i * 7919).padStart(8, "0")}`,
  }));
  for (const [t, tube] of ["ENCRYPTA01", "ENCRYPTA02"].entries()) {
    await scan(phone, tube);
    for (const r of residents.slice(t * 10, t * 10 + 10)) await scan(phone, `SP1|${r.name}|ID|${r.doc}|${r.phone}`);
  }
  await expect(phone.getByTestId("tube-count")).toHaveText("10 / 10");
  await phone.getByRole("button", { name: /立即同步|Sync now/ }).click();
  await expect(phone.getByTestId("pending-count")).toHaveAttribute("data-pending", "0", { timeout: 30_000 });
  await expect(phone.getByTestId("counters")).toContainText("本点今日 21 人");

  // Locking saves the day's state (sealed) and drops the key.
  await phone.getByTestId("menu-button").click();
  await phone.getByRole("button", { name: /^(锁定|Lock)$/ }).click();
  await expect(phone.getByTestId("lock-screen")).toBeVisible();
  await expect
    .poll(async () => (await rawDatabaseText(phone)).stores.length > 0 && (await rawDatabaseText(phone)).records)
    .toBeGreaterThan(20);
  const raw = await rawDatabaseText(phone);
  expect(raw.stores).toEqual(expect.arrayContaining(["events", "remoteEvents", "snapshots", "meta"]));
  for (const secret of [
    ...residents.flatMap((r) => [r.name, r.doc, r.phone, r.doc.slice(-6)]),
    "欧阳远航",
    otherDoc,
    "13800009999",
    "幸福里社区",
    "2468",
  ]) {
    expect(raw.text, `found ${secret} in IndexedDB`).not.toContain(secret);
  }
  // Non-personal fields stay readable (the queue's indexes work on them).
  expect(raw.text).toContain("synced");

  // Unlock: the station is as it was; a restart (reload) starts locked and comes back the same after the PIN.
  await unlock(phone);
  await expect(phone.getByTestId("open-tube")).toHaveText("ENCRYPTA02");
  await expect(phone.getByTestId("tube-count")).toHaveText("10 / 10");
  await phone.reload();
  await unlock(phone);
  await expect(phone.getByTestId("tube-count")).toHaveText("10 / 10");
  await expect(phone.getByTestId("counters")).toContainText("本点今日 21 人");
  // History still finds people by name and by the last digits of their number.
  await phone.getByTestId("tab-history").click();
  await phone.getByTestId("history-search").fill(residents[13]?.doc.slice(-4) ?? "");
  await expect(phone.getByTestId("history-results")).toContainText(residents[13]?.name ?? "?");
  await phone.getByTestId("history-search").fill("欧阳");
  await expect(phone.getByTestId("history-results")).toContainText("欧阳远航");
});
