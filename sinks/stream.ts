/**
 * `streamSink(stream)`: any byte `WritableStream` (a file's `writable`,
 * `Deno.stdout.writable`, a `CompressionStream` pipe, a `TransformStream`)
 * as a sink receiving JSON lines. `createLogger` wraps a WritableStream given
 * in `sinks` with it.
 *
 * @module
 */

import { safeJson } from "../core/serialize.ts";
import type { LogEntry, SerializedView, Sink } from "../core/types.ts";

const encoder = new TextEncoder();

/** Options of {@link streamSink}. */
export interface StreamSinkOptions {
  /** The sink's name in stats (default "stream"). */
  readonly name?: string;
  /** Close the stream when the logger closes (default false: the stream is released, still open). */
  readonly closeOnStop?: boolean;
}

/**
 * A sink writing newline-terminated JSON lines to a byte WritableStream; one
 * chunk per batch, awaiting the stream (its backpressure). The stream stays
 * the caller's: closing the logger releases it, open, unless `closeOnStop`.
 *
 * @example
 * ```ts
 * import { createLogger } from "../mod.ts";
 * import { streamSink } from "./stream.ts";
 * const chunks: Uint8Array[] = [];
 * const stream = new WritableStream<Uint8Array>({ write(c) { chunks.push(c); } });
 * const log = createLogger({ sinks: [streamSink(stream, { name: "memory" })] });
 * log.info("hello");
 * await log.close();
 * ```
 */
export function streamSink(stream: WritableStream<Uint8Array>, options: StreamSinkOptions = {}): Sink {
  const name = options.name ?? "stream";
  let writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  let stopped = false;
  const get = () => (writer ??= stream.getWriter());
  return {
    name,
    start() {
      get();
      return Promise.resolve();
    },
    async writeBatch(views: readonly SerializedView[]) {
      let text = "";
      for (let i = 0; i < views.length; i++) text += views[i].text + "\n";
      const w = get();
      await w.ready;
      await w.write(encoder.encode(text));
    },
    async write(entry: LogEntry) {
      await get().write(encoder.encode(safeJson(entry) + "\n"));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const w = get();
      if (options.closeOnStop) {
        await w.close();
      } else {
        // The stream is the caller's (it may be Deno.stdout.writable): wait for our writes, hand it back open.
        await w.ready;
        w.releaseLock();
      }
    },
  };
}
