/**
 * The webhook sink and its signatures, against a real Hono receiver on
 * loopback that checks every request with verifyWebhook (end to end through
 * createLogger, and directly through the Sink interface): single objects and
 * arrays, signatures over the exact bytes sent (non-ASCII bodies included,
 * where the Python original failed), and the receiver's rejections.
 */

import assert from "node:assert/strict";
import { Hono } from "hono";
import { ConfigError } from "../core/errors.ts";
import { envOptions, resolveSinkSettings } from "../core/settings.ts";
import { verifyWebhook } from "../sinks/verify_webhook.ts";
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from "../sinks/verify_webhook.ts";
import { webhook, type WebhookSinkOptions, webhookSpec } from "../sinks/webhook.ts";
import { test } from "./harness.ts";
import { type Receiver, startReceiver } from "./fixtures/receiver.ts";
import { RecordingHost, testLogger, views } from "./fixtures/recording_host.ts";
import { captureSink } from "./fixtures/capture.ts";

const SECRET = "s3cret-ü";
const FAST: WebhookSinkOptions = {
  retryBaseDelayMs: 2,
  retryMaxDelayMs: 10,
  batchTimeoutMs: 5,
  circuitRecoveryTimeMs: 20,
};

/** A receiver whose app accepts only requests signed with `secret` (204) and rejects others (401). */
async function signedReceiver(
  secret = SECRET,
): Promise<{ receiver: Receiver; verified: unknown[]; rejections: string[] }> {
  const verified: unknown[] = [];
  const rejections: string[] = [];
  const app = new Hono();
  app.post("/hook", async (c) => {
    const check = await verifyWebhook(c.req.raw, secret, { toleranceSeconds: 300 });
    if (!check.ok) {
      rejections.push(check.reason);
      return c.text(check.reason, 401);
    }
    verified.push(check.json());
    return c.body(null, 204);
  });
  return { receiver: await startReceiver({ app }), verified, rejections };
}

function started(endpoint: string, options: WebhookSinkOptions) {
  const host = new RecordingHost();
  const sink = webhook(endpoint, options);
  sink.startSync(host);
  return { sink, host };
}

const UNICODE = ["héllo wörld", "✓ done", "日本語のログ", "emoji 🚀🔥", 'quote " and \\ backslash'];

test("each entry is POSTed as one signed JSON object; non-ASCII bodies verify", async () => {
  const { receiver, verified, rejections } = await signedReceiver();
  try {
    const capture = captureSink();
    const { log } = testLogger([capture.sink, { type: "webhook", endpoint: receiver.url + "/hook", secret: SECRET }]);
    UNICODE.forEach((m, i) => log.info(m, { i, "clé": "wert – ü" }));
    const result = await log.close();
    assert.deepEqual(rejections, []);
    assert.equal(receiver.requests.length, 5);
    assert.deepEqual(verified.map((e) => (e as { message: string }).message), UNICODE);
    const encoder = new TextEncoder();
    for (const [i, r] of receiver.requests.entries()) {
      assert.equal(r.status, 204);
      assert.deepEqual(r.body, encoder.encode(capture.lines()[i]), "the exact bytes of the entry");
      assert.equal(r.headers["content-type"], "application/json");
      const stamp = r.headers[TIMESTAMP_HEADER.toLowerCase()];
      assert.match(stamp, /^\d+$/);
      assert.match(r.headers[SIGNATURE_HEADER.toLowerCase()], /^sha256=[0-9a-f]{64}$/);
      assert.equal(r.headers[SIGNATURE_HEADER.toLowerCase()], await signWebhook(r.body, SECRET, Number(stamp)));
    }
    const s = result.sinks.webhook;
    assert.deepEqual([result.submitted, s.written, s.failed, s.dropped], [5, 5, 0, 0]);
  } finally {
    await receiver.close();
  }
});

