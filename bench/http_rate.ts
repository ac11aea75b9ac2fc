/**
 * How many entries per second the http sink delivers to a loopback receiver
 * that acknowledges at once: ndjson, batches of 1,000, one request in flight.
 *
 * Usage: `deno run -A bench/http_rate.ts`, `bun bench/http_rate.ts`,
 * `tsx bench/http_rate.ts` [entries per run, default 500000]
 *
 * The clock runs from the first write until `flush()` resolved and the
 * receiver counted every line. The receiver counts newlines in the bodies it
 * gets, and each run checks that count and a parsed sample line. One warm-up
 * run, then 5 counted runs; prints the median, min and max.
 */

import { http } from "../sinks/http.ts";
import type { LogEntry, SerializedView } from "../core/types.ts";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
const runtime = g.Deno ? `deno ${g.Deno.version.deno}` : g.Bun ? `bun ${g.Bun.version}` : `node ${g.process.version}`;
const args: string[] = g.Deno ? g.Deno.args : g.process.argv.slice(2);
const perRun = Number(args[0] ?? 500_000);
const BATCH = 1000;

/** Receiver state: lines counted, and the last body's first line for a sample check. */
let lines = 0;
let sample = "";

async function handle(request: Request): Promise<Response> {
  const body = new Uint8Array(await request.arrayBuffer());
  let n = 0;
  for (let i = 0; i < body.length; i++) if (body[i] === 0x0a) n++;
  lines += n;
  if (sample === "") sample = new TextDecoder().decode(body.subarray(0, body.indexOf(0x0a)));
  return new Response(null, { status: 204 });
}

interface Server {
  port: number;
  stop(): Promise<void>;
}

function serve(): Promise<Server> {
  if (g.Deno) {
    return new Promise((resolve) => {
      const s = g.Deno.serve({
        hostname: "127.0.0.1",
        port: 0,
        onListen: (a: { port: number }) => resolve({ port: a.port, stop: () => s.shutdown() }),
      }, handle);
    });
  }
  if (g.Bun) {
    const s = g.Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handle, maxRequestBodySize: 1 << 30 });
    return Promise.resolve({ port: s.port, stop: () => s.stop(true) });
  }
  const nodeHttp = g.process.getBuiltinModule("node:http");
  // deno-lint-ignore no-explicit-any
  const s = nodeHttp.createServer((req: any, res: any) => {
    let n = 0;
    req.on("data", (c: Uint8Array) => {
      for (let i = 0; i < c.length; i++) if (c[i] === 0x0a) n++;
    });
    req.on("end", () => {
      lines += n;
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) =>
    s.listen(0, "127.0.0.1", () =>
      resolve({
        port: s.address().port,
        stop: () =>
          new Promise<void>((done) => {
            s.close(() => done());
            s.closeAllConnections();
          }),
      }))
  );
}

const encoder = new TextEncoder();

/** 1,000 distinct envelopes (written over and over), like the core's serialised views. */
function makeViews(): SerializedView[] {
  const out: SerializedView[] = [];
  for (let i = 0; i < BATCH; i++) {
    const entry: LogEntry = {
      timestamp: new Date(1_790_000_000_000 + i).toISOString(),
      level: "INFO",
      message: "request handled",
      logger: "bench",
      context: { message_id: crypto.randomUUID(), correlation_id: "req-" + i },
      diagnostics: { service: "bench", env: "dev", host: "vm", pid: 1, runtime },
      data: { userId: i, path: "/api/items", status: 200, durationMs: 12.5 },
    };
    const text = JSON.stringify(entry);
    const data = encoder.encode(text);
    out.push({ data, text, entry, bytes: () => data.slice() });
  }
  return out;
}

async function run(port: number, views: SerializedView[], total: number): Promise<number> {
  lines = 0;
  sample = "";
  const sink = http(`http://127.0.0.1:${port}/ingest`, {
    batchFormat: "ndjson",
    batchSize: BATCH,
    batchMaxBytes: 16 * 1024 * 1024,
    batchTimeoutMs: 50,
    overflow: "wait",
    maxBufferEntries: 20 * BATCH,
  });
  sink.startSync();
  const t0 = performance.now();
  for (let sent = 0; sent < total; sent += BATCH) await sink.writeBatch(views);
  await sink.flush();
  const ms = performance.now() - t0;
  await sink.stop();
  const s = sink.stats();
  if (lines !== total || s.sent !== total) {
    throw new Error(`expected ${total} lines, receiver counted ${lines}, sink sent ${s.sent}`);
  }
  if (sample && JSON.parse(sample).logger !== "bench") throw new Error("the receiver got a malformed line");
  return (total / ms) * 1000;
}

const server = await serve();
const views = makeViews();
const bytesPerLine = views.reduce((n, v) => n + v.data.byteLength + 1, 0) / views.length;
await run(server.port, views, Math.min(perRun, 100_000)); // warm-up
const rates: number[] = [];
for (let i = 0; i < 5; i++) rates.push(await run(server.port, views, perRun));
await server.stop();
rates.sort((a, b) => a - b);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
console.log(
  `| runtime | sink | case | entries/s (median) | min | max | entries/run | bytes/line |\n` +
    `|---|---|---|---|---|---|---|---|\n` +
    `| ${runtime} | http | ndjson, batches of ${BATCH}, loopback | ${fmt(rates[2])} | ${fmt(rates[0])} | ${
      fmt(rates[4])
    } | ${perRun} | ${bytesPerLine.toFixed(0)} |`,
);
