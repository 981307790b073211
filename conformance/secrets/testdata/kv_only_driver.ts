/**
 * The reference secrets driver declaring only `secrets_kv`, as a plain Vault client's driver would
 * (hvac, node-vault, the Go API client): the kit must certify it on KV reads alone, without a PDP.
 * `deno run --allow-net=127.0.0.1,127.0.0.2,localhost --allow-env --allow-read --allow-write kv_only_driver.ts`
 */
import { SecretsDriver } from "../../drivers/secrets/driver.ts";
import { serveJsonLines } from "../../drivers/secrets/_serve.ts";

class KvOnlyDriver extends SecretsDriver {
  override async run(op: string, params: unknown): Promise<Record<string, unknown>> {
    const r = await super.run(op, params);
    return op === "hello" ? { ...r, name: "kv-only", capabilities: ["secrets_kv"] } : r;
  }
}

await serveJsonLines(new KvOnlyDriver(undefined));
