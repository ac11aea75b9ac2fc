/**
 * Retry policy of the delivery engine: which failures are worth another
 * attempt, and how long to wait before it (exponential backoff with full
 * jitter, or the server's own `Retry-After`).
 *
 * @module
 */

/**
 * What one attempt to send a batch came to. A sink's `send` returns this, or
 * throws for a network error (which is retried).
 */
export type SendResult =
  | { readonly ok: true }
  | {
    readonly ok: false;
    /** Worth another attempt (network trouble, 408, 429, 5xx). */
    readonly retryable: boolean;
    /** The HTTP status, when there was a response. */
    readonly status?: number;
    /** How long the server asked us to wait (`Retry-After`), in ms. */
    readonly retryAfterMs?: number;
    /** What went wrong, briefly (status text and the start of the body). */
    readonly detail: string;
  };

/** The longest part of a response body quoted in a report, in characters. */
export const MAX_DETAIL_CHARS = 200;

/** True for the statuses worth retrying: 408, 429 and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Parse a `Retry-After` header into a delay in milliseconds: either a whole
 * number of seconds or an HTTP date. Returns `undefined` when absent or
 * unreadable; a date in the past gives 0.
 *
 * @example
 * ```ts
 * import { parseRetryAfterMs } from "./retry.ts";
 * parseRetryAfterMs("3"); // 3000
 * parseRetryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT"); // 0 (in the past)
 * ```
 */
export function parseRetryAfterMs(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === "") return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // HTTP dates start with the day's name ("Wed, 21 Oct 2015 07:28:00 GMT" and the obsolete forms).
  if (!/^[A-Za-z]{3}/.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * The delay before retry number `retry` (1 for the first retry): a random
 * value between 0 and `min(maxMs, baseMs * 2^(retry-1))` ("full jitter"), so
 * many senders that failed together do not retry together.
 */
export function backoffDelayMs(
  retry: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Turn an HTTP response into a {@link SendResult}, consuming its body (a
 * body left unread holds the connection). For a failure, up to
 * {@link MAX_DETAIL_CHARS} characters of the body go into `detail`.
 */
export async function classifyResponse(response: Response, now: number = Date.now()): Promise<SendResult> {
  if (response.ok) {
    // Acknowledgements are small; reading them lets the connection be reused.
    await response.arrayBuffer().catch(() => undefined);
    return { ok: true };
  }
  const body = await readStart(response, 4 * MAX_DETAIL_CHARS);
  const text = body.length > MAX_DETAIL_CHARS ? body.slice(0, MAX_DETAIL_CHARS) + "…" : body;
  const status = response.status;
  const statusText = response.statusText ? ` ${response.statusText}` : "";
  return {
    ok: false,
    retryable: isRetryableStatus(status),
    status,
    retryAfterMs: parseRetryAfterMs(response.headers.get("retry-after"), now),
    detail: `the endpoint answered ${status}${statusText}${text.trim() ? `: ${text.trim()}` : ""}`,
  };
}

/** Read at most `maxBytes` of a body as text, then release the rest. */
async function readStart(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short still leaves the status to report.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all.subarray(0, Math.min(size, maxBytes)));
}
