/**
 * The certificate matrix against the reference client: it passes every case, each case says what
 * its server presented, and without Node the cases only Node can serve are not applicable (with
 * the install hint), never a pass.
 */
import assert from "node:assert/strict";
import { sdkRun } from "../../src/engine/sdk_target.ts";
import type { CheckResult } from "../../src/engine/types.ts";
import { referenceDriverCommand } from "../mutants/sdk.ts";
import { kitTaskFlags } from "../../src/util/kit_task.ts";
import { CASES, checks } from "./tls.ts";

const NEW = [...CASES.map((c) => c.id), "sdk.tls.env-no-downgrade"];

async function runReference(ids: readonly string[]): Promise<Map<string, CheckResult>> {
  const r = await sdkRun({
    driverCommand: referenceDriverCommand(),
    seed: 1,
    concurrency: 4,
    checks: checks.filter((c) => ids.includes(c.id)),
  });
  assert.ok(r.ok, r.ok ? "" : r.detail);
  return new Map(r.results.map((x) => [x.id, x]));
}

function why(r: CheckResult | undefined): string {
  return r && r.verdict.outcome !== "pass" ? `${r.id}: ${r.verdict.reason}` : "";
}

Deno.test("the reference client passes every case of the matrix, with the certificate in the evidence", async () => {
  const results = await runReference(NEW);
  for (const id of NEW) {
    const r = results.get(id);
    assert.equal(r?.verdict.outcome, "pass", why(r));
  }
  const notes = (id: string) => {
    const v = results.get(id)?.verdict;
    return v?.outcome === "pass" ? (v.evidence.notes ?? []).join("\n") : "";
  };
  assert.match(notes("sdk.tls.expired"), /leaf: P-256 key; ECDSA with SHA-256, issued by .*; valid /);
  assert.match(
    notes("sdk.tls.expired"),
    /server saw: handshake failed: received fatal alert: CertificateExpired/,
  );
  assert.match(notes("sdk.tls.rsa-1024"), /leaf: RSA-1024 key/);
  assert.match(notes("sdk.tls.incomplete-chain"), /chain sent: 1 certificate\(s\) \(the leaf alone/);
  assert.match(notes("sdk.tls.tls10"), /server saw: handshake failed: unsupported protocol/);
  assert.match(notes("sdk.tls.tls12-only"), /server saw: handshake completed: TLSv1\.2, TLS_ECDHE_ECDSA_/);
  assert.match(notes("sdk.tls.tls13-only"), /server saw: handshake completed: TLSv1\.3, TLS_AES_/);
  assert.match(notes("sdk.tls.env-no-downgrade"), /VAULT_SKIP_VERIFY=false .*NODE_TLS_REJECT_UNAUTHORIZED=1/);
});

Deno.test("without node on the PATH, the Node-served cases are not applicable with the install hint", async () => {
  const empty = await Deno.makeTempDir({ prefix: "ron-kit-no-node-" });
  const path = Deno.env.get("PATH");
  Deno.env.set("PATH", empty);
  try {
    const nodeServed = CASES.filter((c) => c.server.node !== undefined).map((c) => c.id);
    assert.deepEqual(nodeServed, [
      "sdk.tls.rsa-1024",
      "sdk.tls.tls10",
      "sdk.tls.tls11",
      "sdk.tls.tls13-only",
      "sdk.tls.tls12-only",
    ]);
    const results = await runReference([...nodeServed, "sdk.tls.expired"]);
    for (const id of nodeServed) {
      const v = results.get(id)?.verdict;
      assert.equal(v?.outcome, "not_applicable", why(results.get(id)));
      assert.match(
        v?.outcome === "not_applicable" ? v.reason : "",
        /node not found: needs Node\.js .*install it/,
      );
    }
    assert.equal(
      results.get("sdk.tls.expired")?.verdict.outcome,
      "pass",
      why(results.get("sdk.tls.expired")),
    );
  } finally {
    if (path === undefined) Deno.env.delete("PATH");
    else Deno.env.set("PATH", path);
    await Deno.remove(empty);
  }
});

Deno.test("run by deno without Node.js on the PATH (Deno then offers its own node shim), those cases are not applicable", async () => {
  const bin = await Deno.makeTempDir({ prefix: "ron-kit-deno-only-" });
  const out = await Deno.makeTempDir({ prefix: "ron-kit-out-" });
  try {
    await Deno.symlink(Deno.execPath(), `${bin}/deno`);
    const main = new URL("../../cli/main.ts", import.meta.url).pathname;
    const r = await new Deno.Command(`${bin}/deno`, {
      args: [
        ...kitTaskFlags("certify"),
        main,
        "certify",
        "--only",
        "sdk.tls.tls10,sdk.tls.tls13-only",
        "--out",
        out,
      ],
      env: { PATH: bin },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const report = JSON.parse(await Deno.readTextFile(`${out}/report.json`)) as {
      results: { id: string; outcome: string; reason?: string }[];
    };
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    assert.equal(report.results.length, 2);
    for (const x of report.results) {
      assert.equal(x.outcome, "not_applicable", `${x.id}: ${x.reason}`);
      assert.match(x.reason ?? "", /Deno's Node\.js compatibility shim .*not Node\.js: install Node\.js/);
    }
  } finally {
    await Deno.remove(bin, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("a Node-transport mutant is one fault: accept-expired fails sdk.tls.expired and passes the other cases", async () => {
  const r = await sdkRun({
    driverCommand: referenceDriverCommand("accept-expired"),
    seed: 1,
    concurrency: 4,
    checks: checks.filter((c) => NEW.includes(c.id)),
  });
  assert.ok(r.ok, r.ok ? "" : r.detail);
  for (const x of r.results) {
    const want = x.id === "sdk.tls.expired" ? "fail" : "pass";
    assert.equal(x.verdict.outcome, want, why(x));
  }
  const v = r.results.find((x) => x.id === "sdk.tls.expired")?.verdict;
  assert.match(
    v?.outcome === "fail" ? v.reason : "",
    /an expired leaf certificate must be refused, sending nothing; 1 request\(s\) reached/,
  );
});
