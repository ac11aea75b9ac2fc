/**
 * fapilog: structured logging for Deno, Bun, Node and edge runtimes.
 *
 * Log calls are synchronous, never throw and never await; a bounded queue
 * and a worker carry every entry through filters, enrichers, redactors and a
 * once-per-entry serialiser to the sinks, and every entry is either written
 * or counted.
 *
 * @example
 * ```ts
 * import { createLogger, stdoutJson } from "@fapilog/fapilog";
 * const log = createLogger({ name: "app", sinks: [stdoutJson()] });
 * log.info("signed in", { userId: 42 });
 * const result = await log.close();
 * console.error(result.submitted, result.sinks.stdout_json.written);
 * ```
 *
 * @module
 */

export { createLogger, type LogFields, Logger } from "./core/logger.ts";
export type { Backpressure, LoggerOptions, SinkInput } from "./core/options.ts";
export type {
  DrainResult,
  DropReason,
  ExceptionInfo,
  LevelName,
  LogContext,
  LogEntry,
  LoggerStats,
  SerializedView,
  Sink,
  SinkHost,
  SinkStats,
} from "./core/types.ts";
export type { ContextFields } from "./core/context.ts";
export type { Diagnostic, DiagnosticHandler } from "./core/diagnostics.ts";
export type { Enricher } from "./core/enrichers.ts";
export type { RateLimitOptions, SamplingOptions } from "./core/filters.ts";
export type { RedactOptions } from "./core/redact.ts";
export type { RouteRule } from "./core/route.ts";
export { ConfigError } from "./core/errors.ts";
export { LEVELS } from "./core/levels.ts";
export { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from "./core/circuit_breaker.ts";
export { formatTextLine, type TextFormatOptions } from "./core/text_format.ts";
export { stdoutJson, type StdoutJsonOptions } from "./sinks/stdout_json.ts";
export { stdoutPretty, type StdoutPrettyOptions } from "./sinks/stdout_pretty.ts";
export { streamSink, type StreamSinkOptions } from "./sinks/stream.ts";
export { rotatingFile, type RotatingFileOptions, RotatingFileSink } from "./sinks/rotating_file.ts";
export { type BatchFormat, type FetchFunction, http, type HttpSinkOptions } from "./sinks/http.ts";
export { webhook, type WebhookSinkOptions } from "./sinks/webhook.ts";
export {
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  verifyWebhook,
  type VerifyWebhookOptions,
  type WebhookVerification,
} from "./sinks/verify_webhook.ts";
export { DeliverySink, type NetworkSink } from "./core/delivery_sink.ts";
export { DeliveryError, type DeliveryStats, type DeliveryTarget } from "./core/delivery.ts";
export type { DeliveryOptions } from "./core/delivery_options.ts";
export type { SendResult } from "./core/retry.ts";
export type { FsAdapter, FsFile, FsOpenMode, FsStat } from "./core/fs.ts";
export type { Env, FieldKind, FieldSpec, SinkTypeSpec } from "./core/settings.ts";
export type { Interval } from "./core/units.ts";
export type { Diagnostics } from "./core/diagnostics.ts";
