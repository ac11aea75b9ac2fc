/**
 * The http sink: POSTs batches of entries to an endpoint, as a JSON array,
 * NDJSON, or an array wrapped in an object (`{"logs": [...]}`), optionally
 * gzip-compressed. Batching, retries, the circuit breaker and the accounting
 * are the delivery engine's; this module only builds bodies and sends them,
 * with nothing but `fetch`, so it runs in edge runtimes too.
 *
 * @module
 */

import type { DeliveryOptions } from "../core/delivery.ts";
import { checkDeliveryOptions, deliveryFields, DeliverySink, type NetworkSink } from "../core/delivery_sink.ts";
import { ConfigError, describeValue } from "../core/errors.ts";
import { classifyResponse, type SendResult } from "../core/retry.ts";
import type { SinkTypeSpec } from "../core/settings.ts";
import type { SerializedView } from "../core/types.ts";

/** How a batch is laid out in the request body. */
export type BatchFormat = "array" | "ndjson" | "wrapped";

/** The accepted batch formats. */
export const BATCH_FORMATS: readonly BatchFormat[] = ["array", "ndjson", "wrapped"];

/** A `fetch`-compatible function. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Options of the {@link http} sink. Batching, retry and buffer options are the delivery engine's. */
export interface HttpSinkOptions extends DeliveryOptions {
  /** The sink's name in stats and diagnostics (default "http"). */
  readonly name?: string;
  /** Extra request headers, e.g. `{ Authorization: "Bearer ..." }` (default none). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Body layout (default "array"): "array" is a JSON array (`application/json`),
   * "ndjson" one entry per line, each ending in a newline (`application/x-ndjson`),
   * "wrapped" an object holding the array under `batchWrapperKey` (`application/json`).
   */
  readonly batchFormat?: BatchFormat;
  /** The key of the array in the "wrapped" format (default "logs"). */
  readonly batchWrapperKey?: string;
  /** Compress request bodies with gzip and send `Content-Encoding: gzip` (default false). */
  readonly gzip?: boolean;
  /** The `fetch` to use, e.g. a service binding's (default the global `fetch`). */
  readonly fetch?: FetchFunction;
}

/** An encoded batch: the exact bytes to send. */
interface HttpBody {
  readonly body: Uint8Array;
}

const encoder = new TextEncoder();
const COMMA = 0x2c;
const NEWLINE = 0x0a;

/**
 * Concatenate the entries' bytes between `open` and `close`, each followed
 * (ndjson) or separated (JSON) by `separator`. No entry is serialised again.
 */
export function joinViews(
  views: readonly SerializedView[],
  open: Uint8Array,
  separator: number,
  close: Uint8Array,
  trailing = false,
): Uint8Array {
  let size = open.byteLength + close.byteLength;
  for (const v of views) size += v.data.byteLength + 1;
  if (!trailing && views.length > 0) size--;
  const out = new Uint8Array(size);
  out.set(open, 0);
  let at = open.byteLength;
  for (let i = 0; i < views.length; i++) {
    if (i > 0 && !trailing) out[at++] = separator;
    const data = views[i].data;
    out.set(data, at);
    at += data.byteLength;
    if (trailing) out[at++] = separator;
  }
  out.set(close, at);
  return out;
}

const EMPTY = new Uint8Array(0);
const OPEN_ARRAY = encoder.encode("[");
const CLOSE_ARRAY = encoder.encode("]");
const CLOSE_WRAPPED = encoder.encode("]}");

/**
 * The body of a batch in one of the {@link BatchFormat}s.
 *
 * @example
 * ```ts
 * import { encodeBatch } from "./http.ts";
 * const line = (text: string) => ({ text, data: new TextEncoder().encode(text) });
 * // deno-lint-ignore no-explicit-any
 * const views = [line('{"a":1}'), line('{"b":2}')] as any;
 * new TextDecoder().decode(encodeBatch(views, "wrapped", "logs")); // '{"logs":[{"a":1},{"b":2}]}'
 * ```
 */
export function encodeBatch(views: readonly SerializedView[], format: BatchFormat, wrapperKey = "logs"): Uint8Array {
  switch (format) {
    case "ndjson":
      return joinViews(views, EMPTY, NEWLINE, EMPTY, true);
    case "wrapped":
      return joinViews(views, encoder.encode(`{${JSON.stringify(wrapperKey)}:[`), COMMA, CLOSE_WRAPPED);
    default:
      return joinViews(views, OPEN_ARRAY, COMMA, CLOSE_ARRAY);
  }
}

