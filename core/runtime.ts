/**
 * Runtime detection and the few runtime facilities the core needs, reached
 * lazily (never at import time) by feature detection: Deno, Bun, Node, or an
 * edge runtime with none of them.
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

/** Which runtime is running. */
export type RuntimeKind = "deno" | "bun" | "node" | "edge";

/** Detect the runtime. */
export function detectRuntime(): RuntimeKind {
  if (typeof g.Deno?.version?.deno === "string") return "deno";
  if (typeof g.Bun?.version === "string") return "bun";
  if (typeof g.process?.versions?.node === "string") return "node";
  return "edge";
}

/** "deno 2.9.6", "bun 1.4.5", "node 20.20.2" or "edge". */
export function runtimeLabel(kind: RuntimeKind = detectRuntime()): string {
  switch (kind) {
    case "deno":
      return `deno ${g.Deno.version.deno}`;
    case "bun":
      return `bun ${g.Bun.version}`;
    case "node":
      return `node ${g.process.versions.node}`;
    default:
      return g.navigator?.userAgent ? String(g.navigator.userAgent) : "edge";
  }
}

/** A Node built-in module, where the runtime offers them (Node, Bun, Deno). */
// deno-lint-ignore no-explicit-any
export function builtin(name: string): any {
  try {
    return g.process?.getBuiltinModule?.(name);
  } catch {
    return undefined;
  }
}

/** The process environment, or an empty object where there is none or reading it is not permitted. */
export function processEnv(): Record<string, string | undefined> {
  try {
    if (g.Deno?.env?.toObject) return g.Deno.env.toObject();
  } catch {
    return {};
  }
  try {
    if (g.process?.env) return { ...g.process.env };
  } catch {
    return {};
  }
  return {};
}

/** Host name, or undefined. */
export function hostName(): string | undefined {
  try {
    if (g.Deno?.hostname) return g.Deno.hostname();
  } catch {
    // no --allow-sys
  }
  try {
    return builtin("node:os")?.hostname();
  } catch {
    return undefined;
  }
}

/** Process id, or undefined. */
export function processId(): number | undefined {
  if (typeof g.Deno?.pid === "number") return g.Deno.pid;
  if (typeof g.process?.pid === "number") return g.process.pid;
  return undefined;
}

/** A synchronous writer of text to stdout or stderr. */
export type TextWriter = (text: string) => void;

const encoder = new TextEncoder();

function sleepSync(ms: number): void {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  } catch {
    // no Atomics.wait on this thread: spin briefly
    const end = Date.now() + ms;
    while (Date.now() < end) { /* wait */ }
  }
}

/**
 * A synchronous writer for file descriptor 1 or 2. Writes whole strings,
 * retrying when a non-blocking pipe is full (EAGAIN). On an edge runtime
 * (no file descriptors) it falls back to the console, one line per call.
 */
export function fdWriter(fd: 1 | 2): TextWriter {
  const kind = detectRuntime();
  if (kind === "deno") {
    const stream = fd === 1 ? g.Deno.stdout : g.Deno.stderr;
    return (text) => {
      let bytes = encoder.encode(text);
      while (bytes.length > 0) {
        const n = stream.writeSync(bytes);
        bytes = bytes.subarray(n);
      }
    };
  }
  const fs = kind === "edge" ? undefined : builtin("node:fs");
  if (fs?.writeSync) {
    return (text) => {
      // Buffer keeps partial writes exact in bytes; strings would not.
      let buf = g.Buffer ? g.Buffer.from(text, "utf8") : encoder.encode(text);
      let attempts = 0;
      while (buf.length > 0) {
        try {
          const n = fs.writeSync(fd, buf);
          buf = buf.subarray(n);
          attempts = 0;
        } catch (e) {
          // deno-lint-ignore no-explicit-any
          if ((e as any)?.code === "EAGAIN" && attempts++ < 1000) {
            sleepSync(1);
            continue;
          }
          throw e;
        }
      }
    };
  }
  const out = fd === 1 ? console.log : console.error;
  return (text) => {
    const lines = text.endsWith("\n") ? text.slice(0, -1) : text;
    for (const line of lines.split("\n")) out(line);
  };
}

/** Whether stdout (fd 1) is a terminal. */
export function stdoutIsTerminal(): boolean {
  try {
    if (g.Deno?.stdout?.isTerminal) return g.Deno.stdout.isTerminal();
    if (g.process?.stdout) return g.process.stdout.isTTY === true;
  } catch {
    return false;
  }
  return false;
}

/**
 * Call `fn` once the current task has finished and the event loop has had a
 * turn (setImmediate where the runtime has it). Returns a handle for
 * {@link cancelAfterYield}.
 */
export function afterYield(fn: () => void): unknown {
  return typeof g.setImmediate === "function" ? g.setImmediate(fn) : setTimeout(fn, 0);
}

/** Cancel a pending {@link afterYield}. */
export function cancelAfterYield(handle: unknown): void {
  if (handle === undefined) return;
  if (typeof g.clearImmediate === "function") g.clearImmediate(handle);
  else clearTimeout(handle as ReturnType<typeof setTimeout>);
}

/** Make a timer not keep the process alive. */
export function unrefTimer(id: unknown): void {
  try {
    // deno-lint-ignore no-explicit-any
    if (typeof (id as any)?.unref === "function") (id as any).unref();
    else if (typeof id === "number" && g.Deno?.unrefTimer) g.Deno.unrefTimer(id);
  } catch {
    // nothing to do
  }
}

interface ExitHooks {
  /** Called when the event loop is empty; returns true when it started more work. */
  readonly beforeExit: () => boolean;
  /** Called synchronously as the process exits. */
  readonly exitSync: () => void;
}

/** Every registered logger's hooks, behind one set of process listeners (no listener pile-up). */
const exitHooks = new Set<ExitHooks>();
let exitListenersInstalled = false;

function runBeforeExit(): boolean {
  let started = false;
  for (const h of exitHooks) {
    try {
      if (h.beforeExit()) started = true;
    } catch {
      // an exit hook must not break the others
    }
  }
  return started;
}

function runExitSync(): void {
  for (const h of exitHooks) {
    try {
      h.exitSync();
    } catch {
      // as above
    }
  }
}

function installExitListeners(): void {
  if (exitListenersInstalled) return;
  const kind = detectRuntime();
  if (kind === "deno" && typeof g.addEventListener === "function") {
    // Deno keeps running after "beforeunload" only when a listener cancels the event.
    g.addEventListener("beforeunload", (e: Event) => {
      if (runBeforeExit()) e.preventDefault();
    });
    g.addEventListener("unload", runExitSync);
    exitListenersInstalled = true;
  } else if ((kind === "node" || kind === "bun") && typeof g.process?.on === "function") {
    g.process.on("beforeExit", runBeforeExit);
    g.process.on("exit", runExitSync);
    exitListenersInstalled = true;
  }
}

/**
 * Register exit hooks (where the runtime has them); returns a function that
 * removes them. The process listeners are installed once, for all loggers.
 */
export function onExit(beforeExit: () => boolean, exitSync: () => void): () => void {
  const hooks: ExitHooks = { beforeExit, exitSync };
  exitHooks.add(hooks);
  installExitListeners();
  return () => {
    exitHooks.delete(hooks);
  };
}
