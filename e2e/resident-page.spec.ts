/**
 * The residents' self-service page (/resident, issue 16 part 3): a resident adds their family, with the station's
 * checks and messages; the codes stay on the device and open offline; each QR code, as the page draws it on screen
 * and on a printed A6 card, decodes to exactly the person's SP1 code and registers at the station through its camera;
 * the page sends nothing anywhere. Phone size first (360×740), in both languages, axe-clean.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Locator, Request } from "@playwright/test";
import { PNG } from "pngjs";
import { prepareZXingModule, readBarcodes } from "zxing-wasm/reader";
import { launchWithCamera, makeVideo } from "./camera";
import { type Browser, expect, type Page, test } from "./fixtures";
import {
  accessible,
  horizontalOverflow,
  installableManifest,
  launchPersistentProfile,
  logIn,
  scan,
  shot,
  waitForServiceWorker,
} from "./helpers";

const PHONE = { width: 360, height: 740 };

interface Person {
  name: string;
  docType: "ID" | "PP";
  docNumber: string;
  phone?: string;
  community?: string;
  /** What the QR code must hold, written out here (not made by the page's own encoder). */
  code: string;
  masked: string;
}

const FAMILY: Person[] = [
  {
    name: "王建国",
    docType: "ID",
    docNumber: "110105197805120021",
    phone: "13812345678",
    community: "幸福里社区",
    code: "SP1|王建国|ID|110105197805120021|13812345678|幸福里社区",
    masked: "110105********0021",
  },
  {
    name: "李秀英",
    docType: "PP",
    docNumber: "E12345678",
    code: "SP1|李秀英|PP|E12345678",
    masked: "*****5678",
  },
  {
    name: "王乐乐",
    docType: "ID",
    docNumber: "110105201503070013",
    code: "SP1|王乐乐|ID|110105201503070013",
    masked: "110105********0013",
  },
];

/** The first person's number with a wrong check character, and what the station says about it. */
const WRONG_NUMBER = "110105197805120022";
const STATION_MESSAGE_ZH = "居民身份证：校验位错误，请核对证件号";
const STATION_MESSAGE_EN = "Resident ID card: check digit wrong: re-check the number";

const wasm = readFileSync(path.resolve("node_modules/zxing-wasm/dist/reader/zxing_reader.wasm"));
prepareZXingModule({
  overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) },
});

