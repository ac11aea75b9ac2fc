/**
 * Redactors, on by default: values under secret-looking field names
 * (password, secret, token, api key, authorization, cookie, ...) at any
 * depth, credentials inside URLs (`https://user:pass@host` keeps the user),
 * and optional value patterns. The caller's objects are never modified:
 * what changes is copied.
 *
 * @module
 */

import { setOwn, toJsonSafe } from "./serialize.ts";

/** Redaction settings; `createLogger({ redact: false })` removes redaction. */
export interface RedactOptions {
  /**
   * Field names whose values are replaced, matched case-insensitively after
   * removing `-`, `_` and spaces. Replaces the default list when given.
   */
  readonly fieldNames?: readonly (string | RegExp)[];
  /** Names added to the default list (or to `fieldNames`). */
  readonly extraFieldNames?: readonly (string | RegExp)[];
  /** Redact the password part of credentials in URLs (default true). */
  readonly urlCredentials?: boolean;
  /** Patterns replaced inside any string value and the message (default none). */
  readonly valuePatterns?: readonly RegExp[];
  /** The replacement (default `"***"`). */
  readonly replacement?: string;
}

/** The default secret-looking field names (normalised: lowercase, no `-`, `_` or spaces). */
export const DEFAULT_SECRET_FIELDS: readonly string[] = [
  "password",
  "passwd",
  "pwd",
  "secret",
  "clientsecret",
  "token",
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "apikey",
  "xapikey",
  "authorization",
  "proxyauthorization",
  "auth",
  "cookie",
  "setcookie",
  "session",
  "sessionid",
  "privatekey",
  "credentials",
  "creditcard",
  "cardnumber",
  "cvv",
  "ssn",
];

/** Names matching these patterns are secret too (e.g. `db_password`, `stripeSecretKey`). */
const DEFAULT_SECRET_PATTERN = /(password|passwd|secret|token|apikey|privatekey|authorization|cookie)/;

// The user part may be empty (`redis://:pw@host`); the password runs to the last `@` of the authority.
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*):[^\s/?#]*@/gi;

/** A compiled redactor: returns the redacted copy, or the same reference when nothing matched. */
export interface Redactor {
  redactData(data: Record<string, unknown>): Record<string, unknown>;
  redactString(s: string): string;
}

function copyOwn(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) {
    try {
      setOwn(out, k, obj[k]);
    } catch (e) {
      setOwn(out, k, `[getter threw: ${e instanceof Error ? e.message : String(e)}]`);
    }
  }
  return out;
}

function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, "");
}

/** Compile redaction options into a {@link Redactor}. */
export function createRedactor(options: RedactOptions = {}): Redactor {
  const replacement = options.replacement ?? "***";
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  const usingDefaults = options.fieldNames === undefined;
  for (const n of [...(options.fieldNames ?? DEFAULT_SECRET_FIELDS), ...(options.extraFieldNames ?? [])]) {
    if (typeof n === "string") exact.add(normaliseName(n));
    else patterns.push(n);
  }
  const urlCredentials = options.urlCredentials ?? true;
  const valuePatterns = (options.valuePatterns ?? []).map((p) =>
    new RegExp(p.source, p.flags.includes("g") ? p.flags : p.flags + "g")
  );
  // Field-name decisions are cached: log calls reuse a small set of keys.
  const decided = new Map<string, boolean>();

  function isSecret(key: string): boolean {
    let d = decided.get(key);
    if (d === undefined) {
      const n = normaliseName(key);
      d = exact.has(n) || (usingDefaults && DEFAULT_SECRET_PATTERN.test(n)) || patterns.some((p) => p.test(key));
      if (decided.size < 10_000) decided.set(key, d);
    }
    return d;
  }

  function redactString(s: string): string {
    let out = s;
    // Replacer functions: a replacement such as "$&" must not re-insert the secret.
    if (urlCredentials && out.includes("://")) {
      out = out.replace(URL_CREDENTIALS, (_, prefix: string) => `${prefix}:${replacement}@`);
    }
    for (const p of valuePatterns) {
      p.lastIndex = 0;
      if (p.test(out)) {
        p.lastIndex = 0;
        out = out.replace(p, () => replacement);
      }
    }
    return out;
  }

  function redactValue(v: unknown, depth: number, seen: object[]): unknown {
    if (typeof v === "string") return redactString(v);
    if (v === null || typeof v !== "object" || depth > 64) return v;
    if (seen.includes(v)) return v;
    try {
      if (Array.isArray(v)) {
        seen.push(v);
        let out: unknown[] | undefined;
        for (let i = 0; i < v.length && i < 10_000; i++) {
          const r = redactValue(v[i], depth + 1, seen);
          if (r !== v[i] && out === undefined) out = v.slice();
          if (out !== undefined) out[i] = r;
        }
        seen.pop();
        return out ?? v;
      }
      const proto = Object.getPrototypeOf(v);
      // deno-lint-ignore no-explicit-any
      if ((proto !== Object.prototype && proto !== null) || typeof (v as any).toJSON === "function") {
        return redactConverted(v, depth, seen);
      }
      seen.push(v);
      const out = redactObject(v as Record<string, unknown>, depth, seen);
      seen.pop();
      return out;
    } catch {
      // A Proxy whose traps throw: leave it to the serialiser, which writes a marker.
      return v;
    }
  }

  /**
   * Class instances, maps, sets, errors and objects with toJSON: redact the
   * form the serialiser will write, so their secrets do not slip through.
   */
  function redactConverted(v: object, depth: number, seen: object[]): unknown {
    if (v instanceof Date || v instanceof RegExp || v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return v;
    const plain = toJsonSafe(v);
    if (plain === v) {
      // An instance whose own fields are already JSON-safe: walk it as it is.
      seen.push(v);
      const out = redactObject(v as Record<string, unknown>, depth, seen);
      seen.pop();
      return out;
    }
    const r = redactValue(plain, depth, seen);
    return r === plain ? v : r;
  }

  function redactObject(obj: Record<string, unknown>, depth: number, seen: object[]): Record<string, unknown> {
    let out: Record<string, unknown> | undefined;
    for (const k in obj) {
      if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
      let v: unknown;
      try {
        v = obj[k];
      } catch {
        continue; // the serialiser reports throwing getters
      }
      const r = isSecret(k) ? (v === undefined || v === null ? v : replacement) : redactValue(v, depth + 1, seen);
      if (r !== v) {
        out ??= copyOwn(obj);
        setOwn(out, k, r);
      }
    }
    return out ?? obj;
  }

  return {
    redactData: (data) => redactObject(data, 0, []),
    redactString,
  };
}
