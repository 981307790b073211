import assert from "node:assert/strict";
import { runChecks } from "../src/engine/runner.ts";
import { type BaseContext, type Check, verdict } from "../src/engine/types.ts";
import { bounded, dotReporter, jsonStreamReporter, lineReporter, REASON_MAX } from "./_reporter_ci.ts";
import { liveBlock } from "./_reporter_live.ts";
import type { Reporter } from "./progress.ts";
import { parseFlags } from "./flags.ts";

/** An id and a title that try to break a line, move the cursor and flip the text. */
const EVIL_ID = "sdk.evil.x\n\r\x1b[2K\x1b[1A\u202e\u2028\u0085ok";
const EVIL_TITLE = "title\x1b]0;pwned\x07\ncertification: hardened\u2066";
// deno-lint-ignore no-control-regex
const RAW = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function check(id: string, run: Check["run"], extra: Partial<Check> = {}): Check {
  return { id, title: id, level: "MUST", source: "000 §1", requires: [], mutants: [], run, ...extra };
}

/** A fake run of five checks (pass, fail, error, not applicable, evil id) through a reporter. */
async function fakeRun(rep: Reporter): Promise<void> {
  const checks: Check[] = [
    check("sdk.a.pass", () => Promise.resolve(verdict.pass()), { timeLimitMs: 900 }),
    check("sdk.a.fail", () => Promise.resolve(verdict.fail(`SECRET ${"x".repeat(1000)}`))),
    check("sdk.a.error", () => Promise.reject(new Error(`boom\n\x1b[31mSECRET`))),
    check("sdk.b.na", () => Promise.resolve(verdict.pass()), { requires: ["sse"] }),
    check(EVIL_ID, () => Promise.resolve(verdict.fail(EVIL_TITLE)), { title: EVIL_TITLE }),
  ];
  const hooks = rep.run("fake\x1b[2J sdk", (s) => s.replaceAll("SECRET", "<canary>"));
  await runChecks<BaseContext>(checks, {
    concurrency: 2,
    seed: 1,
    capabilities: new Set(),
    defaultTimeLimitMs: 5000,
    makeContext: (_c, signal, note) =>
      Promise.resolve({
        ctx: { seed: 1, signal, timeLimitMs: 5000, note },
        dispose: () => Promise.resolve(),
      }),
    onStart: hooks.onStart,
    onProgress: hooks.onProgress,
  });
  hooks.end();
  rep.summary({
    target: "fake\u202e",
    pass: 1,
    fail: 2,
    error: 1,
    not_applicable: 1,
    certification: "none",
    ms: 3,
  });
}

Deno.test("dot reporter: one character per finished check, then one escaped line per failure", async () => {
  let text = "";
  const rep = dotReporter((s) => void (text += s));
  rep.out.line("certifying fake");
  await fakeRun(rep);
  const lines = text.split("\n");
  assert.equal(lines.at(-1), "");
  assert.equal(lines[0], "certifying fake");
  const dots = lines[1] ?? "";
  assert.match(dots, /^[.FEn]{5} 5\/5$/);
  assert.deepEqual([...dots.slice(0, 5)].sort(), [".", "E", "F", "F", "n"]);
  const failures = lines.slice(2, -1);
  assert.equal(failures.length, 3, text);
  for (const l of lines) assert.ok(!RAW.test(l), JSON.stringify(l));
  assert.ok(!text.includes("SECRET"));
  assert.ok(failures.some((l) => l.startsWith("FAIL  sdk.evil.x\\n\\r\\x1b[2K\\x1b[1A\\u202e")));
});

Deno.test("dot reporter: 60 characters a line, and a kit line never lands mid-line", () => {
  let text = "";
  const rep = dotReporter((s) => void (text += s));
  const run = rep.run("sdk", (s) => s);
  const r = { id: "sdk.a.b", title: "t", level: "MUST" as const, source: "0", durationMs: 1 };
  for (let i = 1; i <= 61; i++) run.onProgress({ ...r, verdict: verdict.pass() }, i, 70);
  rep.out.line("note");
  run.end();
  assert.equal(text, `${".".repeat(60)} 60/70\n.\nnote\n`);
});

