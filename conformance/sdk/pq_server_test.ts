/**
 * The PQ test server (`tools/pq_server`) behind `sdk.tls.pq-hybrid`: it is built on demand into
 * the kit's cache (safely under concurrency), it completes a handshake with Deno's fetch over
 * X25519MLKEM768 (the measurement the reference client's `tlsPqMode: "hybrid"` rests on), and it
 * refuses a classical client: its own X25519-only probe and, independently, Node's TLS client
 * (OpenSSL) limited to X25519. Without Go (1.25+) the check does not apply; in CI Go is required.
 */
import assert from "node:assert/strict";
import { generateCa, issueLeaf } from "../../src/mock/ca.ts";
import { run } from "../../src/driver/tool_run.ts";
import { locatePqServer, PQ_SERVER_HINT, type PqFront, startPqFront } from "./_pq_server.ts";

async function haveGo(): Promise<boolean> {
  const r = await run("go", ["env", "GOVERSION"], 20_000);
  const m = /go1\.(\d+)/.exec(r.stdout);
  if (r.ok && m && Number(m[1]) >= 25) return true;
  if (Deno.env.get("CI")) throw new Error("required in CI: Go 1.25+");
  return false;
}

Deno.test("without Go the PQ server is unavailable, with the install hint (the check is not_applicable)", async () => {
  const r = await locatePqServer({ go: null, binDir: "/nonexistent/ron-kit-bin" });
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.kind === "unavailable" && r.reason.endsWith(PQ_SERVER_HINT), JSON.stringify(r));
});

Deno.test("concurrent builds into one fresh cache folder all succeed: one binary, no temp folder left", async () => {
  if (!(await haveGo())) return;
  const binDir = await Deno.makeTempDir({ prefix: "ron-pq-bin-" });
  try {
    // distinct memo keys ("go" given or defaulted), one folder: two real concurrent installs
    const [a, b] = await Promise.all([locatePqServer({ binDir }), locatePqServer({ binDir, go: "go" })]);
    assert.ok(a.ok && b.ok, JSON.stringify([a, b]));
    assert.equal(a.ok && a.path, b.ok && b.path);
    const names = [];
    for await (const e of Deno.readDir(binDir)) names.push(e.name);
    assert.deepEqual(names.length, 1, names.join(", "));
    assert.match(names[0] ?? "", /^pq-server-[0-9a-f]{12}$/);
  } finally {
    await Deno.remove(binDir, { recursive: true });
  }
});

/** A front whose upstream answers every request with "hello". */
async function withFront(fn: (front: PqFront, caPem: string) => Promise<void>): Promise<void> {
  const loc = await locatePqServer();
  assert.ok(loc.ok, JSON.stringify(loc));
  const ca = await generateCa();
  const leaf = await issueLeaf(ca, { dns: ["localhost"], ips: ["127.0.0.1"] });
  const upstream = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response("hello"));
  const started = await startPqFront({
    serverPath: loc.path,
    certChainPem: leaf.chainPem,
    keyPem: leaf.keyPem,
    upstreamPort: upstream.addr.port,
  });
  try {
    assert.ok(started.ok, started.ok ? "" : started.reason);
    await fn(started.front, ca.certPem);
  } finally {
    if (started.ok) await started.front.close();
    await upstream.shutdown();
  }
}

Deno.test("Deno's fetch completes a handshake over X25519MLKEM768; the server's own classical probe is refused", async () => {
  if (!(await haveGo())) return;
  await withFront(async (front, caPem) => {
    assert.equal(front.classicalProbe.refused, true, JSON.stringify(front.classicalProbe));
    const client = Deno.createHttpClient({ caCerts: [caPem] });
    try {
      const res = await fetch(`https://127.0.0.1:${front.port}/x`, { client });
      assert.equal(await res.text(), "hello");
    } finally {
      client.close();
    }
    const [e] = await front.waitForEvents(1, 5_000);
    assert.ok(e?.event === "handshake", JSON.stringify(e));
    assert.equal(e.group, "X25519MLKEM768");
    assert.equal(e.version, "TLS 1.3");
    assert.ok(e.offered_groups.includes("X25519MLKEM768"), e.offered_groups.join());
  });
});

// Node's TLS is OpenSSL (3.0 in Node 20: no ML-KEM at all); limited to X25519 it is a classical client.
const NODE_CLIENT = `
const tls = require("node:tls");
const s = tls.connect({ host: "127.0.0.1", port: Number(process.argv[1]), ecdhCurve: "X25519",
  rejectUnauthorized: false, minVersion: "TLSv1.2" }, () => { console.log("CONNECTED"); s.end(); });
s.on("error", (e) => { console.log("REFUSED " + e.message); });
`;

Deno.test("a classical client (Node's OpenSSL, X25519 only) is refused, and the server reports what it offered", async () => {
  if (!(await haveGo())) return;
  const node = await run("node", ["--version"], 10_000);
  if (!node.ok) {
    if (Deno.env.get("CI")) throw new Error("required in CI: node");
    return;
  }
  await withFront(async (front) => {
    const r = await run("node", ["-e", NODE_CLIENT, String(front.port)], 20_000);
    assert.match(r.stdout, /^REFUSED /, r.stdout + r.stderr);
    const [e] = await front.waitForEvents(1, 5_000);
    assert.ok(e?.event === "tls_error", JSON.stringify(e));
    assert.deepEqual(e.offered_groups, ["X25519"]);
  });
});
