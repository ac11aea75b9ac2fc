/**
 * The serialisation stage: one JSON line per entry, built once, handed to
 * every sink as a {@link SerializedView}. The line's bytes and the entry
 * object are made only when a sink asks for them.
 *
 * @module
 */

import { contextJson } from "./context.ts";
import { uuidv7 } from "./ids.ts";
import { materialize, type Rec } from "./envelope.ts";
import { isoTimestamp, safeJson, type SerializeLimits, toJsonSafe, truncateStrings, utf8Length } from "./serialize.ts";
import type { ExceptionInfo, LogEntry, SerializedView } from "./types.ts";

const encoder = new TextEncoder();

/** How to build the envelope of a fast-path entry when a sink asks for it. */
interface LazyEntry {
  readonly rec: Rec;
  readonly exception: ExceptionInfo | undefined;
  readonly message: string;
  readonly data: Record<string, unknown>;
  readonly messageId: string;
  readonly timestamp: string;
  readonly diagnostics: Record<string, unknown>;
  readonly maxDepth: number;
}

/** A serialised entry. */
export class SerializedEntry implements SerializedView {
  readonly text: string;
  #bytes: Uint8Array | undefined;
  #entry: LogEntry | LazyEntry;
  #built: boolean;

  constructor(text: string, entry: LogEntry | LazyEntry, built: boolean) {
    this.text = text;
    this.#entry = entry;
    this.#built = built;
  }

  /** The UTF-8 bytes of the line (made on first use). */
  get data(): Uint8Array {
    return this.#bytes ??= encoder.encode(this.text);
  }

  /** A copy of the bytes. */
  bytes(): Uint8Array {
    return this.data.slice();
  }

  /** The envelope (made on first use). */
  get entry(): LogEntry {
    if (!this.#built) {
      const l = this.#entry as LazyEntry;
      this.#entry = materialize(
        l.rec,
        l.exception,
        l.message,
        toJsonSafe(l.data, l.maxDepth) as Record<string, unknown>,
        l.messageId,
        l.timestamp,
        l.diagnostics,
      );
      this.#built = true;
    }
    return this.#entry as LogEntry;
  }
}

/** What the serialiser needs that is fixed per logger. */
export interface SerializerStatics {
  readonly limits: SerializeLimits;
  /** `diagnostics` of an entry with no exception. */
  readonly diagnostics: Readonly<Record<string, unknown>>;
  /** Its JSON without the closing brace (`{"service":"app",...`). */
  readonly diagnosticsOpen: string;
}

/** Prepare the fixed parts. */
export function serializerStatics(diagnostics: Record<string, unknown>, limits: SerializeLimits): SerializerStatics {
  const json = safeJson(diagnostics);
  return { limits, diagnostics, diagnosticsOpen: json.slice(0, -1) };
}

const loggerJsonCache = new Map<string, string>();
function loggerJson(name: string): string {
  let s = loggerJsonCache.get(name);
  if (s === undefined) {
    s = JSON.stringify(name);
    if (loggerJsonCache.size < 1000) loggerJsonCache.set(name, s);
  }
  return s;
}

function dataJson(data: Record<string, unknown> | undefined, maxDepth: number): string {
  if (data === undefined) return "{}";
  try {
    return JSON.stringify(toJsonSafe(data, maxDepth)) ?? "{}";
  } catch (e) {
    return JSON.stringify({ _unserializable: e instanceof Error ? e.message : String(e) });
  }
}

function closeDiagnostics(open: string, extra: string): string {
  if (extra === "") return open + "}";
  return open.length > 1 ? open + "," + extra + "}" : "{" + extra + "}";
}

/**
 * Serialise a processed record (fast path: no custom enrichers) into a view.
 * `data` and `message` are the redacted ones.
 */