/** Compress bytes with gzip (`CompressionStream`, available in every supported runtime). */
export async function gzipBytes(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** POST a body and classify the answer (the response body is always consumed). */
export async function postBody(
  fetchFn: FetchFunction,
  endpoint: string,
  body: Uint8Array,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
): Promise<SendResult> {
  const response = await fetchFn(endpoint, {
    method: "POST",
    headers: headers as Record<string, string>,
    body: body as Uint8Array<ArrayBuffer>,
    signal,
  });
  return await classifyResponse(response);
}

/** Check an endpoint URL given in code or settings; returns it as a string. */
export function checkEndpoint(endpoint: unknown, key = "endpoint"): string {
  const forms = 'an http or https URL such as "https://logs.example.com/ingest"';
  if (typeof endpoint === "string" || endpoint instanceof URL) {
    try {
      const url = new URL(String(endpoint));
      if (url.protocol === "http:" || url.protocol === "https:") return url.href;
    } catch {
      // Reported below, with the accepted forms.
    }
  }
  throw new ConfigError(key, `expected ${forms}, got ${describeValue(endpoint)}`);
}

/** Merge default headers under the user's (case-insensitively: the user's win). */
export function mergeHeaders(
  defaults: Readonly<Record<string, string>>,
  user: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  const taken = new Set(Object.keys(user ?? {}).map((k) => k.toLowerCase()));
  for (const [k, v] of Object.entries(defaults)) if (!taken.has(k.toLowerCase())) out[k] = v;
  for (const [k, v] of Object.entries(user ?? {})) {
    if (typeof v !== "string") throw new ConfigError(`headers.${k}`, `expected a string, got ${describeValue(v)}`);
    out[k] = v;
  }
  return out;
}

/** The global `fetch`, looked up when called (never at import time). */
export function globalFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  return globalThis.fetch(input, init);
}

/**
 * A sink that POSTs batches of entries to `endpoint`.
 *
 * @example
 * ```ts
 * import { http } from "./http.ts";
 * const sink = http("https://logs.example.com/ingest", {
 *   batchFormat: "ndjson",
 *   batchSize: 500,
 *   headers: { Authorization: "Bearer token" },
 * });
 * ```
 */
export function http(endpoint: string | URL, options: HttpSinkOptions = {}): NetworkSink {
  const url = checkEndpoint(endpoint);
  checkDeliveryOptions(options);
  const format = options.batchFormat ?? "array";
  if (!BATCH_FORMATS.includes(format)) {
    throw new ConfigError("batchFormat", `expected "array", "ndjson" or "wrapped", got ${describeValue(format)}`);
  }
  const wrapperKey = options.batchWrapperKey ?? "logs";
  if (typeof wrapperKey !== "string" || wrapperKey === "") {
    throw new ConfigError("batchWrapperKey", `expected a non-empty string, got ${describeValue(wrapperKey)}`);
  }
  const gzip = options.gzip === true;
  const contentType = format === "ndjson" ? "application/x-ndjson" : "application/json";
  const base: Record<string, string> = { "Content-Type": contentType };
  if (gzip) base["Content-Encoding"] = "gzip";
  const headers = mergeHeaders(base, options.headers);
  const fetchFn = options.fetch ?? globalFetch;
  return new DeliverySink<HttpBody>(options.name ?? "http", {
    async encode(views) {
      const body = encodeBatch(views, format, wrapperKey);
      return { body: gzip ? await gzipBytes(body) : body };
    },
    send(encoded, signal) {
      return postBody(fetchFn, url, encoded.body, headers, signal);
    },
  }, options);
}

/** Settings of the http sink: `{type: "http", endpoint, batch_size, batch_format, ...}` and `FAPILOG_HTTP__*`. */
export const httpSpec: SinkTypeSpec = {
  type: "http",
  fields: [
    { key: "endpoint", option: "endpoint", kind: "string", env: "FAPILOG_HTTP__ENDPOINT", doc: "URL to POST to" },
    { key: "name", option: "name", kind: "string", default: "http", doc: "the sink's name in stats" },
    {
      key: "headers",
      option: "headers",
      kind: "headers",
      env: "FAPILOG_HTTP__HEADERS",
      doc: 'extra request headers (JSON object in env, e.g. {"Authorization":"Bearer ..."})',
    },
    {
      key: "batch_format",
      option: "batchFormat",
      kind: "enum",
      values: BATCH_FORMATS,
      env: "FAPILOG_HTTP__BATCH_FORMAT",
      default: "array",
      doc: "array (JSON array), ndjson (one entry per line) or wrapped ({key: [...]})",
    },
    {
      key: "batch_wrapper_key",
      option: "batchWrapperKey",
      kind: "string",
      env: "FAPILOG_HTTP__BATCH_WRAPPER_KEY",
      default: "logs",
      doc: "the key of the array in the wrapped format",
    },
    {
      key: "gzip",
      option: "gzip",
      kind: "bool",
      env: "FAPILOG_HTTP__GZIP",
      default: "false",
      doc: "gzip request bodies (Content-Encoding: gzip)",
      aliases: ["compress"],
    },
    ...deliveryFields("FAPILOG_HTTP__"),
  ],
  create(options) {
    if (options.endpoint === undefined) {
      throw new ConfigError(
        "endpoint",
        "an http sink needs an endpoint: set endpoint in its settings or FAPILOG_HTTP__ENDPOINT",
      );
    }
    return http(options.endpoint as string, options as HttpSinkOptions);
  },
};
