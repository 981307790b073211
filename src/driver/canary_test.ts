import assert from "node:assert/strict";
import {
  canaryForms,
  findCanaries,
  leakFindings,
  maskCanaries,
  newCanary,
  SCAN_MAX_FILES,
  scanTree,
} from "./canary.ts";

const enc = new TextEncoder();
function b64(s: string): string {
  let bin = "";
  for (const b of enc.encode(s)) bin += String.fromCharCode(b);
  return btoa(bin);
}
function b64url(s: string): string {
  return b64(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

Deno.test("newCanary() makes distinct ronc_ + 32 hex tokens", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 100; i++) {
    const c = newCanary();
    assert.match(c, /^ronc_[0-9a-f]{32}$/);
    seen.add(c);
  }
  assert.equal(seen.size, 100);
});

Deno.test("canaryForms() lists raw, url-encoded, base64 and every 12-char run", () => {
  const c = "ronc_0123456789abcdef0123456789abcdef";
  const forms = canaryForms(c);
  const texts = new Set(forms.map((f) => f.text));
  assert.equal(new Set(forms.map((f) => f.text)).size, forms.length, "no duplicates");
  assert.ok(texts.has(c));
  for (const p of [c, `Bearer ${c}`, `user:${c}`]) {
    assert.ok(texts.has(b64(p)), `std base64 of ${p.slice(0, 6)}`);
    assert.ok(texts.has(b64url(p)), `url-safe base64 of ${p.slice(0, 6)}`);
  }
  const odd = "a b/c+d&e=f_0123456789";
  const oddTexts = canaryForms(odd).map((f) => f.text);
  assert.ok(oddTexts.includes(encodeURIComponent(odd)));
  assert.ok(oddTexts.includes(new URLSearchParams({ x: odd }).toString().slice(2)));
  for (let i = 0; i + 12 <= c.length; i++) assert.ok(texts.has(c.slice(i, i + 12)));
});

Deno.test("findCanaries() finds every form and reports it once", async (t) => {
  const c = newCanary();
  const other = newCanary();
  const cases: [string, string, "raw" | "url-encoded" | "base64" | "fragment"][] = [
    ["raw in a log line", `DEBUG Authorization: Bearer ${c} sent`, "raw"],
    ["url-encoded (form) of an odd token", "", "raw"],
    ["base64 of the token", `x-token: ${b64(c)}`, "base64"],
    ["url-safe base64", `jwt.${b64url(c)}.sig`, "base64"],
    ["base64 Bearer", `blob ${b64(`Bearer ${c}`)} end`, "base64"],
    ["basic auth", `Authorization: Basic ${b64(`user:${c}`)}`, "base64"],
    ["base64 with an arbitrary prefix", `${b64(`{"token":"${c}"}`)}`, "base64"],
    ["base64 with another prefix", `${b64(`ab${c}yz`)}`, "base64"],
    ["a 12-char run", `partial …${c.slice(20, 32)}…`, "fragment"],
    ["a truncated token", `token=${c.slice(0, 20)}...`, "fragment"],
  ];
  for (const [name, text, form] of cases) {
    if (text === "") continue;
    await t.step(name, () => {
      const found = findCanaries(text, [other, c]);
      assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.form)));
      assert.equal(found[0]?.form, form);
      assert.equal(found[0]?.canary, c);
      assert.ok(!maskCanaries(text, [c]).includes(c.slice(5, 17)), "masked");
    });
  }
  await t.step("url-encoded form of a token with reserved characters", () => {
    const odd = "tok/with+odd=chars&more 0123456789";
    const text = `GET /x?t=${encodeURIComponent(odd)}`;
    const found = findCanaries(text, [odd]);
    assert.equal(found[0]?.form, "url-encoded");
    assert.equal(maskCanaries(text, [odd]), "GET /x?t=<canary>");
  });
  await t.step("index points at the match", () => {
    const found = findCanaries(`ab${c}cd${c}`, [c]);
    assert.deepEqual(found.map((f) => f.index), [2, 4 + c.length]);
  });
});

