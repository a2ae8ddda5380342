import { expect, test } from "./fixtures";
import { logIn, scan } from "./helpers";

const SIZES = [
  { name: "phone", width: 390, height: 844 },
  { name: "tablet", width: 1024, height: 768 },
] as const;

for (const size of SIZES) {
  test(`station, boxes and history fit a ${size.name} screen (${size.width}×${size.height}) in Chinese`, async ({
    page,
  }, info) => {
    await page.setViewportSize({ width: size.width, height: size.height });
    await logIn(page);
    await scan(page, `YT2000000${size.width}`.slice(0, 12));
    await scan(page, "SP1|阿依古丽·买买提|ID|440524188001010014|13812345678|芝罘区向阳街道幸福里社区");
    await scan(page, "SP1|欧阳娜娜|ID|11010519491231002X");
    await page.getByRole("button", { name: "手动录入" }).click();
    await page.getByTestId("resident-form").getByLabel("证件号码").fill("110105194912310021");
    await expect(page.getByTestId("doc-hint")).toContainText("校验位错误");

    for (const tab of ["station", "boxes", "history"] as const) {
      await page.getByTestId(`tab-${tab}`).click();
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, `${tab} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
      const file = info.outputPath(`${size.name}-${tab}.png`);
      await page.screenshot({ path: file, fullPage: true });
      await info.attach(`${size.name}-${tab}`, { path: file, contentType: "image/png" });
    }
  });
}
