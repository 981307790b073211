import assert from "node:assert/strict";
import {
  canaryForms,
  describeScan,
  findCanaries,
  leakFindings,
  maskCanaries,
  newCanary,
  SCAN_MAX_FILES,
  scanDir,
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
  // "q" cannot continue a canary: a hex letter after the run would be masked with it (the run is
  // extended over separators), 1 time in 16
  const text = `a=${c} b=${b64(`user:${c}`)} c=${c.slice(3, 25)} q=ok`;
  const masked = maskCanaries(text, [c]);
  assert.equal(masked, "a=<canary> b=<canary> c=<canary> q=ok");
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

function hexOf(s: string, sep = ""): string {
  return Array.from(enc.encode(s), (b) => b.toString(16).padStart(2, "0")).join(sep);
}
function b64bytes(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}
function rawBytes(c: string): Uint8Array {
  return Uint8Array.from(c.slice(5).match(/../g) ?? [], (h) => parseInt(h, 16));
}
function utf16(s: string, le: boolean): string {
  return Array.from(s, (ch) => (le ? `${ch}\0` : `\0${ch}`)).join("");
}
/** `hexdump -C` of the text at some offset in a file. */
function hexdumpC(text: string): string {
  const bytes = enc.encode(text);
  const lines: string[] = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const row = Array.from(bytes.subarray(off, off + 16));
    const hexes = row.map((b) => b.toString(16).padStart(2, "0"));
    const ascii = row.map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : ".")).join("");
    lines.push(
      `${off.toString(16).padStart(8, "0")}  ${hexes.slice(0, 8).join(" ")}  ${
        hexes.slice(8).join(" ")
      }  |${ascii}|`,
    );
  }
  return lines.join("\n");
}

/** The cheap disguises a careless (or sloppy) SDK produces; each must be found and masked. */
function disguises(c: string): [string, string][] {
  const raw = rawBytes(c);
  const cases: [string, string][] = [
    ["UPPERCASE", `DEBUG Authorization: BEARER ${c.toUpperCase()}`],
    ["mIxEd case", Array.from(c, (ch, i) => (i % 2 ? ch.toUpperCase() : ch)).join("")],
    ["hex-compact", `token=${hexOf(c)}`],
    ["HEX-COMPACT upper", `token=${hexOf(c).toUpperCase()}`],
    ["hex with spaces", `bytes: ${hexOf(c, " ")}`],
    ["hex with colons", `bytes: ${hexOf(c, ":")}`],
    ["hexdump -C", hexdumpC(`Authorization: Bearer ${c}\n`)],
    [
      "percent-encoded bytes",
      `q=${Array.from(enc.encode(c), (b) => "%" + b.toString(16).toUpperCase()).join("")}`,
    ],
    ["zero-width-space separated", Array.from(c).join("\u200b")],
    ["dash separated", Array.from(c).join("-")],
    ["spaces between characters", Array.from(c).join(" ")],
    ["bidi and soft hyphens", Array.from(c).join("\u202e\u00ad")],
    ["UTF-16LE text", utf16(`token=${c}`, true)],
    ["UTF-16BE text", utf16(`token=${c}`, false)],
    ["base64 of the uppercased token", `x=${b64(c.toUpperCase())}`],
    ["base64 of the 16 raw bytes", `k=${b64bytes(raw)}`],
    ["url-safe base64 of the raw bytes", `k=${b64bytes(raw).replaceAll("+", "-").replaceAll("/", "_")}`],
  ];
  for (let k = 1; k < 3; k++) {
    const padded = new Uint8Array([..."xyz".slice(0, k)].map((x) => x.charCodeAt(0)).concat([...raw]));
    cases.push([`base64 of the raw bytes after ${k} byte(s)`, b64bytes(padded)]);
  }
  return cases;
}

Deno.test("findCanaries() catches the cheap disguises, and maskCanaries() hides every one", async (t) => {
  const c = newCanary();
  const other = newCanary();
  for (const [name, text] of disguises(c)) {
    await t.step(name, () => {
      const found = findCanaries(text, [other, c]);
      assert.ok(found.length >= 1, `${name}: not found`);
      assert.ok(found.every((f) => f.canary === c));
      const masked = maskCanaries(text, [other, c]);
      assert.ok(masked.includes("<canary>"), masked);
      assert.deepEqual(findCanaries(masked, [c]), [], `${name}: something left after masking: ${masked}`);
    });
  }
});

Deno.test("findCanaries() names the disguise", () => {
  const c = newCanary();
  assert.equal(findCanaries(c.toUpperCase(), [c])[0]?.form, "case-changed");
  assert.equal(findCanaries(Array.from(c).join("\u200b"), [c])[0]?.form, "separated");
  assert.equal(findCanaries(hexOf(c, ":"), [c])[0]?.form, "hex");
  assert.equal(findCanaries(b64bytes(rawBytes(c)), [c])[0]?.form, "base64");
  assert.equal(findCanaries(`x ${c} y`, [c])[0]?.form, "raw");
  // a masked disguise is masked whole: nothing of the token stays around the mask
  assert.equal(maskCanaries(`[${Array.from(c).join(" ")}]`, [c]), "[<canary>]");
  assert.equal(maskCanaries(`k=${hexOf(c.slice(3, 30))};`, [c]), "k=<canary>;");
});