export function serializeRecord(
  rec: Rec,
  message: string,
  data: Record<string, unknown> | undefined,
  exception: ExceptionInfo | undefined,
  statics: SerializerStatics,
): SerializedEntry {
  const messageId = uuidv7(rec.ts);
  const timestamp = isoTimestamp(rec.ts);
  let extra = exception ? '"exception":' + safeJson(exception) : "";
  let finalException = exception;
  const head = '{"timestamp":"' + timestamp + '","level":"' + rec.level + '","message":';
  const mid = ',"logger":' + loggerJson(rec.logger) + ',"context":{"message_id":"' + messageId + '",' +
    contextJson(rec.ctx) + '},"diagnostics":';
  let msgJson = JSON.stringify(message);
  let body = dataJson(data, statics.limits.maxDepth);
  let line = head + msgJson + mid + closeDiagnostics(statics.diagnosticsOpen, extra) + ',"data":' + body + "}";
  let finalData = data ?? {};
  let finalMessage = message;
  const max = statics.limits.maxEntryBytes;
  let originalBytes = 0;
  if (line.length * 3 > max) {
    const bytes = utf8Length(line);
    if (bytes > max) {
      originalBytes = bytes;
      // Too large: shorten long strings, then, if still too large, replace the data with a marker.
      const cap = Math.max(64, Math.floor(max / 8));
      finalMessage = truncateStrings(message, cap) as string;
      finalData = truncateStrings(JSON.parse(body), cap) as Record<string, unknown>;
      msgJson = JSON.stringify(finalMessage);
      body = JSON.stringify(finalData);
      extra = "";
      if (exception) {
        finalException = truncateStrings(JSON.parse(safeJson(exception)), cap) as ExceptionInfo;
        extra = '"exception":' + JSON.stringify(finalException) + ",";
      }
      extra += '"truncated":{"original_bytes":' + bytes + "}";
      line = head + msgJson + mid + closeDiagnostics(statics.diagnosticsOpen, extra) + ',"data":' + body + "}";
      if (utf8Length(line) > max) {
        finalData = { _truncated: `entry of ${bytes} bytes exceeded maxEntryBytes ${max}` };
        body = JSON.stringify(finalData);
        line = head + msgJson + mid + closeDiagnostics(statics.diagnosticsOpen, extra) + ',"data":' + body + "}";
      }
    }
  }
  const diagnostics = originalBytes > 0
    ? { ...statics.diagnostics, truncated: { original_bytes: originalBytes } }
    : statics.diagnostics;
  return new SerializedEntry(line, {
    rec,
    exception: finalException,
    message: finalMessage,
    data: finalData,
    messageId,
    timestamp,
    diagnostics: diagnostics as Record<string, unknown>,
    maxDepth: statics.limits.maxDepth,
  }, false);
}

/** Serialise a fully built entry (slow path, after custom enrichers). */
export function serializeEntry(built: LogEntry, statics: SerializerStatics): SerializedEntry {
  // Each part is made JSON-safe on its own (so `data` nests as deep as on the fast path), and the view's
  // entry is the safe form, so a sink that stringifies `view.entry` cannot throw.
  let entry: LogEntry = {
    ...built,
    message: typeof built.message === "string" ? built.message : String(built.message),
    context: toJsonSafe(built.context, statics.limits.maxDepth) as LogEntry["context"],
    diagnostics: toJsonSafe(built.diagnostics, statics.limits.maxDepth) as LogEntry["diagnostics"],
    data: toJsonSafe(built.data, statics.limits.maxDepth) as LogEntry["data"],
  };
  let line = safeJson(entry, statics.limits.maxDepth + 1);
  const max = statics.limits.maxEntryBytes;
  if (line.length * 3 > max) {
    const bytes = utf8Length(line);
    if (bytes > max) {
      const cap = Math.max(64, Math.floor(max / 8));
      const shortened = truncateStrings(JSON.parse(line), cap) as LogEntry;
      shortened.diagnostics = { ...shortened.diagnostics, truncated: { original_bytes: bytes } };
      line = JSON.stringify(shortened);
      if (utf8Length(line) > max) {
        shortened.data = { _truncated: `entry of ${bytes} bytes exceeded maxEntryBytes ${max}` };
        line = JSON.stringify(shortened);
      }
      entry = shortened;
    }
  }
  return new SerializedEntry(line, entry, true);
}
