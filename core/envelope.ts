/**
 * The envelope, captured at call time: timestamp, level, logger, message,
 * fields (a shallow copy, so later mutation by the caller does not change
 * what was logged) and the request context of the caller.
 *
 * @module
 */

import type { ContextSnapshot } from "./context.ts";
import type { ExceptionInfo, LevelName, LogEntry } from "./types.ts";

/** A queued record: what the log call captured. Internal. */
export interface Rec {
  readonly ts: number;
  readonly levelNo: number;
  readonly level: LevelName;
  readonly logger: string;
  readonly message: string;
  readonly fields: Record<string, unknown> | undefined;
  readonly ctx: ContextSnapshot | undefined;
  readonly exception: ExceptionInfo | undefined;
  /** Approximate bytes, for the queue's byte bound. */
  readonly size: number;
  /** fapilog's own entry (the dropped-entries warning): not filtered. */
  readonly internal?: boolean;
}

const BASE_SIZE = 320;

/**
 * Merge bound fields and call fields into a fresh object and estimate the
 * entry's size. Never throws (a throwing getter becomes a marker value).
 */
export function captureFields(
  bound: Record<string, unknown> | undefined,
  fields: Record<string, unknown> | undefined,
): { fields: Record<string, unknown> | undefined; size: number } {
  if (bound === undefined && (fields === undefined || fields === null)) return { fields: undefined, size: BASE_SIZE };
  const out: Record<string, unknown> = {};
  let size = BASE_SIZE;
  if (bound !== undefined) size += copyInto(out, bound);
  if (fields !== undefined && fields !== null) {
    if (typeof fields === "object") size += copyInto(out, fields);
    else out.value = fields;
  }
  return { fields: out, size };
}

function copyInto(out: Record<string, unknown>, src: Record<string, unknown>): number {
  let size = 0;
  const keys = Object.keys(src);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    let v: unknown;
    try {
      v = src[k];
    } catch (e) {
      v = `[getter threw: ${e instanceof Error ? e.message : String(e)}]`;
    }
    out[k] = v;
    size += k.length + (typeof v === "string" ? v.length : 24);
  }
  return size;
}

/** The message as a string, whatever the caller passed. */
export function messageText(message: unknown): string {
  if (typeof message === "string") return message;
  try {
    return String(message);
  } catch {
    return "[unprintable message]";
  }
}

/** Build the public envelope of a processed record. */
export function materialize(
  rec: Rec,
  message: string,
  data: Record<string, unknown>,
  messageId: string,
  timestamp: string,
  diagnostics: Record<string, unknown>,
): LogEntry {
  const ctx = rec.ctx;
  const context: LogEntry["context"] = { message_id: messageId, correlation_id: ctx?.correlation_id ?? null };
  if (ctx) {
    if (ctx.request_id !== undefined) context.request_id = ctx.request_id;
    if (ctx.user_id !== undefined) context.user_id = ctx.user_id;
    if (ctx.tenant_id !== undefined) context.tenant_id = ctx.tenant_id;
    if (ctx.trace_id !== undefined) context.trace_id = ctx.trace_id;
    if (ctx.span_id !== undefined) context.span_id = ctx.span_id;
  }
  return {
    timestamp,
    level: rec.level,
    message,
    logger: rec.logger,
    context,
    diagnostics: rec.exception ? { ...diagnostics, exception: rec.exception } : diagnostics,
    data,
  };
}
