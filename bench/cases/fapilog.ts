/**
 * fapilog (this library), through `createLogger` with its defaults and an
 * empty env (so `FAPILOG_*` variables of the shell cannot change the case).
 * File: `rotatingFile(file, { rotation: 0 })` — the rotating file sink with
 * rotation off, so the whole run is one file like the other libraries'.
 * Null: a sync sink `{ writeBatchSync(views) }` that counts the serialised
 * lines and discards them. Closing is `log.close()`, which drains the queue,
 * flushes and stops the sink; the case fails unless the drain result says
 * every entry was written and none dropped or failed.
 *
 * @module
 */

import { createLogger, type SerializedView, type Sink } from "../../mod.ts";
import { rotatingFile } from "../../sinks/mod.ts";
import { type CaseArgs, type CaseLogger, type Fields, MESSAGE, NullCounter, runCase } from "./common.ts";

function nullSink(counter: NullCounter): Sink {
  return {
    name: "null",
    writeBatchSync(views: readonly SerializedView[]): void {
      // `text` is what the serialiser made; `data` would encode it to bytes on first use, work the other
      // libraries' null sinks (which get a string) do not do. The line is ASCII here, so length = bytes.
      for (const view of views) counter.add(view.text, view.text.length + 1);
    },
    async write(): Promise<void> {},
  };
}

async function build(args: CaseArgs): Promise<CaseLogger> {
  const counter = args.dest === "null" ? new NullCounter() : undefined;
  const sink = counter ? nullSink(counter) : rotatingFile(args.file, { rotation: 0 });
  const log = createLogger({ name: "bench", sinks: [sink], env: {} });
  await log.ready();
  return {
    counter,
    note: counter
      ? "a sync Sink whose writeBatchSync(views) counts each serialised line and discards it"
      : "rotatingFile(file, { rotation: 0 }) (rotation off)",
    log(fields: Fields): void {
      log.info(MESSAGE, fields as unknown as Record<string, unknown>);
    },
    async close(): Promise<void> {
      const r = await log.close();
      const s = r.sinks[sink.name];
      if (!s || s.written !== args.entries || s.failed !== 0 || r.droppedTotal !== 0) {
        throw new Error(
          `not every entry was written: submitted ${r.submitted}, dropped ${r.droppedTotal}, sink ${JSON.stringify(s)}`,
        );
      }
    },
  };
}

await runCase("fapilog", build);
