/**
 * The logger: `createLogger(options)` resolves every option (and env) once,
 * builds the pipeline and returns a {@link Logger} whose log calls are
 * synchronous, never throw and never await.
 *
 * @module
 */

import { type ContextFields, currentContext, runWithContext } from "./context.ts";
import { Diagnostics } from "./diagnostics.ts";
import { runtimeInfo } from "./enrichers.ts";
import { BASE_SIZE, copyFields, fieldsSize, messageText, type Rec } from "./envelope.ts";
import { ConfigError } from "./errors.ts";
import { type Filter, rateLimitFilter, samplingFilter } from "./filters.ts";
import { LEVELS, parseLevel } from "./levels.ts";
import { type LoggerOptions, resolveCoreSettings } from "./options.ts";
import { Pipeline } from "./pipeline.ts";
import { createRedactor } from "./redact.ts";
import { buildRouteTable } from "./route.ts";
import { fdWriter, processEnv } from "./runtime.ts";
import { DEFAULT_LIMITS, exceptionInfo } from "./serialize.ts";
import { serializerStatics } from "./serialized_view.ts";
import { resolveSinks } from "./sink_resolve.ts";
import type { DrainResult, LevelName, LoggerStats } from "./types.ts";

/** Fields of a log call: any JSON-like object. */
export type LogFields = Record<string, unknown>;

/** A logger. Log methods are synchronous and never throw. */
export class Logger {
  /** The logger's name (`logger` in every entry). */
  readonly name: string;
  /** The lowest level this logger emits. */
  readonly level: LevelName;
  readonly #pipeline: Pipeline;
  readonly #minLevel: number;
  readonly #bound: LogFields | undefined;

  /** @internal Use {@link createLogger}. */
  constructor(pipeline: Pipeline, name: string, level: LevelName, bound: LogFields | undefined) {
    this.#pipeline = pipeline;
    this.name = name;
    this.level = level;
    this.#minLevel = LEVELS[level];
    this.#bound = bound;
  }

