// Uploads spooled to a private temporary file: the route reads the file, it is gone once the answer is sent, a body
// past the limit is 413 (by its Content-Length, or counted when it has none); UTF-8 is recognised across the reader's
// chunks, and a spooled CSV reads as its bytes in memory do.
import { existsSync, readFileSync, statSync } from "node:fs";
import { Readable } from "node:stream";
import Fastify from "fastify";
import { afterEach, describe, expect, it, vi } from "vitest";
import { installErrorHandling } from "../errors";
import { acceptSpooledUploads, isSpooled, removeSpooled, spoolUpload, uploadIsUtf8 } from "./spooledUpload";
import { streamRows } from "./spreadsheet";

const LIMIT = 64 * 1024;

async function appWithUploads() {
  const app = Fastify();
  installErrorHandling(app);
  acceptSpooledUploads(app, ["text/csv"], LIMIT);
  const seen: { file: string; mode: number; text: string }[] = [];
  app.post("/upload", async (request) => {
    const body = request.body;
    if (!isSpooled(body)) throw new Error("not spooled");
    seen.push({ file: body.file, mode: statSync(body.file).mode & 0o777, text: readFileSync(body.file, "utf8") });
    return { bytes: body.bytes };
  });
  await app.ready();
  return { app, seen };
}

let close: (() => Promise<void>) | null = null;
afterEach(async () => {
  await close?.();
  close = null;
});

describe("spooled uploads", () => {
  it("hands the route a private file with the body, removed once the answer is sent", async () => {
    const { app, seen } = await appWithUploads();
    close = () => app.close();
    const res = await app.inject({
      method: "POST",
      url: "/upload",
      headers: { "content-type": "text/csv" },
      payload: "姓名,网格\r\n张三,1号楼\r\n",
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ bytes: Buffer.byteLength("姓名,网格\r\n张三,1号楼\r\n") });
    expect(seen[0]?.text).toBe("姓名,网格\r\n张三,1号楼\r\n");
    expect(seen[0]?.mode).toBe(0o600);
    // Removed by the hook that runs once the answer has gone out (just after inject resolves).
    await vi.waitFor(() => expect(existsSync(seen[0]?.file as string)).toBe(false));
  });

  it("refuses a body past the limit with 413, by Content-Length or by counting, and leaves no file", async () => {
    const { app, seen } = await appWithUploads();
    close = () => app.close();
    const big = Buffer.alloc(LIMIT + 1, 0x41);
    const declared = await app.inject({
      method: "POST",
      url: "/upload",
      headers: { "content-type": "text/csv" },
      payload: big,
    });
    expect([declared.statusCode, declared.json().code]).toEqual([413, "file_too_large"]);
    // No Content-Length: counted as it arrives.
    const streamed = await app.inject({
      method: "POST",
      url: "/upload",
      headers: { "content-type": "text/csv" },
      payload: Readable.from([big.subarray(0, LIMIT), big.subarray(LIMIT)]),
    });
    expect([streamed.statusCode, streamed.json().code]).toEqual([413, "file_too_large"]);
    expect(seen).toEqual([]);
  });

  it("knows UTF-8 from GB18030 when a character straddles the reader's megabyte chunks", async () => {
    // "张" is three bytes in UTF-8: placed to end one byte past the first megabyte.
    const pad = "a".repeat((1 << 20) - 2);
    const utf8 = await spoolUpload(Readable.from([Buffer.from(`${pad}张三\n`, "utf8")]), 4 << 20);
    // GB18030 "张三" (D5C5 C8FD) in the same place: not UTF-8.
    const gb = await spoolUpload(
      Readable.from([Buffer.concat([Buffer.from(pad), Buffer.from([0xd5, 0xc5, 0xc8, 0xfd, 0x0a])])]),
      4 << 20,
    );
    try {
      expect(await uploadIsUtf8(utf8)).toBe(true);
      expect(await uploadIsUtf8(gb)).toBe(false);
      const last = async (source: typeof gb) => {
        let cells: string[] = [];
        for await (const row of streamRows(source, "csv", { maxRows: 10, maxUnzippedBytes: 0 })) cells = row.cells;
        return cells;
      };
      expect(await last(utf8)).toEqual([`${pad}张三`]);
      expect(await last(gb)).toEqual([`${pad}张三`]);
    } finally {
      await removeSpooled(utf8);
      await removeSpooled(gb);
    }
  });
});