Deno.test("findCanaries() has no false positives on ordinary text", () => {
  const canaries = Array.from({ length: 20 }, newCanary);
  const text = [
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit 0123456789abcdef",
    "ronc_ is the prefix; GET /items?page=2 HTTP/1.1 200 OK",
    crypto.randomUUID() + crypto.randomUUID(),
    Array.from({ length: 200 }, newCanary).join(" "),
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  ].join("\n");
  assert.deepEqual(findCanaries(text, canaries), []);
  assert.deepEqual(findCanaries(text, ["ronc_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]).map((f) => f.form), []);
});

Deno.test("maskCanaries() masks every form and keeps the rest", () => {
  const c = newCanary();
  const text = `a=${c} b=${b64(`user:${c}`)} c=${c.slice(3, 25)} d=ok`;
  const masked = maskCanaries(text, [c]);
  assert.equal(masked, "a=<canary> b=<canary> c=<canary> d=ok");
  assert.equal(maskCanaries("no secret", [c]), "no secret");
  assert.equal(maskCanaries("x", []), "x");
});

Deno.test("findCanaries() is fast on large output", () => {
  const canaries = Array.from({ length: 10 }, newCanary);
  const line = "2026-01-01T00:00:00Z DEBUG request GET https://127.0.0.1:1234/items?page=2 status=200\n";
  const text = line.repeat(Math.ceil((4 * 1024 * 1024) / line.length)) + canaries[3];
  findCanaries("warm", canaries);
  const t0 = performance.now();
  const found = findCanaries(text, canaries);
  const ms = performance.now() - t0;
  assert.equal(found.length, 1);
  assert.ok(ms < 1500, `4 MiB scan took ${ms.toFixed(0)} ms`);
});

Deno.test("leakFindings() excerpts are masked and do not cut a canary", () => {
  const c = newCanary();
  const text = `${"x".repeat(100)}${c}${"y".repeat(20)}${c}${"z".repeat(100)}`;
  const found = leakFindings(text, [c], "driver stderr");
  assert.equal(found.length, 2);
  for (const f of found) {
    assert.equal(f.where, "driver stderr");
    assert.ok(!f.excerpt.includes(c.slice(5, 17)));
    assert.ok(f.excerpt.includes("<canary>"));
  }
});

Deno.test("scanTree() scans files and names, skips symlinks, is bounded", async () => {
  const c = newCanary();
  const dir = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/.cache/sdk`, { recursive: true });
    await Deno.writeTextFile(`${dir}/.cache/sdk/token.json`, JSON.stringify({ token: c }));
    await Deno.writeTextFile(`${dir}/clean.txt`, "nothing");
    await Deno.writeFile(`${dir}/blob.bin`, new Uint8Array([0, 255, 1, ...enc.encode(b64(c)), 0]));
    await Deno.writeTextFile(`${dir}/${c}.lock`, "");
    await Deno.writeTextFile(`${outside}/secret.txt`, c);
    await Deno.symlink(outside, `${dir}/link`);
    const found = await scanTree(dir, [c], "HOME");
    const wheres = found.map((f) => f.where).sort();
    assert.deepEqual(wheres, [
      "file HOME/.cache/sdk/token.json",
      "file HOME/blob.bin",
      "file name HOME/<canary>.lock",
    ]);
    for (const f of found) assert.ok(!JSON.stringify(f).includes(c.slice(5, 17)));
    assert.deepEqual(await scanTree(`${dir}/missing`, [c], "HOME"), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("scanTree() is bounded: files, directories, bytes per file", async () => {
  const c = newCanary();
  const dir = await Deno.makeTempDir();
  try {
    await Promise.all(Array.from({ length: 30 }, (_, i) => Deno.writeTextFile(`${dir}/f${i}.log`, `t=${c}`)));
    assert.equal((await scanTree(dir, [c], "TMPDIR")).length, 30);
    assert.equal((await scanTree(dir, [c], "TMPDIR", { maxFiles: 20 })).length, 20);
    await Deno.writeTextFile(`${dir}/f0.log`, `${"x".repeat(100)}${c}`);
    assert.equal((await scanTree(dir, [c], "TMPDIR", { maxFiles: 1, maxBytes: 50 })).length, 0);
    await Deno.mkdir(`${dir}/a/b/c`, { recursive: true });
    await Deno.writeTextFile(`${dir}/a/b/c/deep.txt`, c);
    const shallow = await scanTree(`${dir}/a`, [c], "HOME", { maxDirs: 2 });
    assert.deepEqual(shallow, []);
    assert.equal((await scanTree(`${dir}/a`, [c], "HOME"))[0]?.where, "file HOME/b/c/deep.txt");
    assert.equal(SCAN_MAX_FILES, 2000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