Deno.test("known limits (docs/threat-model.md): reversed text and pieces of 11 characters or fewer", () => {
  const c = newCanary();
  assert.deepEqual(findCanaries([...c].reverse().join(""), [c]), []);
  const pieces = c.match(/.{1,11}/g) ?? [];
  assert.deepEqual(findCanaries(pieces.join('\n"\n'), [c]), []);
});

Deno.test("findCanaries() has no false positives on hex-heavy text", () => {
  const canaries = Array.from({ length: 10 }, newCanary);
  const text = [
    Array.from({ length: 300 }, () => crypto.randomUUID()).join(" "),
    Array.from({ length: 300 }, () => crypto.randomUUID().replaceAll("-", "").toUpperCase()).join(":"),
    hexdumpC(Array.from({ length: 50 }, newCanary).join("\n")),
    Array.from({ length: 50 }, () => b64bytes(rawBytes(newCanary()))).join("\n"),
    "Once a decade, a bad face can be a fac-ade: dead beef cafe babe 0xdeadbeef 0123456789abcdef",
    "\u0000".repeat(1000) + " ".repeat(1000) + "\u200b".repeat(1000),
  ].join("\n");
  assert.deepEqual(findCanaries(text, canaries), []);
});

Deno.test("findCanaries() stays fast on hostile input (hex, separators, many matches)", () => {
  const canaries = Array.from({ length: 10 }, newCanary);
  const mib = 4 * 1024 * 1024;
  const hexy = "0123456789abcdef ".repeat(mib / 17);
  const seps = "a\u200b".repeat(mib / 2);
  const many = `${canaries[1]} `.repeat(Math.floor(mib / 38));
  findCanaries("warm", canaries);
  for (
    const [name, text, expect] of [["hex", hexy, 0], ["separators", seps, 0], ["many", many, -1]] as const
  ) {
    const t0 = performance.now();
    const found = findCanaries(text, canaries);
    const ms = performance.now() - t0;
    if (expect === 0) assert.equal(found.length, 0, name);
    else assert.equal(found.length, Math.floor(mib / 38), name);
    assert.ok(ms < 4000, `${name}: 4 MiB took ${ms.toFixed(0)} ms`);
  }
});

async function gzip(text: string): Promise<Uint8Array> {
  const out = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(out).arrayBuffer());
}

Deno.test("scanDir() finds UTF-16 and gzip files, scans the end of a big file, and says what it skipped", async () => {
  const c = newCanary();
  const dir = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    const le = new Uint8Array([
      0xff,
      0xfe,
      ...new Uint8Array(new Uint16Array([...`t=${c}`].map((x) => x.charCodeAt(0))).buffer),
    ]);
    await Deno.writeFile(`${dir}/utf16le.txt`, le);
    await Deno.writeFile(`${dir}/utf16be.txt`, enc.encode(utf16(`t=${c}`, false)));
    await Deno.writeFile(`${dir}/cache.gz`, await gzip(`{"token":"${c}"}`));
    await Deno.writeTextFile(`${dir}/big.log`, "x".repeat(2000) + c);
    await Deno.writeTextFile(`${outside}/secret.txt`, c);
    await Deno.symlink(outside, `${dir}/linked`);
    await Deno.symlink(`/nonexistent/${c}`, `${dir}/named-link`);
    const scan = await scanDir(dir, [c], "HOME", { maxBytes: 1000, tailBytes: 200 });
    const wheres = scan.findings.map((f) => f.where).sort();
    assert.deepEqual(wheres, [
      "file HOME/big.log (end)",
      "file HOME/cache.gz (gzip)",
      "file HOME/utf16be.txt",
      "file HOME/utf16le.txt",
      "symlink target HOME/named-link",
    ]);
    const text = describeScan(scan, "HOME");
    assert.match(text, /^HOME: scanned 4 files in 1 directory; skipped or cut 3: /);
    assert.match(text, /HOME\/big\.log \(2 KiB: only the first 1 KiB and the last 1 KiB scanned\)/);
    assert.match(text, /HOME\/linked \(symlink, not followed\)/);
    assert.ok(!JSON.stringify(scan).includes(c.slice(5, 17)));
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("scanDir() says when a cap or a permission stopped it", async () => {
  const c = newCanary();
  const dir = await Deno.makeTempDir();
  try {
    await Promise.all(Array.from({ length: 5 }, (_, i) => Deno.writeTextFile(`${dir}/f${i}.log`, "clean")));
    await Deno.mkdir(`${dir}/d1/d2`, { recursive: true });
    const capped = await scanDir(dir, [c], "TMPDIR", { maxFiles: 3, maxDirs: 1 });
    assert.equal(capped.files, 3);
    const text = describeScan(capped, "TMPDIR");
    assert.match(text, /file cap \(3\) reached: 2 more files not read/);
    assert.match(text, /directory cap \(1\) reached: 1 more directories not listed/);
    const missing = await scanDir(`${dir}/nope`, [c], "HOME");
    assert.deepEqual(missing.skipped, [{ path: "HOME", why: "directory missing" }]);
    if (Deno.uid() !== 0) {
      await Deno.writeTextFile(`${dir}/locked.txt`, c);
      await Deno.chmod(`${dir}/locked.txt`, 0o000);
      const locked = await scanDir(dir, [c], "HOME");
      assert.ok(locked.skipped.some((k) => k.path === "HOME/locked.txt" && /unreadable/.test(k.why)));
      await Deno.chmod(`${dir}/locked.txt`, 0o600);
    }
    const old = await scanDir(dir, [c], "TMP", { since: Date.now() + 60_000 });
    assert.equal(old.files, 0);
    assert.equal(old.older, 5);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