test("a signature over a re-serialisation (the original's bug) does not verify; over the bytes sent it does", async () => {
  const body = new TextEncoder().encode(JSON.stringify({ message: "héllo ✓" }));
  const stamp = Math.floor(Date.now() / 1000);
  // Python's json.dumps escapes non-ASCII by default: a different byte string for the same object.
  const reserialised = new TextEncoder().encode('{"message": "h\\u00e9llo \\u2713"}');
  const request = async (signedOver: Uint8Array) =>
    new Request("http://127.0.0.1/hook", {
      method: "POST",
      body,
      headers: { [TIMESTAMP_HEADER]: String(stamp), [SIGNATURE_HEADER]: await signWebhook(signedOver, SECRET, stamp) },
    });
  const bad = await verifyWebhook(await request(reserialised), SECRET);
  assert.deepEqual(bad, { ok: false, reason: "signature does not match" });
  const good = await verifyWebhook(await request(body), SECRET);
  assert.equal(good.ok, true);
  if (good.ok) assert.deepEqual(good.json(), { message: "héllo ✓" });
});

test("with batchSize above 1 every request is a JSON array, even with a single entry", async () => {
  const { receiver, verified } = await signedReceiver();
  try {
    const { sink } = started(receiver.url + "/hook", { ...FAST, secret: SECRET, batchSize: 3, batchTimeoutMs: 60_000 });
    const vs = views(4);
    await sink.writeBatch(vs);
    await sink.stop();
    assert.equal(receiver.requests.length, 2);
    assert.equal(receiver.requests[0].text, `[${vs.slice(0, 3).map((v) => v.text).join(",")}]`);
    assert.equal(receiver.requests[1].text, `[${vs[3].text}]`);
    assert.deepEqual(verified.map((b) => (b as unknown[]).length), [3, 1]);
  } finally {
    await receiver.close();
  }
});

test("without a secret nothing is signed; custom headers are sent", async () => {
  const receiver = await startReceiver();
  try {
    const { sink } = started(receiver.url, { ...FAST, headers: { "X-Team": "core" } });
    await sink.writeBatch(views(1));
    await sink.stop();
    const h = receiver.requests[0].headers;
    assert.equal(h["x-team"], "core");
    assert.equal(h[TIMESTAMP_HEADER.toLowerCase()], undefined);
    assert.equal(h[SIGNATURE_HEADER.toLowerCase()], undefined);
  } finally {
    await receiver.close();
  }
});

test("a retried request is signed again and still verifies", async () => {
  const { receiver, verified, rejections } = await signedReceiver();
  try {
    receiver.fault({ status: 503 }, { status: 500 });
    const { sink } = started(receiver.url + "/hook", { ...FAST, secret: SECRET });
    await sink.writeBatch(views(2));
    await sink.flush();
    assert.equal(receiver.requests.length, 4);
    assert.deepEqual(rejections, []);
    assert.deepEqual(verified.map((e) => (e as { message: string }).message), ["m0", "m1"]);
    for (const r of receiver.requests) {
      const stamp = Number(r.headers[TIMESTAMP_HEADER.toLowerCase()]);
      assert.equal(r.headers[SIGNATURE_HEADER.toLowerCase()], await signWebhook(r.body, SECRET, stamp));
    }
    assert.equal(sink.stats().retried, 2);
    await sink.stop();
  } finally {
    await receiver.close();
  }
});

test("a receiver refusing the signature (401) is not retried and the entries are reported failed", async () => {
  const { receiver, rejections } = await signedReceiver();
  try {
    const { sink, host } = started(receiver.url + "/hook", { ...FAST, secret: "the-wrong-secret" });
    await sink.writeBatch(views(2));
    await sink.flush();
    assert.equal(receiver.requests.length, 2);
    assert.deepEqual(rejections, ["signature does not match", "signature does not match"]);
    assert.equal(host.failedCount, 2);
    assert.match(String(host.failures[0].error), /answered 401.*signature does not match/);
    const s = sink.stats();
    assert.deepEqual([s.sent, s.failed, s.retried], [0, 2, 0]);
    await sink.stop();
  } finally {
    await receiver.close();
  }
});

async function signedRequest(
  body: string,
  options: { secret?: string; stamp?: number | string; signature?: string | null; timestamp?: string | null } = {},
): Promise<Request> {
  const bytes = new TextEncoder().encode(body);
  const stamp = options.stamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {};
  if (options.timestamp !== null) headers[TIMESTAMP_HEADER] = options.timestamp ?? String(stamp);
  if (options.signature !== null) {
    headers[SIGNATURE_HEADER] = options.signature ?? await signWebhook(bytes, options.secret ?? SECRET, Number(stamp));
  }
  return new Request("http://127.0.0.1/hook", { method: "POST", body: bytes, headers });
}

