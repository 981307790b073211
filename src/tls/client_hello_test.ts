import assert from "node:assert/strict";
import { generateCa, issueLeaf } from "../mock/ca.ts";
import { offerSuites, SUITE_CLASSES, suiteName } from "./client_hello.ts";
import { startNodeFront } from "./node_front.ts";

const HAS_NODE = new Deno.Command("node", { args: ["--version"], stdout: "null", stderr: "null" })
  .output().then((o) => o.success, () => false);

async function leaf() {
  const ca = await generateCa();
  return await issueLeaf(ca, { dns: ["localhost"], ips: ["127.0.0.1"] });
}

Deno.test("Deno's TLS (rustls) chooses a strong suite and refuses NULL, anonymous, RC4 and 3DES offers", async () => {
  const l = await leaf();
  const server = Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert: l.chainPem, key: l.keyPem });
  const accepting = (async () => {
    for await (const c of server) {
      c.handshake().catch(() => {}).finally(() => setTimeout(() => c.close(), 200));
    }
  })().catch(() => {});
  try {
    const at = { host: "127.0.0.1", port: server.addr.port, servername: "localhost", timeoutMs: 3000 };
    const strong = await offerSuites({ ...at, suites: SUITE_CLASSES.strong });
    assert.equal(strong.kind, "accepted", JSON.stringify(strong));
    assert.match(strong.kind === "accepted" ? suiteName(strong.suite) : "", /ECDHE_ECDSA/);
    assert.equal(strong.kind === "accepted" && strong.version, 0x0303);
    for (const cls of ["NULL", "anonymous", "RC4", "3DES"] as const) {
      const r = await offerSuites({ ...at, suites: SUITE_CLASSES[cls] });
      assert.equal(r.kind, "refused", `${cls}: ${JSON.stringify(r)}`);
      assert.equal(r.kind === "refused" && r.stage, "handshake");
    }
  } finally {
    server.close();
    await accepting;
  }
});

Deno.test("nothing listening is a connect refusal; a silent listener is a timeout", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = l.addr.port;
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const c of l) held.push(c);
  })().catch(() => {});
  const silent = await offerSuites({
    host: "127.0.0.1",
    port,
    servername: "x",
    suites: [0xc02b],
    timeoutMs: 300,
  });
  assert.equal(silent.kind === "refused" && silent.stage, "timeout");
  l.close();
  await accepting;
  for (const c of held) c.close();
  const none = await offerSuites({
    host: "127.0.0.1",
    port,
    servername: "x",
    suites: [0xc02b],
    timeoutMs: 1000,
  });
  assert.equal(none.kind === "refused" && none.stage, "connect");
});

Deno.test({
  name: "a Node front serving weak suites chooses a NULL and an anonymous suite when only those are offered",
  ignore: !(await HAS_NODE),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const l = await leaf();
    const front = await startNodeFront({
      certChainPem: l.chainPem,
      keyPem: l.keyPem,
      upstreamPort: 9,
      maxVersion: "TLSv1.2",
      ciphers: "ALL:eNULL",
      secLevel0: true,
    });
    if ("unavailable" in front) throw new Error(front.unavailable);
    try {
      const at = { host: "127.0.0.1", port: front.port, servername: "localhost", timeoutMs: 3000 };
      const nul = await offerSuites({ ...at, suites: SUITE_CLASSES.NULL });
      assert.equal(nul.kind === "accepted" && suiteName(nul.suite), "TLS_ECDHE_ECDSA_WITH_NULL_SHA");
      const anon = await offerSuites({ ...at, suites: SUITE_CLASSES.anonymous });
      assert.equal(anon.kind, "accepted", JSON.stringify(anon));
      assert.match(anon.kind === "accepted" ? suiteName(anon.suite) : "", /_anon_/);
      const strong = await offerSuites({ ...at, suites: SUITE_CLASSES.strong });
      assert.equal(strong.kind, "accepted");
    } finally {
      await front.close();
    }
  },
});
