/**
 * The demo: a small web app (Hono) answers a few hundred requests and logs
 * each one with its request context, to the pretty console (WARNING and
 * above, so the terminal stays readable) and to a JSON file (everything),
 * then prints the drain result: every entry written or accounted for.
 *
 * Run: `npx -y deno@2 task demo` (or `deno task demo`, `bun examples/demo.ts`).
 */

import { Hono } from "hono";
import { createLogger, rotatingFile, stdoutPretty } from "../mod.ts";

const dir = "logs/demo";
const file = `${dir}/app.log`;
await removeDir(dir); // a fresh run each time (restarts would otherwise append to the same file)
const log = createLogger({
  name: "shop",
  level: "DEBUG",
  sinks: [
    stdoutPretty(),
    rotatingFile(file, { rotation: "64 KB", retention: 10, compression: true }),
  ],
  routing: [
    { minLevel: "WARNING", sinks: ["stdout_pretty", "rotating_file"] },
    { maxLevel: "INFO", sinks: ["rotating_file"] },
  ],
});

const app = new Hono();

// Middleware: every entry logged while handling a request carries its ids.
app.use("*", async (c, next) => {
  const requestId = c.req.header("x-request-id") ?? crypto.randomUUID();
  await log.withContext({ requestId, correlationId: c.req.header("x-correlation-id") ?? requestId }, async () => {
    const started = performance.now();
    await next();
    const ms = Math.round((performance.now() - started) * 100) / 100;
    const fields = { method: c.req.method, path: c.req.path, status: c.res.status, ms };
    if (c.res.status >= 500) log.error("request failed", fields);
    else if (c.res.status >= 400) log.warning("request rejected", fields);
    else log.info("request handled", fields);
  });
});

app.get("/products/:id", (c) => {
  const id = Number(c.req.param("id"));
  log.debug("product lookup", { productId: id, cache: id % 3 === 0 ? "hit" : "miss" });
  if (id % 97 === 0) return c.json({ error: "not found" }, 404);
  return c.json({ id, name: `Product ${id}`, price: (id * 7) % 100 });
});

app.post("/login", async (c) => {
  const body = await c.req.json<{ user: string; password: string }>();
  // The password field is redacted before it reaches any sink.
  log.info("login attempt", { user: body.user, password: body.password });
  if (body.password.length < 8) {
    log.security("weak password rejected", { user: body.user });
    return c.json({ error: "weak password" }, 400);
  }
  return c.json({ token: "t-" + body.user });
});

app.post("/checkout", (c) => {
  try {
    throw new Error("payment gateway timeout", { cause: new Error("connect ETIMEDOUT 10.0.0.7:443") });
  } catch (e) {
    log.exception("checkout failed", e, { gateway: "https://api:s3cret@payments.example/charge" });
    return c.json({ error: "try again" }, 503);
  }
});

const requests: (Response | Promise<Response>)[] = [];
for (let i = 1; i <= 300; i++) {
  const headers = { "x-request-id": `req-${i}` };
  if (i % 50 === 0) requests.push(app.request("/checkout", { method: "POST", headers }));
  else if (i % 20 === 0) {
    requests.push(app.request("/login", {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ user: `user${i}`, password: i % 40 === 0 ? "short" : "correct horse battery" }),
    }));
  } else requests.push(app.request(`/products/${i}`, { headers }));
}
await Promise.all(requests);

const result = await log.close();
const files = await listFiles(dir);
let total = 0;
for (const f of files) total += (await readLines(`${dir}/${f}`)).length;
console.log("\n--- drain result ---");
console.log(JSON.stringify(
  {
    submitted: result.submitted,
    processed: result.processed,
    dropped: result.dropped,
    drained: result.drained,
    elapsedMs: result.elapsedMs,
    sinks: Object.fromEntries(
      Object.entries(result.sinks).map((
        [name, s],
      ) => [name, { written: s.written, failed: s.failed, dropped: s.dropped }]),
    ),
  },
  null,
  2,
));
console.log(`${dir}/: ${files.join(", ")}`);
console.log(`${total} JSON lines across the active file and the gzipped rotated files`);
const sample = (await readLines(file)).find((l) => l.includes('"login attempt"'));
if (sample) console.log("a line from the file:", sample);

// The demo's own file reading goes through node:fs, which Deno, Bun and Node all provide.
// deno-lint-ignore no-explicit-any
function fsp(): any {
  // deno-lint-ignore no-explicit-any
  return (globalThis as any).process.getBuiltinModule("node:fs/promises");
}

async function removeDir(path: string): Promise<void> {
  await fsp().rm(path, { recursive: true, force: true });
}

async function listFiles(path: string): Promise<string[]> {
  return (await fsp().readdir(path)).sort();
}

async function readLines(path: string): Promise<string[]> {
  const bytes: Uint8Array<ArrayBuffer> = await fsp().readFile(path);
  const plain = path.endsWith(".gz")
    ? new Uint8Array(
      await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer(),
    )
    : bytes;
  return new TextDecoder().decode(plain).split("\n").filter(Boolean);
}
