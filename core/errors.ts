/**
 * The one error type fapilog throws: a bad setting, raised before anything
 * starts. Log calls never throw.
 *
 * @module
 */

/** A setting (option, settings-dict key or env variable) has a bad value. */
export class ConfigError extends Error {
  /** The option, key or variable that was wrong, e.g. `FAPILOG_FILE__MAX_BYTES`. */
  readonly key: string;
  /** An error for `key`; its message is `"<key>: <message>"`. */
  constructor(key: string, message: string) {
    super(`${key}: ${message}`);
    this.name = "ConfigError";
    this.key = key;
  }
}

/** Describe a value for an error message, briefly. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? value.slice(0, 80) + "…" : value);
  if (value === null || value === undefined) return String(value);
  if (typeof value === "object") {
    try {
      const s = JSON.stringify(value);
      return s.length > 80 ? s.slice(0, 80) + "…" : s;
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
  return String(value);
}
