import assert from "node:assert/strict";
import { classifyLine, encodeRequest, LineSplitter } from "./jsonl.ts";
import { BoundedLog } from "./_bounded_log.ts";

const enc = new TextEncoder();

Deno.test("LineSplitter joins chunks, keeps UTF-8 split across chunks, drops \\r", () => {
  const s = new LineSplitter();
  const bytes = enc.encode("héllo wörld\r\nnext");
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i++) lines.push(...s.push(bytes.subarray(i, i + 1)));
  assert.deepEqual(lines, ["héllo wörld"]);
  assert.deepEqual(s.end(), ["next"]);
  assert.deepEqual(s.end(), []);
});

Deno.test("LineSplitter cuts a line longer than the bound", () => {
  const s = new LineSplitter(10);
  assert.deepEqual(s.push(enc.encode("0123456789abcdefghij0123")), ["0123456789", "abcdefghij"]);
  assert.deepEqual(s.push(enc.encode("\n")), ["0123"]);
});

Deno.test("classifyLine() tells replies from SDK output", async (t) => {
  const cases: [string, "reply" | "output"][] = [
    ['{"id":1,"ok":true,"result":{}}', "reply"],
    ['  {"id":2,"ok":false,"error":{"type":"other"}}  ', "reply"],
    ['{"id":1.5,"ok":true}', "reply"], // still a reply: the schema then rejects it
    ['{"id":"1","ok":true,"result":{}}', "output"],
    ['{"id":1,"ok":"yes"}', "output"],
    ['{"id":1}', "output"],
    ["{not json}", "output"],
    ["[1,2]", "output"],
    ["", "output"],
    ["plain log line", "output"],
  ];
  for (const [line, kind] of cases) {
    await t.step(line || "(empty)", () => assert.equal(classifyLine(line).kind, kind));
  }
});

Deno.test("encodeRequest() puts id and op first and params cannot override them", () => {
  assert.equal(
    encodeRequest(7, "request", { id: 99, op: "x", client: "c", path: "/" }),
    '{"id":7,"op":"request","client":"c","path":"/"}\n',
  );
});

Deno.test("BoundedLog keeps the newest entries and counts what it drops", () => {
  const log = new BoundedLog<{ text: string }>(10);
  assert.deepEqual(log.push({ text: "aaaa" }), []);
  assert.deepEqual(log.push({ text: "bbbb" }), []);
  assert.deepEqual(log.push({ text: "cccc" }).map((e) => e.text), ["aaaa"]);
  assert.deepEqual(log.entries().map((e) => e.text), ["bbbb", "cccc"]);
  assert.equal(log.dropped, 4);
  log.push({ text: "x".repeat(25) });
  assert.deepEqual(log.entries().map((e) => e.text), ["x".repeat(10)]);
  assert.equal(log.total, 37);
  assert.equal(log.dropped, 37 - 10);
  for (let i = 0; i < 5000; i++) log.push({ text: "y" });
  assert.equal(log.entries().length, 10);
});
