/**
 * Webhook signatures, both sides: how the webhook sink signs a request and how
 * a receiver checks it. Only WebCrypto, so a receiver can run anywhere (Hono
 * on Deno, Bun, Node, or a worker).
 *
 * The signature covers the exact bytes sent: `X-Fapilog-Signature-256` is
 * `sha256=` and the hex HMAC-SHA256, keyed with the shared secret, of
 * `"<timestamp>.<body>"`, where the timestamp is `X-Fapilog-Timestamp` (Unix
 * seconds) and the body the raw request bytes (UTF-8, never re-serialised).
 *
 * @module
 */

/** The header carrying the Unix time (seconds) the request was signed at. */
export const TIMESTAMP_HEADER = "X-Fapilog-Timestamp";
/** The header carrying `sha256=<hex>`. */
export const SIGNATURE_HEADER = "X-Fapilog-Signature-256";

const encoder = new TextEncoder();

/** Import a secret as an HMAC-SHA256 key. */
export function hmacKey(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

/** The signed message: `"<timestamp>."` followed by the body bytes. */
function signedBytes(timestamp: number | string, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${timestamp}.`);
  const out = new Uint8Array(prefix.byteLength + body.byteLength);
  out.set(prefix, 0);
  out.set(body, prefix.byteLength);
  return out;
}

function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * The signature header value for `body` signed at `timestamp` (Unix seconds):
 * `sha256=<hex>`. `key` is a secret or a key from {@link hmacKey}.
 *
 * @example
 * ```ts
 * import { signWebhook } from "./verify_webhook.ts";
 * const body = new TextEncoder().encode('{"message":"héllo"}');
 * const signature = await signWebhook(body, "s3cret", 1700000000); // "sha256=…"
 * ```
 */
export async function signWebhook(body: Uint8Array, key: string | CryptoKey, timestamp: number): Promise<string> {
  const k = typeof key === "string" ? await hmacKey(key, "sign") : key;
  const mac = await crypto.subtle.sign("HMAC", k, signedBytes(timestamp, body));
  return "sha256=" + toHex(new Uint8Array(mac));
}

/** Options of {@link verifyWebhook}. */
export interface VerifyWebhookOptions {
  /** How far the timestamp may be from now, either way, in seconds (default 300). */
  readonly toleranceSeconds?: number;
  /** The current time in ms (default `Date.now()`). */
  readonly now?: number;
}

/** What {@link verifyWebhook} found. */
export type WebhookVerification =
  | {
    readonly ok: true;
    /** The raw body, exactly as signed. */
    readonly body: Uint8Array;
    /** The body as text. */
    readonly text: string;
    /** The signing time, Unix seconds. */
    readonly timestamp: number;
    /** The body parsed: one entry (an object) or a batch (an array). */
    json(): unknown;
  }
  | {
    readonly ok: false;
    /** Why the request was rejected, e.g. "signature does not match". */
    readonly reason: string;
  };

/**
 * Check a signed webhook request: the signature over the exact body bytes,
 * and a timestamp within `toleranceSeconds` of now (stale or future requests
 * are rejected, which stops replays). Reads the request body; use the
 * returned `body` / `json()` instead of reading it again. `secret` may be a
 * list, for rotating secrets.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { verifyWebhook } from "./verify_webhook.ts";
 * const app = new Hono();
 * app.post("/hook", async (c) => {
 *   const check = await verifyWebhook(c.req.raw, "s3cret", { toleranceSeconds: 300 });
 *   if (!check.ok) return c.text(check.reason, 401);
 *   const entries = check.json();
 *   return c.body(null, 204);
 * });
 * ```
 */
export async function verifyWebhook(
  request: Request,
  secret: string | readonly string[],
  options: VerifyWebhookOptions = {},
): Promise<WebhookVerification> {
  const tolerance = options.toleranceSeconds ?? 300;
  const now = options.now ?? Date.now();
  const body = new Uint8Array(await request.arrayBuffer());
  const stamp = request.headers.get(TIMESTAMP_HEADER);
  if (stamp === null) return { ok: false, reason: `missing ${TIMESTAMP_HEADER} header` };
  if (!/^\d{1,15}$/.test(stamp.trim())) return { ok: false, reason: `malformed ${TIMESTAMP_HEADER} header` };
  const timestamp = Number(stamp.trim());
  const skew = now / 1000 - timestamp;
  if (skew > tolerance) {
    return { ok: false, reason: `timestamp too old (${Math.round(skew)} s; tolerance ${tolerance} s)` };
  }
  if (-skew > tolerance) {
    return { ok: false, reason: `timestamp in the future (${Math.round(-skew)} s; tolerance ${tolerance} s)` };
  }
  const header = request.headers.get(SIGNATURE_HEADER);
  if (header === null) return { ok: false, reason: `missing ${SIGNATURE_HEADER} header` };
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  const mac = m ? fromHex(m[1]) : undefined;
  if (!mac) return { ok: false, reason: `malformed ${SIGNATURE_HEADER} header; expected sha256=<64 hex digits>` };
  const message = signedBytes(stamp.trim(), body);
  for (const s of typeof secret === "string" ? [secret] : secret) {
    // subtle.verify compares in constant time.
    if (await crypto.subtle.verify("HMAC", await hmacKey(s, "verify"), mac, message)) {
      const text = new TextDecoder().decode(body);
      return { ok: true, body, text, timestamp, json: () => JSON.parse(text) };
    }
  }
  return { ok: false, reason: "signature does not match" };
}
