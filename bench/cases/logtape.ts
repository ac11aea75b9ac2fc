/**
 * LogTape (`@logtape/logtape`), every line formatted by its
 * `jsonLinesFormatter`.
 *
 * File: `getStreamSink` (its default, blocking mode: every record is written,
 * none dropped) over the fastest byte `WritableStream` to a file we found for
 * each runtime: `Deno.open(file).writable` under Deno, a small WritableStream
 * over `Bun.file(file).writer()` under Bun (Bun's `Writable.toWeb` made LogTape
 * about 5x slower), and `Writable.toWeb(fs.createWriteStream(file))` under
 * Node, as LogTape's docs show. `--variant web|bun|node|adapter|file` forces
 * one; `file` is LogTape's own `getFileSink` from `@logtape/file` (not a
 * dependency), which fsyncs after every buffer flush and took 80-110 s for
 * 200,000 lines here, so it is not the default. Closing is LogTape's
 * `dispose()`, which awaits the pending writes and closes the stream.
 *
 * Null: a sink function that formats the record with `jsonLinesFormatter` (the
 * same work the file sink does) and discards the line.
 *
 * @module
 */

import { createWriteStream } from "node:fs";
import process from "node:process";
import { Writable } from "node:stream";
import { configure, dispose, getLogger, getStreamSink, jsonLinesFormatter, type Sink } from "@logtape/logtape";
import { type CaseArgs, type CaseLogger, type Fields, MESSAGE, NullCounter, runCase } from "./common.ts";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

type Variant = "file" | "web" | "node" | "adapter" | "bun";

function forcedVariant(): Variant | undefined {
  const argv: string[] = g.Deno ? g.Deno.args : process.argv.slice(2);
  const at = argv.indexOf("--variant");
  const v = at >= 0 ? argv[at + 1] : "";
  return v === "file" || v === "web" || v === "node" || v === "adapter" || v === "bun" ? v : undefined;
}

const STREAM_NOTES: Record<Variant, string> = {
  file: "",
  web: "Deno.open(file).writable",
  node: "Writable.toWeb(fs.createWriteStream(file))",
  adapter: "a WritableStream over fs.createWriteStream(file)",
  bun: "a WritableStream over Bun.file(file).writer()",
};

type GetFileSink = (path: string, options: { formatter: typeof jsonLinesFormatter }) => Sink;

// @logtape/file is optional: imported by a computed name so that its absence is
// a fallback, not a type-check or load error.
async function loadFileSink(): Promise<GetFileSink | undefined> {
  const name = ["@logtape", "file"].join("/");
  try {
    const mod = await import(name);
    return typeof mod.getFileSink === "function" ? mod.getFileSink as GetFileSink : undefined;
  } catch {
    return undefined;
  }
}

async function fileStream(file: string, kind: Variant): Promise<WritableStream<Uint8Array>> {
  if (kind === "web") {
    const f = await g.Deno.open(file, { write: true, create: true, truncate: true });
    return f.writable;
  }
  if (kind === "bun") {
    const fileSink = g.Bun.file(file).writer();
    return new WritableStream<Uint8Array>({
      write(chunk): void {
        fileSink.write(chunk);
      },
      async close(): Promise<void> {
        await fileSink.end();
      },
    });
  }
  const ws = createWriteStream(file);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  if (kind === "node") return Writable.toWeb(ws) as WritableStream<Uint8Array>;
  // "adapter": a minimal WritableStream over the Node stream (honours its backpressure)
  return new WritableStream<Uint8Array>({
    write(chunk): Promise<void> | void {
      if (!ws.write(chunk)) return new Promise((resolve) => ws.once("drain", () => resolve()));
    },
    close(): Promise<void> {
      return new Promise((resolve, reject) => {
        ws.once("error", reject);
        ws.end(() => resolve());
      });
    },
  });
}

async function build(args: CaseArgs): Promise<CaseLogger> {
  let sink: Sink;
  let counter: NullCounter | undefined;
  let note: string;
  if (args.dest === "null") {
    const c = new NullCounter();
    counter = c;
    sink = (record) => {
      const line = jsonLinesFormatter(record);
      c.add(line, line.length);
    };
    note = "sink function: jsonLinesFormatter(record), then discard";
  } else {
    const forced = forcedVariant();
    const getFileSink = forced === "file" ? await loadFileSink() : undefined;
    if (forced === "file" && !getFileSink) throw new Error("--variant file needs the npm package @logtape/file");
    if (getFileSink) {
      sink = getFileSink(args.file, { formatter: jsonLinesFormatter });
      note = "getFileSink(file, { formatter: jsonLinesFormatter }) from @logtape/file (fsyncs every flush)";
    } else {
      const kind = forced ?? (g.Deno ? "web" : g.Bun ? "bun" : "node");
      sink = getStreamSink(await fileStream(args.file, kind), { formatter: jsonLinesFormatter });
      note = `getStreamSink(${STREAM_NOTES[kind]}, { formatter: jsonLinesFormatter })`;
    }
  }
  await configure({
    sinks: { out: sink },
    loggers: [
      { category: ["bench"], lowestLevel: "info", sinks: ["out"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: [] },
    ],
  });
  const logger = getLogger(["bench"]);
  return {
    counter,
    note,
    log(fields: Fields): void {
      logger.info(MESSAGE, fields as unknown as Record<string, unknown>);
    },
    close(): Promise<void> {
      return dispose();
    },
  };
}

await runCase("logtape", build);
