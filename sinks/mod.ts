/**
 * The built-in sinks.
 *
 * @example
 * ```ts
 * import { createLogger } from "@fapilog/fapilog";
 * import { stdoutJson } from "@fapilog/fapilog/sinks";
 * const log = createLogger({ sinks: [stdoutJson()] });
 * log.info("ready");
 * await log.close();
 * ```
 *
 * @module
 */

export { stdoutJson, type StdoutJsonOptions, stdoutJsonSpec } from "./stdout_json.ts";
export { stdoutPretty, type StdoutPrettyOptions, stdoutPrettySpec } from "./stdout_pretty.ts";
export { streamSink } from "./stream.ts";
export { BUILTIN_SINK_TYPES, sinkType } from "./registry.ts";