  #log(levelNo: number, level: LevelName, message: unknown, fields: LogFields | undefined, error?: unknown): void {
    if (levelNo < this.#minLevel) return;
    try {
      const copied = copyFields(this.#bound, fields);
      const msg = typeof message === "string" ? message : messageText(message);
      const rec: Rec = {
        ts: Date.now(),
        levelNo,
        level,
        logger: this.name,
        message: msg,
        fields: copied,
        ctx: currentContext(),
        exception: error === undefined ? undefined : exceptionInfo(error),
        size: BASE_SIZE + msg.length + (copied === undefined ? 0 : fieldsSize(copied)),
      };
      this.#pipeline.submit(rec);
    } catch {
      // Logging never throws into the caller. Nothing above should throw;
      // this is the last line of defence.
    }
  }

  /** Log at DEBUG. */
  debug(message: string, fields?: LogFields): void {
    this.#log(10, "DEBUG", message, fields);
  }
  /** Log at INFO. */
  info(message: string, fields?: LogFields): void {
    this.#log(20, "INFO", message, fields);
  }
  /** Log at WARNING. */
  warning(message: string, fields?: LogFields): void {
    this.#log(30, "WARNING", message, fields);
  }
  /** Alias of {@link Logger.warning}. */
  warn(message: string, fields?: LogFields): void {
    this.#log(30, "WARNING", message, fields);
  }
  /** Log at ERROR. */
  error(message: string, fields?: LogFields): void {
    this.#log(40, "ERROR", message, fields);
  }
  /** Log at CRITICAL. */
  critical(message: string, fields?: LogFields): void {
    this.#log(50, "CRITICAL", message, fields);
  }
  /** Log at AUDIT. */
  audit(message: string, fields?: LogFields): void {
    this.#log(60, "AUDIT", message, fields);
  }
  /** Log at SECURITY. */
  security(message: string, fields?: LogFields): void {
    this.#log(70, "SECURITY", message, fields);
  }
  /** Log at ERROR with `error` under `diagnostics.exception` (type, message, stack, cause chain). */
  exception(message: string, error: unknown, fields?: LogFields): void {
    this.#log(40, "ERROR", message, fields, error);
  }
  /** Log at any level. */
  log(level: LevelName, message: string, fields?: LogFields): void {
    const levelNo = LEVELS[level];
    if (levelNo !== undefined) this.#log(levelNo, level, message, fields);
  }

  /** Whether an entry at `level` would be emitted. */
  isEnabledFor(level: LevelName): boolean {
    return LEVELS[level] >= this.#minLevel;
  }

  /** A child logger adding `fields` to every entry, sharing this logger's pipeline. */
  bind(fields: LogFields): Logger {
    return new Logger(this.#pipeline, this.name, this.level, copyFields(this.#bound, fields));
  }

  /** A child logger with another name, sharing this logger's pipeline. */
  child(name: string, fields?: LogFields): Logger {
    return new Logger(
      this.#pipeline,
      name,
      this.level,
      fields ? copyFields(this.#bound, fields) : this.#bound,
    );
  }

  /**
   * Run `fn` with correlation/request/user/tenant/trace/span ids set for
   * everything logged inside it, also after `await` where the runtime has
   * AsyncLocalStorage.
   */
  withContext<T>(context: ContextFields, fn: () => T): T {
    return runWithContext(context, fn);
  }

  /** Resolves when every sink has started. */
  ready(): Promise<void> {
    return this.#pipeline.ready;
  }

  /** Resolves when everything accepted so far is written or accounted for. */
  flush(): Promise<void> {
    return this.#pipeline.flush();
  }

  /** Stop intake, drain within the deadline, stop the sinks; returns the drain result. */
  close(options: { readonly deadlineMs?: number } = {}): Promise<DrainResult> {
    return this.#pipeline.close(options.deadlineMs);
  }

  /** The live counters. */
  stats(): LoggerStats {
    return this.#pipeline.stats();
  }

  /** `await using log = createLogger(...)` closes the logger. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Create a logger. Synchronous: sinks start in the background (`await
 * log.ready()` waits for them). Throws {@link ConfigError} on a bad option or
 * env value, before anything starts.
 *
 * @example
 * ```ts
 * import { createLogger, stdoutJson } from "./mod.ts";
 * const log = createLogger({ name: "app", sinks: [stdoutJson()] });
 * log.info("signed in", { userId: 42 });
 * await log.close();
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const env = options.env ?? processEnv();
  const settings = resolveCoreSettings(options, env);
  const service = settings.service ?? options.name ?? "app";
  const name = options.name ?? service;
  if (typeof name !== "string" || name === "") {
    throw new ConfigError("name", "expected a non-empty string");
  }
  const diagnostics = new Diagnostics(options.onDiagnostic);
  const sinks = resolveSinks(options.sinks, env);
  const routes = buildRouteTable(sinks.map((s) => s.name), options.routing, options.routingFallback);

  const filters: Filter[] = [];
  const sampling = options.sampling ??
    (settings.samplingRate !== undefined ? { rate: settings.samplingRate } : undefined);
  if (sampling) {
    if (!(typeof sampling.rate === "number" && sampling.rate >= 0 && sampling.rate <= 1)) {
      throw new ConfigError("sampling.rate", `expected a number from 0 to 1, got ${String(sampling.rate)}`);
    }
    if (sampling.maxLevel) parseLevel(sampling.maxLevel, "sampling.maxLevel");
    if (sampling.rate < 1) filters.push(samplingFilter(sampling));
  }
  const rateLimit = options.rateLimit ??
    (settings.rateLimitPerSecond !== undefined ? { perSecond: settings.rateLimitPerSecond } : undefined);
  if (rateLimit) {
    if (!(typeof rateLimit.perSecond === "number" && rateLimit.perSecond > 0)) {
      throw new ConfigError("rateLimit.perSecond", `expected a number above 0, got ${String(rateLimit.perSecond)}`);
    }
    filters.push(rateLimitFilter(rateLimit));
  }

  const redactor = options.redact === false || (options.redact === undefined && !settings.redactEnabled)
    ? undefined
    : createRedactor(options.redact || {});

  const diag: Record<string, unknown> = options.runtimeInfo === false
    ? {}
    : { ...runtimeInfo(service, settings.environment ?? "dev") };
  const statics = serializerStatics(diag, { maxEntryBytes: settings.maxEntryBytes, maxDepth: DEFAULT_LIMITS.maxDepth });

  const fallback = options.fallback === false ? false : options.fallback ?? lazyStderr();
  const pipeline = new Pipeline({
    settings,
    sinks,
    routes,
    filters,
    redactor,
    enrichers: options.enrichers ?? [],
    statics,
    diagnostics,
    fallback,
    exitHooks: options.exitHooks ?? true,
    dropWarningIntervalMs: options.dropWarningIntervalMs ?? 5000,
  });
  return new Logger(pipeline, name, settings.level, undefined);
}

function lazyStderr(): (text: string) => void {
  let w: ((text: string) => void) | undefined;
  return (text) => (w ??= fdWriter(2))(text);
}
