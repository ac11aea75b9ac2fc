/**
 * Request context (correlation, request, user, tenant, trace and span ids)
 * carried across `await` with AsyncLocalStorage where the runtime has one
 * (Node, Bun, Deno, workerd with nodejs_als). It is read when the log call is
 * made, never on the worker: the original read it on the worker, so request
 * context never reached the entry.
 *
 * @module
 */

import { builtin } from "./runtime.ts";

/** Context ids; camelCase or snake_case keys are both accepted. */
export interface ContextFields {
  /** Correlation id, written as `context.correlation_id`. */
  readonly correlationId?: string;
  /** Request id, written as `context.request_id`. */
  readonly requestId?: string;
  /** User id, written as `context.user_id`. */
  readonly userId?: string;
  /** Tenant id, written as `context.tenant_id`. */
  readonly tenantId?: string;
  /** Trace id, written as `context.trace_id`. */
  readonly traceId?: string;
  /** Span id, written as `context.span_id`. */
  readonly spanId?: string;
  /** Correlation id (snake_case form; wins over `correlationId` when both are set). */
  readonly correlation_id?: string;
  /** Request id (snake_case form; wins over `requestId` when both are set). */
  readonly request_id?: string;
  /** User id (snake_case form; wins over `userId` when both are set). */
  readonly user_id?: string;
  /** Tenant id (snake_case form; wins over `tenantId` when both are set). */
  readonly tenant_id?: string;
  /** Trace id (snake_case form; wins over `traceId` when both are set). */
  readonly trace_id?: string;
  /** Span id (snake_case form; wins over `spanId` when both are set). */
  readonly span_id?: string;
}

/** A frozen context snapshot in the envelope's snake_case form. */
export interface ContextSnapshot {
  readonly correlation_id?: string;
  readonly request_id?: string;
  readonly user_id?: string;
  readonly tenant_id?: string;
  readonly trace_id?: string;
  readonly span_id?: string;
  /** The snapshot's JSON members after message_id (cached once per snapshot). */
  json?: string;
}

const KEYS = [
  ["correlation_id", "correlationId"],
  ["request_id", "requestId"],
  ["user_id", "userId"],
  ["tenant_id", "tenantId"],
  ["trace_id", "traceId"],
  ["span_id", "spanId"],
] as const;

/** The context keys in envelope order. */
export const CONTEXT_KEYS: readonly string[] = KEYS.map((k) => k[0]);

/** Merge `fields` over `base` into a new snapshot. */
export function mergeContext(base: ContextSnapshot | undefined, fields: ContextFields): ContextSnapshot {
  const out: Record<string, string> = {};
  for (const [snake, camel] of KEYS) {
    const v = fields[snake] ?? fields[camel] ?? base?.[snake];
    if (v !== undefined && v !== null) out[snake] = String(v);
  }
  return out;
}

/** The JSON members of a snapshot, `"correlation_id":...` first (always present). */
export function contextJson(ctx: ContextSnapshot | undefined): string {
  if (!ctx) return '"correlation_id":null';
  if (ctx.json !== undefined) return ctx.json;
  let s = '"correlation_id":' + (ctx.correlation_id === undefined ? "null" : JSON.stringify(ctx.correlation_id));
  for (let i = 1; i < KEYS.length; i++) {
    const v = ctx[KEYS[i][0]];
    if (v !== undefined) s += ',"' + KEYS[i][0] + '":' + JSON.stringify(v);
  }
  ctx.json = s;
  return s;
}

interface Storage {
  getStore(): ContextSnapshot | undefined;
  run<T>(store: ContextSnapshot, fn: () => T): T;
}

let storage: Storage | undefined;
let storageResolved = false;

/** Explicit stack, used where the runtime has no AsyncLocalStorage (sync scope only). */
let syncStack: ContextSnapshot | undefined;

function resolveStorage(): Storage | undefined {
  if (!storageResolved) {
    storageResolved = true;
    // deno-lint-ignore no-explicit-any
    const ALS = (globalThis as any).AsyncLocalStorage ?? builtin("node:async_hooks")?.AsyncLocalStorage;
    if (typeof ALS === "function") storage = new ALS();
  }
  return storage;
}

/** The current context snapshot (cheap until the first `withContext`). */
export function currentContext(): ContextSnapshot | undefined {
  if (!storageResolved) return undefined;
  return storage ? storage.getStore() : syncStack;
}

/**
 * Run `fn` with `fields` merged over the current context. Without
 * AsyncLocalStorage the context holds only for `fn`'s synchronous part; use
 * `logger.bind()` to carry ids across `await` there.
 */
export function runWithContext<T>(fields: ContextFields, fn: () => T): T {
  const s = resolveStorage();
  const next = mergeContext(currentContext(), fields);
  if (s) return s.run(next, fn);
  const prev = syncStack;
  syncStack = next;
  try {
    return fn();
  } finally {
    syncStack = prev;
  }
}
