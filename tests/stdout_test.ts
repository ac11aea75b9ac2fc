import { deepStrictEqual, match, ok, strictEqual } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { test } from "./harness.ts";
import { runScript } from "./fixtures/subprocess.ts";

const child = fileURLToPath(new URL("./fixtures/stdout_child.ts", import.meta.url));
const decoder = new TextDecoder();

function lines(bytes: Uint8Array): string[] {
  const text = decoder.decode(bytes);
  ok(text === "" || text.endsWith("\n"), "output ends with a newline");
  return text === "" ? [] : text.slice(0, -1).split("\n");
}

function drain(stderr: Uint8Array) {
  const line = decoder.decode(stderr).split("\n").find((l) => l.startsWith("DRAIN "));
  ok(line, "the child printed its drain result: " + decoder.decode(stderr));
  return JSON.parse(line.slice(6));
}

const TS = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

function exactly(pattern: string): RegExp {
  return new RegExp("^" + pattern + "$");
}

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

test("stdoutJson writes one JSON line per entry, exactly the envelope", async () => {
  const r = await runScript(child, { args: ["json"] });
  strictEqual(r.code, 0);
  const out = lines(r.stdout);
  strictEqual(out.length, 4);
  const expected = [
    ["DEBUG", "one", '"correlation_id":null', '{"n":1}'],
    ["INFO", "two", '"correlation_id":null', '{"path":"/a b","nested":{"ok":true}}'],
    ["WARNING", "three", '"correlation_id":"c-1","request_id":"r-1"', "{}"],
    ["SECURITY", "four", '"correlation_id":null', '{"weird\\nkey":"va\\u001b[31mlue"}'],
  ];
  out.forEach((line, i) => {
    const [level, msg, ctx, data] = expected[i];
    match(
      line,
      exactly(
        `\\{"timestamp":"${TS}","level":"${level}","message":"${msg}","logger":"child","context":\\{"message_id":"${UUID}",` +
          esc(ctx) + `\\},"diagnostics":\\{\\},"data":` + esc(data) + "\\}",
      ),
    );
  });
  const d = drain(r.stderr);
  strictEqual(d.submitted, 4);
  strictEqual(d.sinks.stdout_json.written, 4);
  strictEqual(d.droppedTotal, 0);
  strictEqual(d.drained, true);
});

test("stdoutPretty escapes control characters so a line cannot forge another or repaint the terminal", async () => {
  const r = await runScript(child, { args: ["pretty"] });
  strictEqual(r.code, 0);
  const out = lines(r.stdout);
  strictEqual(out.length, 2, "two entries, two lines: the embedded newline did not start a third");
  const stamp = "\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}";
  match(
    out[0],
    exactly(
      stamp + esc(' | INFO     | child | line one\\nFAKE | ERROR | forged user="bob smith" code="\\x1b[2J\\x1b[H"'),
    ),
  );
  match(out[1], exactly(stamp + esc(" | ERROR    | child | plain n=1")));
  ok(!decoder.decode(r.stdout).includes("\u001b"), "no raw escape byte reaches the terminal (and no colour on a pipe)");
});

test("a tight loop of 200,000 calls loses nothing with default settings", async () => {
  const n = 200_000;
  const r = await runScript(child, { args: ["burst", String(n)], timeoutMs: 120_000 });
  strictEqual(r.code, 0);
  const out = lines(r.stdout);
  strictEqual(out.length, n);
  for (let i = 0; i < n; i += 9973) strictEqual(JSON.parse(out[i]).data.seq, i);
  strictEqual(JSON.parse(out[n - 1]).data.seq, n - 1);
  let previous = -1;
  for (const line of out) {
    const seq = Number(/"seq":(\d+)/.exec(line)![1]);
    strictEqual(seq, previous + 1, "in order, none missing");
    previous = seq;
  }
  const d = drain(r.stderr);
  deepStrictEqual(
    { submitted: d.submitted, written: d.sinks.stdout_json.written, dropped: d.droppedTotal },
    { submitted: n, written: n, dropped: 0 },
  );
});

test("with no sinks and no env, the default sink is JSON on stdout when it is not a terminal", async () => {
  const r = await runScript(child, { args: ["default"] });
  strictEqual(r.code, 0);
  const out = lines(r.stdout);
  strictEqual(out.length, 1);
  const entry = JSON.parse(out[0]);
  strictEqual(entry.message, "default sink");
  strictEqual(entry.logger, "dflt");
});

test("entries logged just before the process exits are flushed by the exit hook", async () => {
  const r = await runScript(child, { args: ["exit"] });
  strictEqual(r.code, 0);
  const out = lines(r.stdout);
  strictEqual(out.length, 1000);
  strictEqual(JSON.parse(out[999]).data.seq, 999);
});

test("without close(), entries on their way through an asynchronous sink are still written before exit", async () => {
  const r = await runScript(child, { args: ["exit-async"] });
  strictEqual(r.code, 0);
  const out = lines(r.stdout);
  deepStrictEqual(out.map((l) => JSON.parse(l).data.seq), [0, 1, 2, 3, 4]);
});
