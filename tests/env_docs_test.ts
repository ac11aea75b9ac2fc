import { ok, strictEqual } from "node:assert/strict";
import { test } from "./harness.ts";
import { currentEnvDoc, renderEnvDoc } from "./env_docs.ts";

test("docs/ENV.md is the table generated from the code (run `deno task docs` when this fails)", () => {
  strictEqual(currentEnvDoc(), renderEnvDoc());
});

test("every variable the seed documents appears in the generated table", () => {
  const doc = renderEnvDoc();
  const seed = [
    "FAPILOG_FILE__DIRECTORY",
    "FAPILOG_FILE__MAX_BYTES",
    "FAPILOG_FILE__MAX_FILES",
    "FAPILOG_FILE__COMPRESS_ROTATED",
    "FAPILOG_FILE__INTERVAL_SECONDS",
    "FAPILOG_HTTP__ENDPOINT",
    "FAPILOG_HTTP__TIMEOUT_SECONDS",
    "FAPILOG_HTTP__RETRY_MAX_ATTEMPTS",
    "FAPILOG_HTTP__BATCH_SIZE",
    "FAPILOG_HTTP__BATCH_TIMEOUT_SECONDS",
    "FAPILOG_HTTP__BATCH_FORMAT",
    "FAPILOG_HTTP__BATCH_WRAPPER_KEY",
  ];
  const missing = seed.filter((v) => !doc.includes("`" + v + "`"));
  ok(missing.length === 0, "missing from the env table: " + missing.join(", "));
});
