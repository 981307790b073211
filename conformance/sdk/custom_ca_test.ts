/**
 * `sdk.tls.custom-ca` follows seed 000 §2.1 ("Allow custom CA bundles … optional parameter or ENV"):
 * an SDK that takes no CA parameter but trusts the CA exported in SSL_CERT_FILE passes, and says
 * so; the field report's twelve real clients failed it before the environment route was asked.
 */
import assert from "node:assert/strict";
import { sdkRun } from "../../src/engine/sdk_target.ts";
import { sdkChecks } from "./mod.ts";

const URLLIB = new URL("../../src/driver/testdata/urllib_driver.py", import.meta.url).pathname;

async function hasPython(): Promise<boolean> {
  try {
    return (await new Deno.Command("python3", { args: ["-c", "import ssl"], stdout: "null", stderr: "null" })
      .output()).success;
  } catch {
    return false;
  }
}

Deno.test({
  name:
    "an SDK that trusts a CA only through SSL_CERT_FILE passes sdk.tls.custom-ca by the environment route",
  ignore: !(await hasPython()),
  async fn() {
    const r = await sdkRun({
      driverCommand: ["python3", URLLIB],
      seed: 1,
      checks: sdkChecks.filter((c) => c.id === "sdk.tls.custom-ca"),
    });
    assert.ok(r.ok, r.ok ? "" : r.detail);
    const v = r.results[0]?.verdict;
    assert.equal(v?.outcome, "pass", v && v.outcome !== "pass" ? v.reason : "");
    assert.ok(
      v?.outcome === "pass" &&
        v.evidence.notes?.some((n) => n.startsWith("trusted the CA exported as SSL_CERT_FILE")),
      JSON.stringify(v),
    );
  },
});
