import assert from "node:assert/strict";
import { discover } from "./_spec.ts";

Deno.test("discover: a client names a driver command or a target file (with an optional serve), not both", async () => {
  const root = await Deno.makeTempDir();
  const base = { language: "x", client: "c@1", setup: "", requires: [] };
  const clients: Record<string, unknown> = {
    driver: { ...base, name: "driver", command: "python3 d.py" },
    served: {
      ...base,
      name: "served",
      target: "field/served/target.toml",
      serve: "node app.js",
      args: ["--only", "svc.iso"],
    },
    both: { ...base, name: "both", command: "x", target: "field/both/t.toml" },
    neither: { ...base, name: "neither" },
    lonely: { ...base, name: "lonely", command: "x", serve: "node app.js" },
  };
  try {
    for (const [dir, spec] of Object.entries(clients)) {
      await Deno.mkdir(`${root}/field/${dir}`, { recursive: true });
      await Deno.writeTextFile(`${root}/field/${dir}/field.json`, JSON.stringify(spec));
    }
    const { specs, problems } = await discover(root);
    assert.deepEqual(specs.map((s) => s.name), ["driver", "served"]);
    assert.deepEqual(specs[0]?.args, []);
    assert.deepEqual(specs[1]?.args, ["--only", "svc.iso"]);
    assert.equal(problems.length, 3);
    for (const d of ["both", "neither"]) {
      assert.ok(problems.some((p) => p.startsWith(`field/${d}/`) && p.includes("exactly one of")), d);
    }
    assert.ok(problems.some((p) => p.startsWith("field/lonely/") && p.includes("needs `target`")));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
