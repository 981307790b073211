import assert from "node:assert/strict";
import { chaosPlan } from "./chaos_cmd.ts";
import { profileNamed } from "./profiles.ts";

const sdk = profileNamed("chaos")!.flags;
const svc = profileNamed("svc")!.flags;
const plan = (args: string[]) => chaosPlan(args, sdk, svc);

Deno.test("deno task chaos: no subject runs the SDK chaos checks, then the server's (reports beside)", () => {
  const p = plan(["--seed", "1", "--out", "ci/x"]);
  assert.ok(p.ok);
  assert.deepEqual(p.value.runs, [
    { profile: "chaos", args: ["--seed", "1", "--out", "ci/x"] },
    {
      profile: "svc",
      args: ["--seed", "1", "--chaos", "--http", "--out", "ci/x/svc-chaos", "--only", "svc.chaos"],
    },
  ]);
});

Deno.test("deno task chaos: --only picks the runs", () => {
  const s = plan(["--only", "svc.chaos.resets"]);
  assert.ok(s.ok);
  assert.deepEqual(s.value.runs, [{
    profile: "svc",
    args: ["--chaos", "--http", "--only", "svc.chaos.resets"],
  }]);
  const c = plan(["--only=chaos.latency"]);
  assert.ok(c.ok);
  assert.deepEqual(c.value.runs, [{ profile: "chaos", args: ["--only", "chaos.latency"] }]);
});

Deno.test("deno task chaos: --target runs only svc.chaos; a driver only chaos.*", () => {
  const t = plan(["--target", "t.toml", "--seed", "2"]);
  assert.ok(t.ok);
  assert.deepEqual(t.value.runs, [{
    profile: "svc",
    args: ["--target", "t.toml", "--seed", "2", "--chaos", "--only", "svc.chaos"],
  }]);
  const d = plan(["--driver", "python3 d.py"]);
  assert.ok(d.ok);
  assert.deepEqual(d.value.runs, [{ profile: "chaos", args: ["--driver", "python3 d.py"] }]);
  assert.equal(plan(["--target", "t.toml", "--driver", "x"]).ok, false);
  assert.equal(plan(["--target", "t.toml", "--only", "chaos.latency"]).ok, false);
  assert.equal(plan(["--driver", "x", "--only", "svc.chaos"]).ok, false);
  assert.equal(plan(["--json"]).ok, false);
  assert.equal(plan(["--bogus"]).ok, false);
});