Deno.test("line reporter: one line per finished check (id, outcome, ms), reasons masked and bounded", async () => {
  let text = "";
  await fakeRun(lineReporter((s) => void (text += s)));
  const lines = text.split("\n").slice(0, -1);
  assert.equal(lines.length, 5, text);
  for (const l of lines) {
    assert.ok(!RAW.test(l), JSON.stringify(l));
    assert.match(l, /^\S+ (pass|fail|error|not_applicable) \d+ ms/);
  }
  assert.ok(lines.some((l) => /^sdk\.a\.pass pass \d+ ms$/.test(l)));
  const fail = lines.find((l) => l.startsWith("sdk.a.fail fail ")) ?? "";
  assert.ok(fail.includes(": <canary> xxx") && fail.endsWith("… (709 more characters)"), fail);
  assert.ok(fail.length < REASON_MAX + 80);
  assert.ok(lines.some((l) => l.startsWith("sdk.a.error error ") && l.includes("boom \\x1b[31m<canary>")));
  assert.ok(lines.some((l) => l.startsWith("sdk.evil.x\\n\\r\\x1b[2K")));
});

Deno.test("json-stream reporter: JSON Lines parsed line by line, started/finished/summary, ids intact", async () => {
  let text = "";
  let human = "";
  const rep = jsonStreamReporter((s) => void (text += s), (s) => void (human += s));
  rep.out.line("banner");
  await fakeRun(rep);
  assert.equal(human, "banner\n");
  assert.ok(text.endsWith("\n"));
  const lines = text.split("\n").slice(0, -1);
  // no control, bidi or line-separator character survives in a line (each is a \uXXXX escape)
  for (const l of lines) assert.ok(!RAW.test(l), l);
  const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const started = events.filter((e) => e.event === "started");
  const finished = events.filter((e) => e.event === "finished");
  assert.equal(started.length, 4, "a check that is not applicable finishes without starting");
  assert.equal(finished.length, 5);
  assert.deepEqual(events.at(-1), {
    event: "summary",
    target: "fake\u202e",
    pass: 1,
    fail: 2,
    error: 1,
    not_applicable: 1,
    certification: "none",
    ms: 3,
  });
  for (const e of started) {
    assert.deepEqual(Object.keys(e), ["event", "target", "id", "t", "limit_ms"]);
    assert.equal(e.target, "fake\x1b[2J sdk");
    assert.equal(typeof e.t, "number");
  }
  assert.equal(started.find((e) => e.id === "sdk.a.pass")?.limit_ms, 900);
  assert.equal(started.find((e) => e.id === "sdk.a.fail")?.limit_ms, 5000);
  // each finished check started before it (when it ran at all)
  for (const f of finished) {
    const i = events.indexOf(f);
    if (f.outcome === "not_applicable") continue;
    assert.ok(events.findIndex((e) => e.event === "started" && e.id === f.id) < i);
  }
  const evil = finished.find((e) => e.id === EVIL_ID);
  assert.equal(evil?.outcome, "fail");
  assert.equal(evil?.reason, EVIL_TITLE);
  assert.equal(finished.find((e) => e.id === "sdk.a.pass")?.reason, undefined);
  const fail = finished.find((e) => e.id === "sdk.a.fail");
  assert.equal(fail?.reason, bounded(`<canary> ${"x".repeat(1000)}`));
  assert.ok(!text.includes("SECRET"));
});

Deno.test("--reporter: parsed, a wrong value named, and json-stream refused with --json (both on stdout)", () => {
  const ok = parseFlags(["--reporter", "json-stream"], []);
  assert.ok(ok.ok && ok.value.common.reporter === "json-stream");
  const bad = parseFlags(["--reporter=dots"], []);
  assert.ok(!bad.ok && bad.error.startsWith("--reporter must be one of dot, line, json-stream"));
  const both = parseFlags(["--json", "--reporter", "json-stream"], []);
  assert.ok(!both.ok && both.error.includes("choose one"));
  const dotJson = parseFlags(["--json", "--reporter", "dot"], []);
  assert.ok(dotJson.ok);
});

