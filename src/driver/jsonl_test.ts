import assert from "node:assert/strict";
import { classifyLine, encodeRequest, LineSplitter, peekReply, type Split } from "./jsonl.ts";
import { BoundedLog } from "./_bounded_log.ts";

const enc = new TextEncoder();

const line = (text: string): Split => ({ kind: "line", text });

Deno.test("LineSplitter joins chunks, keeps UTF-8 split across chunks, drops \\r", () => {
  const s = new LineSplitter();
  const bytes = enc.encode("héllo wörld\r\nnext");
  const lines: Split[] = [];
  for (let i = 0; i < bytes.length; i++) lines.push(...s.push(bytes.subarray(i, i + 1)));
  assert.deepEqual(lines, [line("héllo wörld")]);
  assert.equal(s.pendingBytes, 4);
  assert.deepEqual(s.end(), [line("next")]);
  assert.deepEqual(s.end(), []);
  assert.equal(s.pendingBytes, 0);
});

Deno.test("LineSplitter yields a line longer than the bound in pieces, with its byte count", () => {
  const s = new LineSplitter(10);
  assert.deepEqual(s.push(enc.encode("0123456789abcdefghij0123")), [
    { kind: "long", at: "first", text: "0123456789", bytes: 10 },
    { kind: "long", at: "middle", text: "abcdefghij", bytes: 20 },
  ]);
  assert.equal(s.pendingBytes, 24);
  assert.deepEqual(s.push(enc.encode("\nok\n")), [
    { kind: "long", at: "last", text: "0123", bytes: 24 },
    line("ok"),
  ]);
  // exactly the bound is still a line; a multi-byte character cut between pieces stays whole
  assert.deepEqual(s.push(enc.encode("0123456789\n")), [line("0123456789")]);
  const cut = s.push(enc.encode("012345678é\n"));
  assert.deepEqual(cut.map((x) => x.text).join(""), "012345678é");
  assert.deepEqual(cut.at(-1), { kind: "long", at: "last", text: "é", bytes: 11 });
});

Deno.test("LineSplitter ends an over-long line at the end of stream", () => {
  const s = new LineSplitter(4);
  assert.equal(s.push(enc.encode("abcdefg")).length, 1);
  assert.deepEqual(s.end(), [{ kind: "long", at: "last", text: "efg", bytes: 7 }]);
});

Deno.test("peekReply() reads id and ok from the first or last keys only", () => {
  assert.deepEqual(peekReply('{"id":7,"ok":false,"error":{"type":"x', ""), {
    replyLike: true,
    id: 7,
    ok: false,
  });
  assert.deepEqual(peekReply('{ "ok" : true , "id": 9 , "result":', ""), {
    replyLike: true,
    id: 9,
    ok: true,
  });
  assert.deepEqual(peekReply('{"result":{"json":"', 'xx"},"ok":true,"id":12}'), {
    replyLike: true,
    id: 12,
    ok: true,
  });
  assert.deepEqual(peekReply('{"result":{"json":"', 'x","id":3}}'), { replyLike: false });
  assert.deepEqual(peekReply('{"level":"debug","msg":"', 'x"}'), { replyLike: false });
  assert.deepEqual(peekReply('DEBUG {"id":1,"ok":true', ""), { replyLike: false });
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
