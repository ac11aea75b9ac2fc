/**
 * The built-in sink types a settings dict (`{type: "..."}`) can name, and
 * whose env variables the docs table lists.
 *
 * @module
 */

import type { SinkTypeSpec } from "../core/settings.ts";
import { httpSpec } from "./http.ts";
import { rotatingFileSpec } from "./rotating_file.ts";
import { stdoutJsonSpec } from "./stdout_json.ts";
import { stdoutPrettySpec } from "./stdout_pretty.ts";
import { webhookSpec } from "./webhook.ts";

/** Every built-in sink type, by its `type`. */
export const BUILTIN_SINK_TYPES: readonly SinkTypeSpec[] = [
  stdoutJsonSpec,
  stdoutPrettySpec,
  rotatingFileSpec,
  httpSpec,
  webhookSpec,
];

/** Look up a built-in sink type. */
export function sinkType(type: string): SinkTypeSpec | undefined {
  return BUILTIN_SINK_TYPES.find((s) => s.type === type);
}
