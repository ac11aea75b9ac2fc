/**
 * `stdoutPretty()`: human-readable lines on stdout,
 * `2026-11-24 05:00:00.123 | INFO     | app | message key=value`, with the
 * level coloured only when stdout is a terminal. Control characters and ANSI
 * escapes in user data are escaped, so a line can neither forge another line
 * nor repaint the terminal.
 *
 * @module
 */

import { fdWriter, stdoutIsTerminal, type TextWriter } from "../core/runtime.ts";
import type { SinkTypeSpec } from "../core/settings.ts";
import { formatTextLine } from "../core/text_format.ts";
import type { LogEntry, SerializedView, Sink } from "../core/types.ts";

/** Options of {@link stdoutPretty}. */
export interface StdoutPrettyOptions {
  /** Sink name (default "stdout_pretty"). */
  readonly name?: string;
  /** Colour the level: default only when stdout is a terminal. */
  readonly color?: boolean;
  /** Write to stderr instead of stdout (default false). */
  readonly stderr?: boolean;
}

/**
 * A sink writing human-readable lines to stdout.
 *
 * @example
 * ```ts
 * import { createLogger } from "../mod.ts";
 * import { stdoutPretty } from "./stdout_pretty.ts";
 * const log = createLogger({ sinks: [stdoutPretty()] });
 * log.warning("disk almost full", { freeBytes: 1024 });
 * await log.close();
 * ```
 */
export function stdoutPretty(options: StdoutPrettyOptions = {}): Sink {
  let out: TextWriter | undefined;
  let color = false;
  const writer = (): TextWriter => {
    if (out === undefined) {
      out = fdWriter(options.stderr ? 2 : 1);
      color = options.color ?? (!options.stderr && stdoutIsTerminal());
    }
    return out;
  };
  return {
    name: options.name ?? "stdout_pretty",
    startSync() {
      writer();
    },
    writeBatchSync(views: readonly SerializedView[]) {
      const w = writer();
      let text = "";
      for (let i = 0; i < views.length; i++) text += formatTextLine(views[i].entry, { color }) + "\n";
      w(text);
    },
    write(entry: LogEntry) {
      const w = writer();
      w(formatTextLine(entry, { color }) + "\n");
      return Promise.resolve();
    },
  };
}

/** Settings-dict form: `{type: "stdout_pretty", color: true}`. */
export const stdoutPrettySpec: SinkTypeSpec = {
  type: "stdout_pretty",
  fields: [
    { key: "name", option: "name", kind: "string", doc: "sink name", default: "stdout_pretty" },
    { key: "color", option: "color", kind: "bool", doc: "colour the level", default: "on a terminal" },
    { key: "stderr", option: "stderr", kind: "bool", doc: "write to stderr instead", default: "false" },
  ],
  create: (options) => stdoutPretty(options as StdoutPrettyOptions),
};
