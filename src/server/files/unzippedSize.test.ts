import JSZip from "jszip";
import { describe, expect, it } from "vitest";
import { assertUnzippedWithin, NotAZip, UnzippedTooLarge } from "./unzippedSize";

const zipOf = async (bytes: number) => {
  const zip = new JSZip();
  zip.file("xl/worksheets/sheet1.xml", Buffer.alloc(bytes, 0x20));
  zip.file("docProps/app.xml", "<x/>");
  return Buffer.from(await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE" }));
};

/** Rewrites every size the zip claims for its entries (local headers and central directory) to `claimed`. */
function lieAboutSizes(zip: Buffer, claimed: number): Buffer {
  const copy = Buffer.from(zip);
  for (let i = 0; i < copy.length - 4; i++) {
    const signature = copy.readUInt32LE(i);
    if (signature === 0x04034b50) copy.writeUInt32LE(claimed, i + 22);
    if (signature === 0x02014b50) copy.writeUInt32LE(claimed, i + 24);
  }
  return copy;
}

describe("assertUnzippedWithin", () => {
  it("lets through a zip that unpacks within the limit", async () => {
    await expect(assertUnzippedWithin(await zipOf(100_000), 200_000)).resolves.toBeUndefined();
  });

  it("refuses a zip whose entries claim more than the limit, without unpacking them", async () => {
    await expect(assertUnzippedWithin(await zipOf(300_000), 200_000)).rejects.toBeInstanceOf(UnzippedTooLarge);
  });

  it("refuses a zip that claims small sizes but inflates past them", async () => {
    const lying = lieAboutSizes(await zipOf(300_000), 10);
    await expect(assertUnzippedWithin(lying, 200_000)).rejects.toBeInstanceOf(NotAZip);
  });

  it("refuses bytes that are not a zip", async () => {
    await expect(assertUnzippedWithin(Buffer.from("not a spreadsheet"), 200_000)).rejects.toBeInstanceOf(NotAZip);
  });
});
