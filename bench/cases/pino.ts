/**
 * pino. File: `pino.destination()` (sonic-boom), either its default
 * (`pino.destination(file)`: synchronous, `minLength: 0`, one write per line)
 * or its documented asynchronous mode (`{ minLength: 4096, sync: false }`),
 * picked with `--variant sync|async`. Closing ends the destination and waits
 * for its `close` event, so every byte has been written. Null: pino writes
 * each line to a plain `{ write(line) }` object that counts and discards it,
 * so pino still serialises every line but no I/O happens.
 *
 * @module
 */

import process from "node:process";
import pino from "pino";
import { type CaseArgs, type CaseLogger, type Fields, MESSAGE, NullCounter, runCase } from "./common.ts";

function variant(): "sync" | "async" {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  const argv: string[] = g.Deno ? g.Deno.args : process.argv.slice(2);
  const at = argv.indexOf("--variant");
  return at >= 0 && argv[at + 1] === "async" ? "async" : "sync";
}

async function build(args: CaseArgs): Promise<CaseLogger> {
  if (args.dest === "null") {
    const counter = new NullCounter();
    const sink = {
      write(line: string): void {
        counter.add(line, line.length);
      },
    };
    const logger = pino({}, sink);
    return {
      counter,
      note: "pino(stream) with a { write } object that counts and discards each line",
      log(fields: Fields): void {
        logger.info(fields, MESSAGE);
      },
      close(): Promise<void> {
        return Promise.resolve();
      },
    };
  }
  const mode = variant();
  const dest = mode === "async"
    ? pino.destination({ dest: args.file, minLength: 4096, sync: false })
    : pino.destination(args.file);
  if (mode === "async") await new Promise((resolve) => dest.once("ready", resolve));
  const logger = pino(dest);
  return {
    note: mode === "async"
      ? "pino.destination({ dest, minLength: 4096, sync: false }) (sonic-boom, buffered async)"
      : "pino.destination(file) (sonic-boom default: sync, minLength 0)",
    log(fields: Fields): void {
      logger.info(fields, MESSAGE);
    },
    close(): Promise<void> {
      return new Promise((resolve, reject) => {
        dest.once("close", () => resolve());
        dest.once("error", reject);
        dest.end();
      });
    },
  };
}

await runCase(variant() === "async" ? "pino-async" : "pino", build);
