import assert from "node:assert/strict";
import { loadRpcTarget, parseRpcTargetFile, TargetError } from "./target.ts";

const EXAMPLE = new URL("./example_target.toml", import.meta.url);

Deno.test("the shipped example target parses, with its defaults", () => {
  const f = parseRpcTargetFile(Deno.readTextFileSync(EXAMPLE));
  assert.equal(f.cookie_key, "BASIC_PLUGIN");
  assert.equal(f.cookie_value, "hello");
  assert.deepEqual(f.protocol_versions, [1]);
  assert.equal(f.health_service, "plugin");
  assert.equal(f.tls.mode, "auto");
});

function field(text: string): string {
  try {
    parseRpcTargetFile(text);
  } catch (e) {
    if (e instanceof TargetError) return e.field;
    throw e;
  }
  return "(accepted)";
}

Deno.test("a bad target names its field", () => {
  const base = 'command = ["./p"]\ncookie_key = "K"\ncookie_value = "v"\n';
  assert.equal(field('cookie_key = "K"\ncookie_value = "v"'), "command");
  assert.equal(field(base + 'transport = "udp"'), "transport");
  assert.equal(field(base + "colour = 1"), "colour");
  assert.equal(field(base + 'env = { HOME = "/" }'), "env");
  assert.equal(field(base + "min_port = 9\nmax_port = 8"), "max_port");
  assert.equal(field(base + '[tls]\nmode = "files"'), "tls.client_cert");
  assert.equal(field('command = ["./p"]\ncookie_key = "1bad"\ncookie_value = "v"'), "cookie_key");
  assert.equal(field(base), "(accepted)");
});

Deno.test("loading resolves the executable against the file's directory, and reads named files bounded", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/t.toml`,
      'command = ["./bin/p", "-x"]\ncookie_key = "K"\ncookie_value = "v"\n',
    );
    const t = await loadRpcTarget(`${dir}/t.toml`);
    assert.deepEqual(t.command, [`${dir}/./bin/p`, "-x"]);
    await Deno.writeTextFile(
      `${dir}/f.toml`,
      'command = ["p"]\ncookie_key = "K"\ncookie_value = "v"\n[tls]\nmode = "files"\nclient_cert = "/dev/zero"\nclient_key = "k"\n',
    );
    await assert.rejects(
      () => loadRpcTarget(`${dir}/f.toml`),
      (e) => e instanceof TargetError && e.field === "tls.client_cert",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
