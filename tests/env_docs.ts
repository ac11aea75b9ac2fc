/**
 * Generates docs/ENV.md, the table of every `FAPILOG_*` variable, from the
 * settings specs in the code (the core's and each built-in sink's). Run
 * `deno task docs` after changing a spec; tests/env_docs_test.ts fails while
 * the file is stale.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CORE_FIELDS } from "../core/options.ts";
import type { FieldSpec } from "../core/settings.ts";
import { BUILTIN_SINK_TYPES } from "../sinks/registry.ts";

/** Where the generated table lives. */
export const ENV_DOC_PATH = fileURLToPath(new URL("../docs/ENV.md", import.meta.url));

function kindText(f: FieldSpec): string {
  switch (f.kind) {
    case "size":
      return 'size ("10 MB", bytes)';
    case "duration":
      return 'duration ("5s", "250ms", seconds)';
    case "interval":
      return '"hourly", "daily", "weekly" or seconds';
    case "enum":
      return (f.values ?? []).map((v) => `\`${v}\``).join(" \\| ");
    case "level":
      return "level (DEBUG ... SECURITY)";
    case "bool":
      return "true / false";
    case "headers":
      return "JSON object of strings";
    case "list":
      return "comma-separated or JSON list";
    default:
      return f.kind;
  }
}

/** A table cell: a `|` inside would split the row. */
function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function table(fields: readonly FieldSpec[]): string {
  const rows = fields.filter((f) => f.env).map((f) =>
    `| \`${f.env}\` | \`${f.key}\` | ${kindText(f)} | ${cell(f.default ?? "")} | ${cell(f.doc)} |`
  );
  return ["| Variable | Setting | Accepts | Default | Meaning |", "|---|---|---|---|---|", ...rows].join("\n");
}

/** The whole generated document. */
export function renderEnvDoc(): string {
  const parts = [
    "# Environment variables",
    "",
    "Generated from the settings specs in the code by `deno task docs`; a test fails when this file is stale.",
    "",
    "Precedence: explicit options (code or settings dict) > environment > defaults. `__` nests: " +
    "`FAPILOG_FILE__MAX_BYTES` is the `max_bytes` setting of the `rotating_file` sink. A bad value stops " +
    "`createLogger` with one error naming the variable, the value and the accepted forms.",
    "",
    "Default sink when none is given: `http` if `FAPILOG_HTTP__ENDPOINT` is set, else `rotating_file` if " +
    "`FAPILOG_FILE__DIRECTORY` is set, else stdout (pretty on a terminal, JSON otherwise). The variables of a sink " +
    'type also fill in the settings dicts of that type (`{type: "http", ...}`) that leave a key out.',
    "",
    "## Core",
    "",
    table(CORE_FIELDS),
  ];
  for (const spec of BUILTIN_SINK_TYPES) {
    if (!spec.fields.some((f) => f.env)) continue;
    parts.push("", `## Sink \`${spec.type}\``, "", table(spec.fields));
  }
  return parts.join("\n") + "\n";
}

/** The file as it is on disk. */
export function currentEnvDoc(): string {
  try {
    return readFileSync(ENV_DOC_PATH, "utf8");
  } catch {
    return "";
  }
}

if (import.meta.main || process.argv.includes("--write")) {
  if (process.argv.includes("--write")) {
    writeFileSync(ENV_DOC_PATH, renderEnvDoc());
    console.log("wrote docs/ENV.md");
  } else {
    console.log(renderEnvDoc());
  }
}
