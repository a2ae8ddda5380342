/**
 * A big upload (a district's roster: 45 MB of CSV) written to a temporary file as it arrives, instead of gathered in
 * the server's memory (Fastify's buffer body holds it twice while it joins the chunks, and the import would hold it
 * for its whole length). The file is private to the server (0600 in a 0700 directory: it holds personal data) and
 * removed when the response has gone out, whatever the outcome. Readers take either form: an upload's bytes in
 * memory (small files, tests) or its spooled file.
 */
import { isUtf8 } from "node:buffer";
import { createReadStream } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import type { FastifyInstance, FastifyRequest } from "fastify";
import yauzl, { type ZipFile } from "yauzl";
import { ApiError } from "../errors";

export interface SpooledUpload {
  file: string;
  bytes: number;
}

/** An uploaded file: its bytes, or where they were spooled. */
export type UploadSource = Buffer | SpooledUpload;

export const isSpooled = (body: unknown): body is SpooledUpload =>
  typeof body === "object" &&
  body !== null &&
  !Buffer.isBuffer(body) &&
  typeof (body as SpooledUpload).file === "string";

const megabytes = (bytes: number) =>
  bytes >= 1048576 ? `${Math.round(bytes / 1048576)} MB` : `${Math.round(bytes / 1024)} KB`;
const tooLarge = (limit: number) =>
  new ApiError(413, "file_too_large", `The file is larger than ${megabytes(limit)}; split it.`);

/** Writes the stream to a new private temporary file, refusing it (413) past `limit` bytes. */
export async function spoolUpload(stream: Readable, limit: number): Promise<SpooledUpload> {
  const directory = await mkdtemp(path.join(tmpdir(), "samplepoint-upload-"));
  const file = path.join(directory, "upload");
  let bytes = 0;
  try {
    const handle = await open(file, "wx", 0o600);
    try {
      // Too large: the loop is left without destroying the request (that would close the connection before the
      // 413 goes out); the rest is read and dropped, as Fastify does past a body limit.
      for await (const chunk of stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        if (bytes > limit) {
          stream.resume();
          throw tooLarge(limit);
        }
        await handle.write(chunk);
      }
    } finally {
      await handle.close();
    }
    return { file, bytes };
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error instanceof ApiError ? error : new ApiError(400, "upload_interrupted", "The upload did not complete.");
  }
}

export const removeSpooled = (upload: SpooledUpload) => rm(path.dirname(upload.file), { recursive: true, force: true });

/**
 * These content types' bodies spooled to a file for this plugin's routes (the body is a SpooledUpload), up to
 * `bodyLimit` bytes (413 past it, from Content-Length before anything is written when it says so), and removed once
 * the response is sent.
 */
export function acceptSpooledUploads(
  app: Pick<FastifyInstance, "addContentTypeParser" | "addHook">,
  contentTypes: string[],
  bodyLimit: number,
): void {
  app.addContentTypeParser(contentTypes, async (request: FastifyRequest, payload: Readable) => {
    if (Number(request.headers["content-length"] ?? 0) > bodyLimit) throw tooLarge(bodyLimit);
    return spoolUpload(payload, bodyLimit);
  });
  app.addHook("onResponse", async (request) => {
    if (isSpooled(request.body)) await removeSpooled(request.body);
  });
}

/** The upload's bytes a chunk at a time (`chunkBytes` each, the last shorter). */
export async function* uploadChunks(source: UploadSource, chunkBytes: number): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(source)) {
    for (let i = 0; i < source.length; i += chunkBytes) yield source.subarray(i, i + chunkBytes);
    return;
  }
  yield* createReadStream(source.file, { highWaterMark: chunkBytes }) as AsyncIterable<Buffer>;
}

/** Whether the upload is UTF-8 throughout: chunk by chunk, a character cut at a chunk's end carried to the next. */
export async function uploadIsUtf8(source: UploadSource): Promise<boolean> {
  if (Buffer.isBuffer(source)) return isUtf8(source);
  let carried = Buffer.alloc(0);
  for await (const chunk of uploadChunks(source, 1 << 20)) {
    const bytes = carried.length > 0 ? Buffer.concat([carried, chunk]) : chunk;
    // Back up over continuation bytes (10xxxxxx) to the start of the last character; it may be incomplete.
    let end = bytes.length;
    for (let back = 0; back < 4 && end > 0 && ((bytes[end - 1] as number) & 0xc0) === 0x80; back++) end--;
    if (end > 0 && (bytes[end - 1] as number) >= 0xc0) end--;
    if (!isUtf8(bytes.subarray(0, end))) return false;
    carried = Buffer.from(bytes.subarray(end));
  }
  return isUtf8(carried);
}

/** The upload as a zip, its entries read one at a time (lazyEntries); the caller closes it. */
export function openUploadZip(source: UploadSource, options: { validateEntrySizes?: boolean } = {}): Promise<ZipFile> {
  return new Promise<ZipFile>((resolve, reject) => {
    const done = (error: Error | null, zip?: ZipFile) =>
      error || !zip ? reject(error ?? new Error("no zip")) : resolve(zip);
    if (Buffer.isBuffer(source)) yauzl.fromBuffer(source, { lazyEntries: true, ...options }, done);
    // autoClose off: entries are listed first and read after; the caller closes.
    else yauzl.open(source.file, { lazyEntries: true, autoClose: false, ...options }, done);
  });
}
