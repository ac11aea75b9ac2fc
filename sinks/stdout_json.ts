/**
 * `stdoutJson()`: one JSON line per entry on stdout, written in batches with
 * one synchronous write each. On an edge runtime (no file descriptors) each
 * line goes to `console.log`.
 *
 * @module
 */

import { fdWriter, type TextWriter } from "../core/runtime.ts";
import { safeJson } from "../core/serialize.ts";
import type { SinkTypeSpec } from "../core/settings.ts";
import type { LogEntry, SerializedView, Sink } from "../core/types.ts";

/** Options of {@link stdoutJson}. */
export interface StdoutJsonOptions {
  /** Sink name (default "stdout_json"). */
  readonly name?: string;
  /** Write to stderr instead of stdout (default false). */
  readonly stderr?: boolean;
}

/**
 * A sink writing one JSON line per entry to stdout.
 *
 * @example
 * ```ts
 * import { createLogger } from "../mod.ts";
 * import { stdoutJson } from "./stdout_json.ts";
 * const log = createLogger({ sinks: [stdoutJson()] });
 * log.info("hello", { userId: 1 });
 * await log.close();
 * ```
 */
export function stdoutJson(options: StdoutJsonOptions = {}): Sink {
  let out: TextWriter | undefined;
  const writer = (): TextWriter => (out ??= fdWriter(options.stderr ? 2 : 1));
  return {
    name: options.name ?? "stdout_json",
    startSync() {
      writer();
    },
    writeBatchSync(views: readonly SerializedView[]) {
      let text = "";
      for (let i = 0; i < views.length; i++) text += views[i].text + "\n";
      writer()(text);
    },
    writeSerialized(view: SerializedView) {
      writer()(view.text + "\n");
      return Promise.resolve();
    },
    write(entry: LogEntry) {
      writer()(safeJson(entry) + "\n");
      return Promise.resolve();
    },
  };
}

/** Settings-dict form: `{type: "stdout_json"}`. */
export const stdoutJsonSpec: SinkTypeSpec = {
  type: "stdout_json",
  fields: [
    { key: "name", option: "name", kind: "string", doc: "sink name", default: "stdout_json" },
    { key: "stderr", option: "stderr", kind: "bool", doc: "write to stderr instead", default: "false" },
  ],
  create: (options) => stdoutJson(options as StdoutJsonOptions),
};
