/**
 * The edge runtime: a worker that imports createLogger and the http and
 * webhook sinks from mod.ts (and so all of mod.ts) is bundled for a platform with no Node built-ins, then run in workerd
 * (through miniflare). It logs, returns its response at once and delivers in
 * `ctx.waitUntil`; the entries must arrive at loopback receivers, the webhook
 * requests signed with WebCrypto and verified.
 *
 * Loading the bundle in workerd (no `nodejs_compat`: no `process`, `Deno`,
 * `Bun` or `node:*`) is itself the check that nothing in that import graph
 * needs a filesystem, sockets or a runtime global at import time.
 *
 * miniflare drives workerd from Deno, Bun and Node alike (it declares
 * node >= 22 but works on Node 20); workerd is a child process, so Deno's
 * resource sanitizer is off for this test.
 */

import assert from "node:assert/strict";
import { Hono } from "hono";
import { verifyWebhook } from "../sinks/verify_webhook.ts";
import { test } from "./harness.ts";
import { startReceiver } from "./fixtures/receiver.ts";

const SECRET = "edge-secret";

interface Logged {
  logger: string;
  level: string;
  message: string;
  data: { path: string; i: number; note: string };
}

async function bundleWorker(): Promise<string> {
  const esbuild = await import("esbuild");
  const entry = decodeURIComponent(new URL("./fixtures/edge_worker.ts", import.meta.url).pathname);
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    // "neutral": a node:* import anywhere in the graph fails the build instead of being left for the runtime.
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((p) => p.endsWith("mod.ts")), "the bundle includes mod.ts");
  assert.ok(inputs.some((p) => p.endsWith("sinks/http.ts")) && inputs.some((p) => p.endsWith("sinks/webhook.ts")));
  assert.ok(inputs.some((p) => p.endsWith("core/logger.ts")), "the bundle includes the core pipeline");
  assert.deepEqual(inputs.filter((p) => p.startsWith("node:")), []);
  return result.outputFiles[0].text;
}

test("a worker in workerd logs through the http and webhook sinks and delivers in waitUntil", async () => {
  const script = await bundleWorker();
  const receiver = await startReceiver();
  const verified: Logged[][] = [];
  const rejected: string[] = [];
  const hookApp = new Hono();
  hookApp.post("/hook", async (c) => {
    const check = await verifyWebhook(c.req.raw, SECRET);
    if (!check.ok) {
      rejected.push(check.reason);
      return c.text(check.reason, 401);
    }
    verified.push(check.json() as Logged[]);
    return c.body(null, 204);
  });
  const hooks = await startReceiver({ app: hookApp });
  const { Miniflare } = await import("miniflare");
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: "2025-06-01",
    bindings: { HTTP_URL: `${receiver.url}/ingest`, WEBHOOK_URL: `${hooks.url}/hook`, WEBHOOK_SECRET: SECRET },
  });
  try {
    const lines = () => receiver.accepted().flatMap((r) => r.text.split("\n").filter((l) => l !== ""));
    const delivered = async (n: number) => {
      await receiver.waitFor(() => lines().length >= n, 30_000, `${n} entries at the http receiver`);
      await hooks.waitFor(() => verified.flat().length >= n, 30_000, `${n} entries at the webhook receiver`);
    };
    // The response comes back before delivery; the entries follow from waitUntil.
    const first = await mf.dispatchFetch("http://edge.test/items?n=25");
    assert.equal(await first.text(), "logged 25");
    await delivered(25);
    // Concurrent requests would interleave their entries: wait before the next one.
    const second = await mf.dispatchFetch("http://edge.test/other?n=3");
    assert.equal(await second.text(), "logged 3");
    await delivered(28);

    const entries = lines().map((l) => JSON.parse(l) as Logged);
    const summary = (e: Logged) => `${e.data.path}#${e.data.i}`;
    const expected = [
      ...Array.from({ length: 25 }, (_, i) => `/items#${i}`),
      ...Array.from({ length: 3 }, (_, i) => `/other#${i}`),
    ];
    assert.deepEqual(entries.map(summary), expected);
    for (const e of entries) {
      assert.equal(e.logger, "edge");
      assert.equal(e.level, "INFO");
      assert.equal(e.message, "edge request");
      assert.equal(e.data.note, "héllo ✓");
    }
    assert.equal(receiver.accepted()[0].headers["content-type"], "application/x-ndjson");

    assert.deepEqual(rejected, []);
    assert.deepEqual(verified.map((b) => b.length), [10, 10, 5, 3], "webhook batches of 10, one array per request");
    assert.deepEqual(verified.flat().map(summary), expected);
  } finally {
    await mf.dispose();
    await receiver.close();
    await hooks.close();
  }
}, { sanitize: false, timeoutMs: 120_000 });
