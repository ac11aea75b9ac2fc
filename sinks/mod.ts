/**
 * The built-in sinks.
 *
 * @example
 * ```ts
 * import { createLogger } from "@fapilog/fapilog";
 * import { rotatingFile, stdoutPretty } from "@fapilog/fapilog/sinks";
 * const log = createLogger({ sinks: [stdoutPretty(), rotatingFile("logs/app.log", { rotation: "10 MB" })] });
 * log.info("ready");
 * await log.close();
 * ```
 *
 * @module
 */

export { stdoutJson, type StdoutJsonOptions, stdoutJsonSpec } from "./stdout_json.ts";
export { stdoutPretty, type StdoutPrettyOptions, stdoutPrettySpec } from "./stdout_pretty.ts";
export { streamSink, type StreamSinkOptions } from "./stream.ts";
export {
  type FileSinkCounters,
  rotatingFile,
  type RotatingFileOptions,
  RotatingFileSink,
  rotatingFileSpec,
} from "./rotating_file.ts";
export { type BatchFormat, type FetchFunction, http, type HttpSinkOptions, httpSpec } from "./http.ts";
export { webhook, type WebhookSinkOptions, webhookSpec } from "./webhook.ts";
export { verifyWebhook, type VerifyWebhookOptions, type WebhookVerification } from "./verify_webhook.ts";
export { BUILTIN_SINK_TYPES, sinkType } from "./registry.ts";
export type { NetworkSink } from "../core/delivery_sink.ts";
export type { DeliveryOptions } from "../core/delivery_options.ts";
export type { FsAdapter, FsFile, FsOpenMode, FsStat } from "../core/fs.ts";
export type { Env, FieldKind, FieldSpec, SinkTypeSpec } from "../core/settings.ts";
export type { Interval } from "../core/units.ts";
