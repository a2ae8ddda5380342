/**
 * An HTTP proxy for fault-injection tests: between the app and a real server it drops connections (before the request
 * reaches the server, or after the server answered — the response is lost), delays requests, and answers 5xx (without
 * forwarding, or after the server has done the work). Faults are drawn from a seeded generator and counted.
 */
import { createServer, request as forward, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type Fault = "none" | "drop-before" | "drop-after" | "delay" | "503-before" | "502-after";

export interface FaultProxy {
  base: string;
  counts: Record<Fault, number>;
  /** Chance that a request meets a fault (0 to 1); changeable while running. */
  faultRate: number;
  close(): Promise<void>;
}

const FAULTS: Fault[] = ["drop-before", "drop-after", "delay", "503-before", "502-after"];

export async function startFaultProxy(target: string, random: () => number, faultRate = 0.4): Promise<FaultProxy> {
  const upstream = new URL(target);
  const counts = Object.fromEntries(["none", ...FAULTS].map((f) => [f, 0])) as Record<Fault, number>;
  const proxy: FaultProxy = { base: "", counts, faultRate, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const fault: Fault = random() < proxy.faultRate ? (FAULTS[Math.floor(random() * FAULTS.length)] as Fault) : "none";
    counts[fault]++;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (fault === "drop-before") {
        req.socket.destroy();
        return;
      }
      if (fault === "503-before") {
        res.writeHead(503, { "content-type": "application/json" });
        res.end(JSON.stringify({ code: "unavailable", message: "injected fault" }));
        return;
      }
      const send = () => {
        const out = forward(
          { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
          (answer) => {
            const body: Buffer[] = [];
            answer.on("data", (c: Buffer) => body.push(c));
            answer.on("end", () => {
              // The server has done the work (committed) by now: the faults below lose or spoil only its answer.
              if (fault === "drop-after") {
                req.socket.destroy();
                return;
              }
              if (fault === "502-after") {
                res.writeHead(502, { "content-type": "application/json" });
                res.end(JSON.stringify({ code: "bad_gateway", message: "injected fault" }));
                return;
              }
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              res.end(Buffer.concat(body));
            });
          },
        );
        out.on("error", () => req.socket.destroy());
        out.end(Buffer.concat(chunks));
      };
      if (fault === "delay") setTimeout(send, 50 + Math.floor(random() * 400));
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
