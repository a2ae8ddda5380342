/** A TCP port the OS has just handed out on loopback, so a bench's server never clashes with one already running. */
import { createServer } from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

/** `--port N` when given (and not 0), else a free port. */
export const portOption = async (value: string | undefined): Promise<number> =>
  value && Number(value) > 0 ? Number(value) : freePort();