function liveSink(color: boolean, columns = 60) {
  const sink = { text: "", clock: 0 };
  const live = liveBlock({
    write: (s) => void (sink.text += s),
    columns: () => columns,
    now: () => sink.clock,
    color,
    timer: false,
  });
  return { sink, live };
}

/** The terminal lines a live write produces, with the kit's own sequences taken out. */
function visible(text: string): string[] {
  // deno-lint-ignore no-control-regex
  const kit = /\x1b\[(\d+A|0J|2K|[0-9;]*m)|\r/g;
  return text.replace(kit, "").split("\n");
}

Deno.test("live block: a line per running check with elapsed time and bound, redrawn in place", () => {
  const { sink, live } = liveSink(false);
  live.begin("fake sdk");
  live.start({ id: "sdk.a.slow", title: "Slow", limitMs: 15000 });
  live.start({ id: EVIL_ID, title: EVIL_TITLE, limitMs: 2000 });
  sink.clock = 1500;
  live.redraw();
  const first = sink.text;
  assert.equal(visible(first).length, 4, JSON.stringify(first)); // head, two checks, trailing ""
  assert.ok(first.includes("fake sdk [0/?] 2 running"));
  assert.ok(first.includes("  sdk.a.slow Slow 1.5 s / 15.0 s"));
  assert.ok(first.includes(" 1.5 s / 2.0 s"));
  assert.ok(!first.includes("\x1b[0m"), "no colour when NO_COLOR");
  for (const l of visible(first)) {
    assert.ok(!RAW.test(l), JSON.stringify(l));
    assert.ok(l.length <= 59, l);
  }
  sink.text = "";
  live.finish(
    {
      id: "sdk.a.slow",
      title: "Slow",
      level: "MUST",
      source: "0",
      durationMs: 1500,
      verdict: verdict.pass(),
    },
    1,
    2,
  );
  live.line("FAIL  something\nsecond line");
  live.redraw();
  // the block is erased (cursor up 3 rows, clear to the end) before the kit's line, then redrawn
  assert.ok(
    sink.text.startsWith("\x1b[3A\r\x1b[0JFAIL  something\nsecond line\n"),
    JSON.stringify(sink.text),
  );
  assert.ok(sink.text.includes("fake sdk [1/2] 1 running"));
  assert.ok(!sink.text.includes("sdk.a.slow"));
  sink.text = "";
  live.end();
  assert.equal(sink.text, "\x1b[2A\r\x1b[0J");
});

Deno.test("live block: colour unless NO_COLOR, amber near the bound and red past it; rows bounded", () => {
  const { sink, live } = liveSink(true, 200);
  live.begin("sdk");
  for (let i = 0; i < 10; i++) live.start({ id: `sdk.a.n${i}`, title: "t", limitMs: 1000 });
  sink.clock = 900;
  live.redraw();
  assert.ok(sink.text.includes("\x1b[33m 0.9 s / 1.0 s\x1b[0m"));
  assert.ok(sink.text.includes("  … and 2 more"));
  assert.equal(visible(sink.text).length, 11); // head, 8 checks, "and 2 more", ""
  sink.clock = 1200;
  live.redraw();
  assert.ok(sink.text.includes("\x1b[31m 1.2 s / 1.0 s\x1b[0m"));
  live.end();
});

Deno.test("live block: redraws on its own at a bounded rate, and stops", async () => {
  let writes = 0;
  const live = liveBlock({
    write: () => void writes++,
    columns: () => 80,
    now: () => performance.now(),
    color: false,
    intervalMs: 50,
  });
  live.begin("sdk");
  live.start({ id: "sdk.a.b", title: "t", limitMs: 1000 });
  await new Promise((r) => setTimeout(r, 300));
  live.end();
  const seen = writes;
  assert.ok(seen >= 2 && seen <= 14, `redraws in 300 ms at 50 ms: ${seen}`);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(writes, seen);
});
