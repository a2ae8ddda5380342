/**
 * An XLSX file is a zip: 20 MB of upload can inflate to gigabytes (a "zip bomb") and take the server down while a
 * spreadsheet library unpacks it in memory. Before handing the bytes to ExcelJS we read the zip's directory with
 * yauzl, refuse a file whose entries claim more than the limit, and inflate each entry once to count its bytes
 * (yauzl fails an entry that inflates past the size it claims), so a file that passes cannot inflate past the limit.
 */
import type yauzl from "yauzl";
import { openUploadZip, type UploadSource } from "./spooledUpload";

export class UnzippedTooLarge extends Error {}
export class NotAZip extends Error {}

export async function assertUnzippedWithin(source: UploadSource, maxBytes: number): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openUploadZip(source, { validateEntrySizes: true });
  } catch (error) {
    throw new NotAZip((error as Error).message || "not a zip file");
  }
  return new Promise((resolve, reject) => {
    let claimed = 0;
    const fail = (error: Error) => {
      zip.close();
      reject(error);
    };
    zip.on("error", (error: Error) => fail(new NotAZip(error.message)));
    zip.on("end", () => {
      zip.close();
      resolve();
    });
    zip.on("entry", (entry: yauzl.Entry) => {
      claimed += entry.uncompressedSize;
      if (claimed > maxBytes) {
        return fail(new UnzippedTooLarge(`the file unpacks to more than ${Math.round(maxBytes / 1048576)} MB`));
      }
      if (entry.fileName.endsWith("/")) return zip.readEntry();
      zip.openReadStream(entry, (streamError, stream) => {
        if (streamError || !stream) return fail(new NotAZip(streamError?.message ?? "unreadable entry"));
        stream.on("error", (error: Error) => fail(new NotAZip(error.message)));
        stream.on("end", () => zip.readEntry());
        stream.resume();
      });
    });
    zip.readEntry();
  });
}
