/**
 * The built-in sink types a settings dict (`{type: "..."}`) can name.
 *
 * @module
 */

import type { SinkTypeSpec } from "../core/settings.ts";
import { stdoutJsonSpec } from "./stdout_json.ts";
import { stdoutPrettySpec } from "./stdout_pretty.ts";

/** Every built-in sink type, by its `type`. */
export const BUILTIN_SINK_TYPES: readonly SinkTypeSpec[] = [
  stdoutJsonSpec,
  stdoutPrettySpec,
];

/** Look up a built-in sink type. */
export function sinkType(type: string): SinkTypeSpec | undefined {
  return BUILTIN_SINK_TYPES.find((s) => s.type === type);
}
