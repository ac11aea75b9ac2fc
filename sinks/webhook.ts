/**
 * The webhook sink: POSTs entries to a webhook, batched like the http sink,
 * and signs each request when given a secret (see `verify_webhook.ts` for the
 * scheme and the receiver's check). With `batchSize` 1 (the default) each
 * request carries one entry as a JSON object; with a larger `batchSize`
 * every request carries a JSON array, even when it holds a single entry, so
 * the receiver always sees one shape.
 *
 * @module
 */

import { checkDeliveryOptions, deliveryFields, DeliverySink, type NetworkSink } from "../core/delivery_sink.ts";
import type { DeliveryOptions } from "../core/delivery.ts";
import { ConfigError, describeValue } from "../core/errors.ts";
import type { SinkTypeSpec } from "../core/settings.ts";
import { checkEndpoint, encodeBatch, type FetchFunction, globalFetch, mergeHeaders, postBody } from "./http.ts";
import { hmacKey, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from "./verify_webhook.ts";

/** Options of the {@link webhook} sink. Batching, retry and buffer options are the delivery engine's. */
export interface WebhookSinkOptions extends DeliveryOptions {
  /** The sink's name in stats and diagnostics (default "webhook"). */
  readonly name?: string;
  /** Shared secret; when set, requests carry `X-Fapilog-Timestamp` and `X-Fapilog-Signature-256` (default none). */
  readonly secret?: string;
  /** Extra request headers (default none). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The `fetch` to use (default the global `fetch`). */
  readonly fetch?: FetchFunction;
  /** Most entries in one request; 1 sends each entry as an object, more send arrays (default 1). */
  readonly batchSize?: number;
}

/** An encoded webhook request body. */
interface WebhookBody {
  readonly body: Uint8Array;
}

/**
 * A sink that POSTs entries to a webhook, signed when `secret` is given.
 *
 * @example
 * ```ts
 * import { webhook } from "./webhook.ts";
 * const sink = webhook("https://hooks.example.com/logs", { secret: "s3cret", batchSize: 20 });
 * ```
 */
export function webhook(endpoint: string | URL, options: WebhookSinkOptions = {}): NetworkSink {
  const url = checkEndpoint(endpoint);
  checkDeliveryOptions(options);
  const secret = options.secret;
  if (secret !== undefined && (typeof secret !== "string" || secret === "")) {
    throw new ConfigError("secret", `expected a non-empty string, got ${describeValue(secret)}`);
  }
  const batchSize = options.batchSize ?? 1;
  const single = batchSize === 1;
  const headers = mergeHeaders({ "Content-Type": "application/json" }, options.headers);
  const fetchFn = options.fetch ?? globalFetch;
  let key: Promise<CryptoKey> | undefined;
  return new DeliverySink<WebhookBody>(options.name ?? "webhook", {
    encode(views) {
      return { body: single && views.length === 1 ? views[0].bytes() : encodeBatch(views, "array") };
    },
    async send(encoded, signal) {
      if (secret === undefined) return postBody(fetchFn, url, encoded.body, headers, signal);
      // Signed per attempt, so a retry after a long wait is not stale at the receiver.
      key ??= hmacKey(secret, "sign");
      const timestamp = Math.floor(Date.now() / 1000);
      const signature = await signWebhook(encoded.body, await key, timestamp);
      const signed = { ...headers, [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signature };
      return postBody(fetchFn, url, encoded.body, signed, signal);
    },
  }, { ...options, batchSize });
}

/** Settings of the webhook sink: `{type: "webhook", endpoint, secret, headers, batch_size, ...}` and `FAPILOG_WEBHOOK__*`. */
export const webhookSpec: SinkTypeSpec = {
  type: "webhook",
  fields: [
    { key: "endpoint", option: "endpoint", kind: "string", env: "FAPILOG_WEBHOOK__ENDPOINT", doc: "URL to POST to" },
    { key: "name", option: "name", kind: "string", default: "webhook", doc: "the sink's name in stats" },
    {
      key: "secret",
      option: "secret",
      kind: "string",
      env: "FAPILOG_WEBHOOK__SECRET",
      doc: "shared secret; requests are signed with HMAC-SHA256 when set",
    },
    {
      key: "headers",
      option: "headers",
      kind: "headers",
      env: "FAPILOG_WEBHOOK__HEADERS",
      doc: "extra request headers (JSON object in env)",
    },
    ...deliveryFields("FAPILOG_WEBHOOK__", { batch_size: "1" }),
  ],
  create(options) {
    if (options.endpoint === undefined) {
      throw new ConfigError(
        "endpoint",
        "a webhook sink needs an endpoint: set endpoint in its settings or FAPILOG_WEBHOOK__ENDPOINT",
      );
    }
    return webhook(options.endpoint as string, options as WebhookSinkOptions);
  },
};
