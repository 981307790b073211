/**
 * A driver that declares only `http` and `tls` and passes every check it gets is not certified:
 * the Tier-1 capabilities (seed 000 §0) are missing, and the report says which.
 */
import assert from "node:assert/strict";
import { certifyMain } from "./certify.ts";
import { sdkProfile } from "../conformance/sdk/profile.ts";

Deno.test({
  name:
    "a thin driver (http and tls only) that passes its checks gets no level, and the report names what is missing",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const python = await new Deno.Command("python3", { args: ["--version"], stdout: "null", stderr: "null" })
      .output().then((o) => o.success, () => false);
    if (!python) {
      if (Deno.env.get("CI")) throw new Error("required in CI: python3");
      return;
    }
    const md = await Deno.readTextFile(new URL("../README.md", import.meta.url));
    const code = /```python\n([\s\S]*?)```/.exec(md)?.[1];
    assert.ok(code, "README.md has the minimal python driver");
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/driver.py`, code);
      const { log, error } = console;
      console.log = () => {};
      console.error = () => {};
      let exit: number;
      try {
        exit = await certifyMain(sdkProfile, [
          "--driver",
          `python3 ${dir}/driver.py`,
          "--only",
          "sdk.tls",
          "--seed",
          "1",
          "--out",
          `${dir}/out`,
        ]);
      } finally {
        console.log = log;
        console.error = error;
      }
      const report = JSON.parse(await Deno.readTextFile(`${dir}/out/report.json`));
      const tls = report.results.filter((r: { id: string }) => r.id.startsWith("sdk.tls."));
      assert.ok(tls.some((r: { outcome: string }) => r.outcome === "pass"), JSON.stringify(tls));
      assert.equal(report.summary.certification, "none");
      assert.deepEqual(report.summary.levels["beta-ready"].missing, [
        "retry",
        "idempotency",
        "problem",
        "token_provider",
      ]);
      assert.ok(
        (await Deno.readTextFile(`${dir}/out/summary.md`)).includes("capabilities missing for beta-ready"),
      );
      assert.equal(typeof exit, "number");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
