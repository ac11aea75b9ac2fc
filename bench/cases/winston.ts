/**
 * winston (Node only in the table, though it runs anywhere), with the usual
 * `format.combine(format.timestamp(), format.json())`. File: its `File`
 * transport; closing waits until the logger has handed every entry to the
 * transport, then ends the logger and waits for the transport's `finish`, which
 * winston emits once its file stream has finished writing. Null: a
 * `Transport` whose `log()` counts the formatted line and discards it.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import winston from "winston";
// winston's own base class for transports (a dependency of winston).
import Transport from "winston-transport";
import { type CaseArgs, type CaseLogger, type Fields, MESSAGE, NullCounter, runCase } from "./common.ts";

const MESSAGE_SYMBOL = Symbol.for("message");

class NullTransport extends Transport {
  constructor(readonly counter: NullCounter) {
    super();
  }

  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    const line = info[MESSAGE_SYMBOL] as string;
    this.counter.add(line, line.length + 1);
    next();
  }
}

function build(args: CaseArgs): Promise<CaseLogger> {
  const format = winston.format.combine(winston.format.timestamp(), winston.format.json());
  let counter: NullCounter | undefined;
  let transport: Transport;
  let note: string;
  if (args.dest === "null") {
    counter = new NullCounter();
    transport = new NullTransport(counter);
    note = "a Transport whose log() counts the formatted line and discards it";
  } else {
    transport = new winston.transports.File({ filename: args.file });
    note = "winston.transports.File({ filename })";
  }
  const logger = winston.createLogger({ level: "info", format, transports: [transport] });
  const opened = args.dest === "file"
    ? new Promise<void>((resolve) => transport.once("open", () => resolve()))
    : Promise.resolve();
  return opened.then(() => ({
    counter,
    note,
    log(fields: Fields): void {
      logger.info(MESSAGE, fields);
    },
    async close(): Promise<void> {
      // winston's logger ends its transports as soon as its own writable side
      // finishes, even while its readable side still holds entries waiting for
      // the transport to drain: "write after end" and lost lines (seen in the
      // yield loop). So wait until the logger has handed everything over.
      while (logger.readableLength > 0 || logger.writableLength > 0) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      await new Promise<void>((resolve, reject) => {
        transport.once("finish", () => resolve());
        transport.once("error", reject);
        logger.end();
      });
    },
  }));
}

await runCase("winston", build);