/** Decodes the QR codes in a screenshot (zxing-cpp, the station's own engine). */
async function decodeQr(png: Buffer): Promise<string[]> {
  const { width, height, data } = PNG.sync.read(png);
  const image = { width, height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
  const found = await readBarcodes(image as unknown as ImageData, { formats: ["QRCode"], tryHarder: true });
  return found.filter((r) => r.isValid).map((r) => r.text);
}

/** Every request of the context (the page's and its service worker's), to check that nothing goes to an API. */
function recordRequests(page: Page): Request[] {
  const seen: Request[] = [];
  page.context().on("request", (request) => seen.push(request));
  return seen;
}

/** Only the app's own static files, fetched with GET: no API, no other origin, nothing sent. */
function onlyStaticAssets(requests: Request[], baseURL: string) {
  const origin = new URL(baseURL).origin;
  const offending = requests
    .map((r) => ({ method: r.method(), url: new URL(r.url()), body: r.postData() }))
    .filter(
      ({ method, url, body }) =>
        method !== "GET" ||
        body !== null ||
        url.origin !== origin ||
        url.pathname.startsWith("/api") ||
        !/^\/(resident\/?|[\w.-]+\.(html|js|css|svg|png|ico|webmanifest|wasm)|(assets|icons|screenshots)\/[\w.-]+)$/.test(
          url.pathname,
        ),
    )
    .map(({ method, url }) => `${method} ${url.href}`);
  expect(offending).toEqual([]);
  expect(requests.length).toBeGreaterThan(0);
}

async function fillPerson(form: Locator, person: Omit<Person, "code" | "masked">) {
  await form.getByLabel(/^(姓名|Name)$/).fill(person.name);
  await form.getByLabel(/^(证件类型|Document type)/).selectOption(person.docType);
  await form.getByLabel(/^(证件号码|Document number)/).fill(person.docNumber);
  await form.getByLabel(/^(手机号（选填）|Mobile \(optional\))$/).fill(person.phone ?? "");
  await form.getByLabel(/^(社区（选填）|Community \(optional\))$/).fill(person.community ?? "");
}

/** Adds people through the form (the form is open on a first visit; later the add button opens it). */
async function addPeople(page: Page, people: Person[]) {
  for (const person of people) {
    const form = page.getByTestId("member-form");
    if (!(await form.isVisible())) await page.getByTestId("add-person").click();
    await fillPerson(form, person);
    await form.getByTestId("save-person").click();
    await expect(form).toHaveCount(0);
    await expect(page.getByTestId("person").filter({ hasText: person.name })).toHaveCount(1);
  }
}

async function openResidentPage(page: Page) {
  await page.setViewportSize(PHONE);
  await page.goto("/resident");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("家庭核酸码");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
}

async function fitsPhone(page: Page, where: string) {
  const overflow = await horizontalOverflow(page);
  expect(overflow.scrollWidth, `${where}: sideways scroll (${overflow.outside.join("; ")})`).toBeLessThanOrEqual(
    overflow.innerWidth,
  );
}

test("adds three people (a wrong number refused with the station's message), keeps them offline, draws the exact codes, and sends nothing", async ({
  page,
  baseURL,
}) => {
  const requests = recordRequests(page);
  await openResidentPage(page);
  await waitForServiceWorker(page);

  // First visit: the form is open. A wrong check character: the live hint and, on saving, the station's message.
  const form = page.getByTestId("member-form");
  const [first, ...others] = FAMILY as [Person, ...Person[]];
  await fillPerson(form, { ...first, docNumber: WRONG_NUMBER });
  await expect(form.getByTestId("doc-hint")).toHaveText(`✗ ${STATION_MESSAGE_ZH}`);
  await form.getByTestId("save-person").click();
  const problem = form.getByTestId("problem");
  await expect(problem).toHaveAttribute("data-code", "invalid_resident");
  await expect(problem.locator("strong")).toHaveText(STATION_MESSAGE_ZH);
  await expect(problem.locator("small")).toHaveText(STATION_MESSAGE_EN);
  await expect(form.getByLabel("证件号码")).toBeFocused();
  await expect(page.getByTestId("person")).toHaveCount(0);
  // Fixed: saved.
  await form.getByLabel("证件号码").fill(first.docNumber);
  await expect(form.getByTestId("doc-hint")).toHaveText("✓");
  await form.getByTestId("save-person").click();
  await addPeople(page, others);

  // The same document twice is refused.
  await page.getByTestId("add-person").click();
  await fillPerson(form, { ...first, name: "王建军" });
  await form.getByTestId("save-person").click();
  await expect(form.getByTestId("problem")).toHaveAttribute("data-code", "duplicate");
  await form.getByRole("button", { name: "取消" }).click();

  const checkCards = async () => {
    const cards = page.getByTestId("person");
    await expect(cards).toHaveCount(3);
    for (const [i, person] of FAMILY.entries()) {
      const card = cards.nth(i);
      await expect(card.getByRole("heading")).toHaveText(person.name);
      await expect(card.getByTestId("masked-number")).toHaveText(person.masked);
      // The QR code as the page drew it, decoded from a screenshot.
      expect(await decodeQr(await card.getByTestId("person-qr").screenshot())).toEqual([person.code]);
    }
    // Only masked numbers on screen.
    const text = (await page.locator("body").textContent()) ?? "";
    for (const person of FAMILY) expect(text).not.toContain(person.docNumber);
  };
  await checkCards();

  // Offline, after the service worker took control: a reload and a fresh tab open the page with all three codes.
  await page.context().setOffline(true);
  await page.reload();
  await checkCards();
  const cold = await page.context().newPage();
  await cold.setViewportSize(PHONE);
  await cold.goto("/resident");
  await expect(cold.getByTestId("person")).toHaveCount(3);
  expect(await decodeQr(await cold.getByTestId("person-qr").nth(2).screenshot())).toEqual([FAMILY[2]?.code]);
  await page.context().setOffline(false);

  onlyStaticAssets(requests, baseURL ?? "");
});

test("the station's camera registers a code shown full-screen on the page and one from a printed card", async ({
  page,
  baseURL,
}) => {
  const requests = recordRequests(page);
  await openResidentPage(page);
  const [phonePerson, cardPerson] = FAMILY as [Person, Person];
  await addPeople(page, [phonePerson, cardPerson]);

  // The full-screen view of the first person: white, filling the screen, a large code.
  await page.getByTestId("show-code-button").first().click();
  const view = page.getByTestId("show-code");
  await expect(view).toBeVisible();
  await expect(page.getByTestId("show-close")).toBeFocused();
  expect(await view.boundingBox()).toEqual({ x: 0, y: 0, ...PHONE });
  const qr = view.getByTestId("show-code-qr");
  expect((await qr.boundingBox())?.width).toBeGreaterThanOrEqual(320);
  const phonePng = await qr.screenshot();
  expect(await decodeQr(phonePng)).toEqual([phonePerson.code]);
  await page.keyboard.press("Escape");
  await expect(view).toHaveCount(0);
  await expect(page.getByTestId("show-code-button").first()).toBeFocused();

  // The second person's printed card.
  await page.emulateMedia({ media: "print" });
  const cardPng = await page.getByTestId("print-card").nth(1).screenshot();
  await page.emulateMedia({ media: "screen" });
  expect(await decodeQr(cardPng)).toEqual([cardPerson.code]);
  onlyStaticAssets(requests, baseURL ?? "");

  // The station: a phone whose camera sees the phone screen's code, then the card.
  const video = makeVideo([
    { text: null, seconds: 1 },
    { text: null, image: phonePng, widthPx: 280, seconds: 2 },
    { text: null, seconds: 1 },
    { text: null, image: cardPng, widthPx: 300, seconds: 2 },
    { text: null, seconds: 2 },
  ]);
  let browser: Browser | undefined;
  try {
    browser = await launchWithCamera(test.info(), video);
    const context = await browser.newContext({ baseURL: baseURL ?? "" });
    const station = await context.newPage();
    await logIn(station);
    await scan(station, "RESPAGE001");
    await expect(station.getByTestId("open-tube")).toHaveText("RESPAGE001");

    // The station's manual entry refuses the wrong number with the very words the resident page showed.
    await station.getByRole("button", { name: /^(手动录入|Manual entry)$/ }).click();
    const manual = station.getByTestId("resident-form");
    await manual.getByLabel(/证件号码/).fill(WRONG_NUMBER);
    await expect(manual.getByTestId("doc-hint")).toHaveText(`✗ ${STATION_MESSAGE_ZH}`);
    await manual.getByLabel(/^姓名$/).fill(phonePerson.name);
    await manual.getByRole("button", { name: /^登记$/ }).click();
    await expect(manual.getByTestId("problem").locator("strong")).toHaveText(STATION_MESSAGE_ZH);
    await manual.getByRole("button", { name: /^取消$/ }).click();

    await station.getByTestId("open-scanner").click();
    await expect(station.getByTestId("scanner")).toHaveAttribute("data-engine", /zxing-wasm|native/);
    await expect(station.getByTestId("tube-count")).toHaveText("2 / 10", { timeout: 30_000 });
    const members = station.getByTestId("members");
    await expect(members).toContainText(phonePerson.name);
    await expect(members).toContainText(cardPerson.name);
  } finally {
    await browser?.close();
  }
});

test("prints one A6 card per person: name, masked number, a scannable QR code, the line for sampling", async ({
  page,
}) => {
  await openResidentPage(page);
  await addPeople(page, FAMILY);
  await page.setViewportSize({ width: 480, height: 900 });
  await page.emulateMedia({ media: "print" });

  // Screen-only parts are gone; the cards are there, one per person.
  await expect(page.getByTestId("add-person")).toBeHidden();
  await expect(page.getByTestId("people")).toBeHidden();
  const cards = page.getByTestId("print-card");
  await expect(cards).toHaveCount(FAMILY.length);
  const mm = 96 / 25.4;
  for (const [i, person] of FAMILY.entries()) {
    const card = cards.nth(i);
    const box = await card.boundingBox();
    expect(box, `card ${i}`).not.toBeNull();
    if (!box) continue;
    // A6: 105 × 148 mm.
    expect(box.width / mm).toBeCloseTo(105, 0);
    expect(box.height / mm).toBeCloseTo(148, 0);
    expect(box.width / box.height).toBeCloseTo(105 / 148, 2);
    await expect(card.getByRole("heading")).toHaveText(person.name);
    await expect(card).toContainText(person.masked);
    await expect(card).not.toContainText(person.docNumber);
    await expect(card).toContainText("采样时出示此码 / Show this code at sampling");
    const qr = card.getByTestId("print-qr");
    expect(((await qr.boundingBox())?.width ?? 0) / mm).toBeGreaterThan(70);
    const png = await card.screenshot({ path: test.info().outputPath(`print-card-${i + 1}.png`) });
    expect(await decodeQr(png)).toEqual([person.code]);
  }
  await page.screenshot({ path: test.info().outputPath("print-layout.png"), fullPage: true });

  // Printed for real (Chromium's PDF): one A6 page per person.
  const pdf = (await page.pdf({ preferCSSPageSize: true, printBackground: true })).toString("latin1");
  expect(pdf.match(/\/Type\s*\/Page\b/g)?.length).toBe(FAMILY.length);
  const boxes = [...pdf.matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map(([, w, h]) => [
    Math.round((Number(w) / 72) * 25.4),
    Math.round((Number(h) / 72) * 25.4),
  ]);
  expect(boxes).toEqual(FAMILY.map(() => [105, 148]));
});

for (const lang of ["zh", "en"] as const) {
  test(`fits ${PHONE.width}×${PHONE.height} in ${lang}: form, list, full-screen code, delete question; axe-clean`, async ({
    page,
  }) => {
    await openResidentPage(page);
    const form = page.getByTestId("member-form");
    await expect(form.getByLabel("姓名")).toBeFocused();
    if (lang === "en") {
      await page.getByRole("button", { name: "English" }).click();
      await expect(page.locator("html")).toHaveAttribute("lang", "en");
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("Family codes");
      await expect(page).toHaveTitle(/Family codes/);
    }
    await fitsPhone(page, "add form");
    await accessible(page, "add form");
    await shot(page, test.info(), `resident-${lang}-add`);
    // A refusal, in the chosen language first.
    await fillPerson(form, { ...(FAMILY[0] as Person), docNumber: WRONG_NUMBER });
    await form.getByTestId("save-person").click();
    await expect(form.getByTestId("problem").locator("strong")).toHaveText(
      lang === "zh" ? STATION_MESSAGE_ZH : STATION_MESSAGE_EN,
    );
    await fitsPhone(page, "refusal");
    await accessible(page, "refusal");
    await shot(page, test.info(), `resident-${lang}-refused`);
    await form.getByLabel(/^(证件号码|Document number)/).fill((FAMILY[0] as Person).docNumber);
    await form.getByTestId("save-person").click();
    await addPeople(page, FAMILY.slice(1));

    await page.evaluate(() => window.scrollTo(0, 0));
    await fitsPhone(page, "list");
    await accessible(page, "list");
    await shot(page, test.info(), `resident-${lang}-list`);
    // Big touch targets.
    for (const button of await page.getByRole("button").all()) {
      const box = await button.boundingBox();
      if (box) expect(box.height, (await button.textContent()) ?? "").toBeGreaterThanOrEqual(48);
    }

    await page.getByTestId("show-code-button").nth(1).click();
    await expect(page.getByTestId("show-code")).toBeVisible();
    await fitsPhone(page, "full-screen code");
    await accessible(page, "full-screen code");
    await shot(page, test.info(), `resident-${lang}-show`);
    // The next person, then close.
    await page.getByTestId("show-next").click();
    await expect(page.getByTestId("show-code").getByRole("heading")).toHaveText((FAMILY[2] as Person).name);
    await page.getByTestId("show-close").click();

    // Edit: a new phone number changes the code.
    const third = page.getByTestId("person").nth(2);
    await third.getByRole("button", { name: /^(修改|Edit)$/ }).click();
    await form.getByLabel(/^(手机号（选填）|Mobile \(optional\))$/).fill("139 0013 9000");
    await form.getByTestId("save-person").click();
    expect(await decodeQr(await third.getByTestId("person-qr").screenshot())).toEqual([
      `${(FAMILY[2] as Person).code}|13900139000`,
    ]);

    // Delete asks first: cancelled, nothing changes; confirmed, the person is gone (also after a reload).
    const second = page.getByTestId("person").nth(1);
    await second.getByRole("button", { name: /^(删除|Delete)$/ }).click();
    const ask = second.getByTestId("confirm-remove");
    await expect(ask).toContainText((FAMILY[1] as Person).name);
    await fitsPhone(page, "delete question");
    await accessible(page, "delete question");
    await ask.scrollIntoViewIfNeeded();
    await shot(page, test.info(), `resident-${lang}-delete`);
    await ask.getByRole("button", { name: /^(取消|Cancel)$/ }).click();
    await expect(page.getByTestId("person")).toHaveCount(3);
    await second.getByRole("button", { name: /^(删除|Delete)$/ }).click();
    await ask.getByRole("button", { name: /^(确认删除|Delete)$/ }).click();
    await expect(page.getByTestId("person")).toHaveCount(2);
    await page.reload();
    await expect(page.getByTestId("person")).toHaveText([
      new RegExp((FAMILY[0] as Person).name),
      new RegExp((FAMILY[2] as Person).name),
    ]);
    // The language stays chosen.
    await expect(page.locator("html")).toHaveAttribute("lang", lang === "zh" ? "zh-CN" : "en");

    await page.emulateMedia({ media: "print" });
    await shot(page, test.info(), `resident-${lang}-print`);
  });
}

test("installs as an app of its own: its manifest, no installability errors", async ({ baseURL, request }) => {
  const context = await launchPersistentProfile(baseURL);
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto("/resident");
    await waitForServiceWorker(page);
    await expect(page.locator('link[rel="manifest"]')).toHaveCount(1);
    const { url, manifest } = await installableManifest(context, page, request);
    expect(new URL(url).pathname).toBe("/resident.webmanifest");
    expect(manifest).toMatchObject({
      id: "/resident",
      start_url: "/resident",
      scope: "/resident",
      name: "家庭核酸码 · Family codes",
      lang: "zh-CN",
      display: "standalone",
    });
    for (const icon of manifest.icons as { src: string }[]) {
      expect((await request.get(new URL(icon.src, url).href)).status(), icon.src).toBe(200);
    }
  } finally {
    await context.close();
  }
});