test("verifyWebhook rejects bad signatures, stale or future timestamps and malformed headers", async () => {
  const now = Math.floor(Date.now() / 1000);
  const reason = async (r: Request, opts = {}) => {
    const check = await verifyWebhook(r, SECRET, opts);
    return check.ok ? "ok" : check.reason;
  };
  assert.equal(await reason(await signedRequest('{"a":"é"}')), "ok");
  assert.equal(await reason(await signedRequest("{}", { secret: "other" })), "signature does not match");
  const tampered = await signedRequest('{"a":1}', {
    signature: await signWebhook(new TextEncoder().encode('{"a":2}'), SECRET, now),
  });
  assert.equal(await reason(tampered), "signature does not match");
  assert.match(await reason(await signedRequest("{}", { stamp: now - 301 })), /^timestamp too old/);
  assert.match(await reason(await signedRequest("{}", { stamp: now + 301 })), /^timestamp in the future/);
  assert.equal(await reason(await signedRequest("{}", { stamp: now - 100 }), { toleranceSeconds: 120 }), "ok");
  assert.match(await reason(await signedRequest("{}", { stamp: now - 100 }), { toleranceSeconds: 60 }), /too old/);
  assert.equal(await reason(await signedRequest("{}", { timestamp: null })), "missing X-Fapilog-Timestamp header");
  assert.equal(
    await reason(await signedRequest("{}", { timestamp: "yesterday" })),
    "malformed X-Fapilog-Timestamp header",
  );
  assert.equal(await reason(await signedRequest("{}", { signature: null })), "missing X-Fapilog-Signature-256 header");
  assert.match(await reason(await signedRequest("{}", { signature: "md5=abc" })), /^malformed X-Fapilog-Signature-256/);
  // A signature for another timestamp does not carry over.
  const replayed = await signedRequest("{}", {
    signature: await signWebhook(new TextEncoder().encode("{}"), SECRET, now - 1),
  });
  assert.equal(await reason(replayed), "signature does not match");
});

test("verifyWebhook accepts any of several secrets, for rotation", async () => {
  const check = await verifyWebhook(await signedRequest("[]", { secret: "new" }), ["old", "new"]);
  assert.equal(check.ok, true);
  if (check.ok) assert.deepEqual(check.json(), []);
});

test("a settings dict and the FAPILOG_WEBHOOK__* variables build the webhook sink", async () => {
  const { receiver, verified } = await signedReceiver();
  try {
    const options = resolveSinkSettings(
      webhookSpec,
      {
        type: "webhook",
        endpoint: receiver.url + "/hook",
        batch_size: 2,
        timeout_seconds: 3,
        batch_timeout_seconds: "50ms",
        headers: { "X-Team": "core" },
      },
      { FAPILOG_WEBHOOK__SECRET: SECRET },
      "sinks[0]",
    );
    assert.deepEqual(options, {
      endpoint: receiver.url + "/hook",
      secret: SECRET,
      batchSize: 2,
      timeoutMs: 3000,
      batchTimeoutMs: 50,
      headers: { "X-Team": "core" },
    });
    const sink = webhookSpec.create(options);
    await sink.writeBatch!(views(2));
    await sink.stop!();
    assert.deepEqual(verified.map((b) => (b as unknown[]).length), [2]);
    assert.equal(receiver.requests[0].headers["x-team"], "core");
    assert.deepEqual(
      envOptions(webhookSpec, { FAPILOG_WEBHOOK__ENDPOINT: "https://h.example/x", FAPILOG_WEBHOOK__BATCH_SIZE: "1" }),
      {
        endpoint: "https://h.example/x",
        batchSize: 1,
      },
    );
  } finally {
    await receiver.close();
  }
});

test("bad webhook settings fail early, naming the key", () => {
  assert.throws(() => webhook("not a url"), (e: unknown) => e instanceof ConfigError && e.key === "endpoint");
  assert.throws(
    () => webhook("https://h.example", { secret: "" }),
    (e: unknown) => e instanceof ConfigError && e.key === "secret",
  );
  assert.throws(
    () => webhookSpec.create({}),
    (e: unknown) => e instanceof ConfigError && /FAPILOG_WEBHOOK__ENDPOINT/.test(e.message),
  );
});
