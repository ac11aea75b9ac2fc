/**
 * Turning `createLogger`'s `sinks` option into Sink objects: a Sink is used
 * as is, a byte WritableStream is wrapped, a settings dict is built through
 * its type's spec (with env underneath). With no sinks, the default-sink rule
 * applies: http if `FAPILOG_HTTP__ENDPOINT` is set, else rotating_file if
 * `FAPILOG_FILE__DIRECTORY` is set, else stdout (pretty on a TTY, JSON
 * otherwise). Sink names are made unique (`http`, `http_2`).
 *
 * @module
 */

import { ConfigError, describeValue } from "./errors.ts";
import type { SinkInput } from "./options.ts";
import { stdoutIsTerminal } from "./runtime.ts";
import { type Env, envOptions, resolveSinkSettings } from "./settings.ts";
import type { Sink } from "./types.ts";
import { BUILTIN_SINK_TYPES, sinkType } from "../sinks/registry.ts";
import { stdoutJson } from "../sinks/stdout_json.ts";
import { stdoutPretty } from "../sinks/stdout_pretty.ts";
import { streamSink } from "../sinks/stream.ts";

function isSink(x: unknown): x is Sink {
  return typeof x === "object" && x !== null && typeof (x as Sink).write === "function" &&
    typeof (x as Sink).name === "string";
}

function defaultSinks(env: Env): Sink[] {
  for (const [variable, type] of [["FAPILOG_HTTP__ENDPOINT", "http"], ["FAPILOG_FILE__DIRECTORY", "rotating_file"]]) {
    if (env[variable]) {
      const spec = sinkType(type);
      if (!spec) continue;
      const opts = envOptions(spec, env);
      return [spec.create(spec.fromEnv ? spec.fromEnv(opts) : opts)];
    }
  }
  return [stdoutIsTerminal() ? stdoutPretty() : stdoutJson()];
}

/** Resolve the `sinks` option. Throws ConfigError naming `sinks[i]`. */
export function resolveSinks(inputs: readonly SinkInput[] | undefined, env: Env): Sink[] {
  if (inputs !== undefined && !Array.isArray(inputs)) {
    throw new ConfigError("sinks", `expected an array of sinks, got ${describeValue(inputs)}`);
  }
  const sinks = !inputs || inputs.length === 0
    ? defaultSinks(env)
    : inputs.map((input, i) => resolveOne(input, env, i));
  const seen = new Map<string, number>();
  return sinks.map((sink) => {
    const n = (seen.get(sink.name) ?? 0) + 1;
    seen.set(sink.name, n);
    return n === 1 ? sink : renamed(sink, `${sink.name}_${n}`);
  });
}

/** The same sink under another name (two sinks of one type get `http`, `http_2`). */
function renamed(sink: Sink, name: string): Sink {
  return {
    name,
    reportsOutcomes: sink.reportsOutcomes,
    write: (entry) => sink.write(entry),
    start: sink.start && ((host) => sink.start!(host)),
    startSync: sink.startSync && ((host) => sink.startSync!(host)),
    writeSerialized: sink.writeSerialized && ((view) => sink.writeSerialized!(view)),
    writeBatch: sink.writeBatch && ((views) => sink.writeBatch!(views)),
    writeBatchSync: sink.writeBatchSync && ((views) => sink.writeBatchSync!(views)),
    flush: sink.flush && (() => sink.flush!()),
    stop: sink.stop && ((options) => sink.stop!(options)),
    healthCheck: sink.healthCheck && (() => sink.healthCheck!()),
    stats: sink.stats && (() => sink.stats!()),
  };
}

function resolveOne(input: SinkInput, env: Env, i: number): Sink {
  const where = `sinks[${i}]`;
  if (typeof WritableStream !== "undefined" && input instanceof WritableStream) return streamSink(input);
  if (isSink(input)) return input;
  if (typeof input === "object" && input !== null && typeof (input as { type?: unknown }).type === "string") {
    const dict = input as { type: string; name?: string; [key: string]: unknown };
    const spec = sinkType(dict.type);
    if (!spec) {
      throw new ConfigError(
        `${where}.type`,
        `unknown sink type ${JSON.stringify(dict.type)}; built-in types are: ${
          BUILTIN_SINK_TYPES.map((s) => s.type).join(", ")
        }`,
      );
    }
    return spec.create(resolveSinkSettings(spec, dict, env, where));
  }
  throw new ConfigError(
    where,
    `expected a Sink (an object with name and write), a WritableStream, or a settings dict with a "type", got ${
      describeValue(input)
    }`,
  );
}
