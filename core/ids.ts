/**
 * `message_id`s: UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, a
 * 12-bit counter within the millisecond (when it overflows, the timestamp is
 * advanced, so ids stay unique and increasing within a process), and 62
 * random bits fixed per process. Sortable by time, and cheap: no random
 * bytes are drawn per entry.
 *
 * @module
 */

const HEX3: string[] = [];
for (let i = 0; i < 4096; i++) HEX3.push(i.toString(16).padStart(3, "0"));

let tail = ""; // "-" + 4 hex (variant + 14 random bits) + "-" + 12 random hex
let lastMs = -1;
let counter = 0;
let prefix = "";

function initTail(): void {
  const b = new Uint8Array(8);
  crypto.getRandomValues(b);
  b[0] = (b[0] & 0x3f) | 0x80; // variant 10xx
  let hex = "";
  for (const x of b) hex += x.toString(16).padStart(2, "0");
  tail = "-" + hex.slice(0, 4) + "-" + hex.slice(4, 16);
}

/** A new UUIDv7 string. */
export function uuidv7(now: number = Date.now()): string {
  if (tail === "") initTail();
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
    const ts = now.toString(16).padStart(12, "0");
    prefix = ts.slice(0, 8) + "-" + ts.slice(8, 12) + "-7";
  } else if (++counter > 4095) {
    // 4096 ids in one millisecond: borrow the next millisecond.
    lastMs++;
    counter = 0;
    const ts = lastMs.toString(16).padStart(12, "0");
    prefix = ts.slice(0, 8) + "-" + ts.slice(8, 12) + "-7";
  }
  return prefix + HEX3[counter] + tail;
}
