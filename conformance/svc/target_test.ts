import assert from "node:assert/strict";
import { exportJWK, exportSPKI, generateKeyPair } from "jose";
import {
  loadTarget,
  parseTargetFile,
  readTargetFile,
  resolveTarget,
  targetCapabilities,
  TargetError,
  targetNetHosts,
} from "./target.ts";

const EXAMPLE = new URL("./example_target.toml", import.meta.url);

const GOOD = `
base_url = "http://127.0.0.1:8080"
[[protected]]
path = "/items"
[write]
path = "/items"
body = { name = "x" }
[rate_limit]
path = "/optimize"
limit = 5
[credentials]
token_env = "SVC_TARGET_TEST_TOKEN"
`;

Deno.test("the shipped example target parses, with its defaults", () => {
  const f = parseTargetFile(Deno.readTextFileSync(EXAMPLE));
  assert.equal(f.body_limit, 65536);
  assert.equal(f.rate_limit.limit, 10);
  assert.equal(f.sse?.path, "/events");
  assert.equal(f.credentials.token_env, "ITEMS_API_TOKEN");
});

Deno.test("a minimal target gets defaults: health /health, body limit 64 KiB, no CORS origins", () => {
  const f = parseTargetFile(GOOD);
  assert.equal(f.health, "/health");
  assert.equal(f.body_limit, 65536);
  assert.deepEqual(f.cors_allowed_origins, []);
  assert.equal(f.write.method, "POST");
});

Deno.test("a bad target file names the field", async (t) => {
  const cases: [string, string, string][] = [
    ["not TOML", "base_url = ", ""],
    ["bad base_url", GOOD.replace('"http://127.0.0.1:8080"', '"ftp://x"'), "base_url"],
    ["no protected route", GOOD.replace('[[protected]]\npath = "/items"\n', ""), "protected"],
    [
      "protected path without slash",
      GOOD.replace('path = "/items"\n[write]', 'path = "items"\n[write]'),
      "protected.0.path",
    ],
    ["write without body", GOOD.replace('body = { name = "x" }\n', ""), "write.body"],
    ["rate limit without limit", GOOD.replace("limit = 5\n", ""), "rate_limit.limit"],
    [
      "no credentials source",
      GOOD.replace('token_env = "SVC_TARGET_TEST_TOKEN"\n', 'kid = "k"\n'),
      "credentials.token_env",
    ],
    ["unknown top-level field", `bodylimit = 5\n${GOOD}`, "bodylimit"],
    ["unknown credentials field", GOOD + 'token = "literal"\n', "credentials.token"],
    ["negative body limit", `body_limit = -1\n${GOOD}`, "body_limit"],
    ["limit of the wrong type", GOOD.replace("limit = 5", 'limit = "five"'), "rate_limit.limit"],
  ];
  for (const [name, text, field] of cases) {
    await t.step(name, () => {
      assert.throws(() => parseTargetFile(text), (e: unknown) => {
        assert.ok(e instanceof TargetError, String(e));
        assert.equal(e.field, field, e.message);
        if (field !== "") assert.match(e.message, new RegExp(`field "${field.replace(/\./g, "\\.")}"`));
        if (name === "limit of the wrong type") assert.doesNotMatch(e.message, /required/);
        return true;
      });
    });
  }
});

Deno.test("loadTarget() reads the env token, key files and names the failing field", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
    await Deno.writeTextFile(`${dir}/issuer.jwk`, JSON.stringify(await exportJWK(privateKey)));
    await Deno.writeTextFile(`${dir}/pub.pem`, await exportSPKI(publicKey));
    const withKeys = GOOD.replace(
      'token_env = "SVC_TARGET_TEST_TOKEN"\n',
      'issuer_private_key = "issuer.jwk"\npublic_key = "pub.pem"\naudience = "a"\n',
    );
    await Deno.writeTextFile(`${dir}/t.toml`, withKeys);
    const t = await loadTarget(`${dir}/t.toml`);
    assert.ok(t.credentials.issuerKey);
    assert.match(t.credentials.publicKeyPem ?? "", /BEGIN PUBLIC KEY/);
    assert.deepEqual([...targetCapabilities(t)].sort(), ["http"]);

    await Deno.writeTextFile(`${dir}/env.toml`, GOOD);
    await assert.rejects(() => loadTarget(`${dir}/env.toml`, { env: () => undefined }), (e: unknown) => {
      assert.ok(e instanceof TargetError && e.field === "credentials.token_env", String(e));
      return true;
    });
    const ok = await loadTarget(`${dir}/env.toml`, {
      env: (n) => (n === "SVC_TARGET_TEST_TOKEN" ? "tok" : undefined),
    });
    assert.equal(ok.credentials.token, "tok");

    await Deno.writeTextFile(`${dir}/missing.toml`, withKeys.replace("issuer.jwk", "nope.jwk"));
    await assert.rejects(() => loadTarget(`${dir}/missing.toml`), (e: unknown) => {
      assert.ok(e instanceof TargetError && e.field === "credentials.issuer_private_key", String(e));
      return true;
    });
    await Deno.writeTextFile(`${dir}/badkey.jwk`, "not a key");
    await Deno.writeTextFile(`${dir}/badkey.toml`, withKeys.replace("issuer.jwk", "badkey.jwk"));
    await assert.rejects(() => loadTarget(`${dir}/badkey.toml`), (e: unknown) => {
      assert.ok(e instanceof TargetError && e.field === "credentials.issuer_private_key", String(e));
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a TOML syntax error names its line and column", () => {
  assert.throws(() => parseTargetFile(`name = "x"\nbase_url = \n`), (e: unknown) => {
    assert.ok(e instanceof TargetError && e.field === "", String(e));
    assert.match(e.message, /not valid TOML \(line 2, column \d+\): invalid value/);
    return true;
  });
});

Deno.test("a host the kit cannot allow is an error naming its field; the JWKS must share the origin", () => {
  const cases: [string, string, string, RegExp][] = [
    ["base_url with '*'", GOOD.replace("127.0.0.1:8080", "a*b.test"), "base_url", /cannot be allowed/],
    ["base_url with ','", GOOD.replace("127.0.0.1:8080", "a,b.test"), "base_url", /cannot be allowed/],
    ["base_url with an empty label", GOOD.replace("127.0.0.1:8080", "a..test"), "base_url", /cannot be/],
    ["base_url label ending '-'", GOOD.replace("127.0.0.1:8080", "a-.test"), "base_url", /cannot be/],
    [
      "jwks_url on another host",
      `${GOOD}jwks_url = "http://127.0.0.2:8080/jwks.json"\n`,
      "credentials.jwks_url",
      /must be on the target's origin http:\/\/127\.0\.0\.1:8080/,
    ],
    [
      "jwks_url on another port",
      `${GOOD}jwks_url = "http://127.0.0.1:9/jwks.json"\n`,
      "credentials.jwks_url",
      /target's origin/,
    ],
    ["jwks_url not http", `${GOOD}jwks_url = "file:///etc/passwd"\n`, "credentials.jwks_url", /http/],
  ];
  for (const [name, text, field, why] of cases) {
    assert.throws(() => parseTargetFile(text), (e: unknown) => {
      assert.ok(e instanceof TargetError, `${name}: ${e}`);
      assert.equal(e.field, field, `${name}: ${e.message}`);
      assert.match(e.message, why, name);
      return true;
    });
  }
});

Deno.test("targetNetHosts() names the base URL's host:port (the JWKS shares it)", () => {
  const f = parseTargetFile(
    GOOD.replace("http://127.0.0.1:8080", "https://staging.example.com/api") +
      'jwks_url = "https://staging.example.com/.well-known/jwks.json"\n',
  );
  assert.deepEqual(targetNetHosts(f), ["staging.example.com:443"]);
  assert.deepEqual(targetNetHosts(parseTargetFile(GOOD.replace("127.0.0.1:8080", "[::1]"))), ["[::1]:80"]);
});

Deno.test("the target file and every file it names are read bounded: /dev/zero, a FIFO, 10 MB", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const made = await new Deno.Command("mkfifo", { args: [`${dir}/fifo`] }).output();
    assert.ok(made.success);
    await Deno.writeFile(`${dir}/big`, new Uint8Array(10 * 1000 * 1000).fill(0x23));
    const t0 = performance.now();
    for (const bad of ["/dev/zero", `${dir}/fifo`, `${dir}/big`]) {
      await assert.rejects(() => readTargetFile(bad), (e: unknown) => {
        assert.ok(e instanceof TargetError && e.field === "", String(e));
        assert.match(e.message, /^target file: .*(not a regular file|larger than the limit of 1 MiB)/);
        return true;
      });
      const named = GOOD.replace('token_env = "SVC_TARGET_TEST_TOKEN"\n', `issuer_private_key = "${bad}"\n`);
      await Deno.writeTextFile(`${dir}/key.toml`, named);
      await assert.rejects(() => loadTarget(`${dir}/key.toml`), (e: unknown) => {
        assert.ok(e instanceof TargetError && e.field === "credentials.issuer_private_key", String(e));
        return true;
      });
      await Deno.writeTextFile(`${dir}/pub.toml`, `${GOOD}public_key = "${bad}"\n`);
      await assert.rejects(() => loadTarget(`${dir}/pub.toml`, { env: () => "t" }), (e: unknown) => {
        assert.ok(e instanceof TargetError && e.field === "credentials.public_key", String(e));
        return true;
      });
      await Deno.writeTextFile(`${dir}/ca.toml`, `ca_cert = "${bad}"\n${GOOD}`);
      await assert.rejects(() => loadTarget(`${dir}/ca.toml`, { env: () => "t" }), (e: unknown) => {
        assert.ok(e instanceof TargetError && e.field === "ca_cert", String(e));
        return true;
      });
    }
    assert.ok(performance.now() - t0 < 5000, `took ${performance.now() - t0} ms`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a base_url host that does not resolve is a target error naming base_url", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/t.toml`, GOOD.replace("127.0.0.1:8080", "staging.invalid:8080"));
    await assert.rejects(() => loadTarget(`${dir}/t.toml`, { env: () => "t" }), (e: unknown) => {
      assert.ok(e instanceof TargetError && e.field === "base_url", String(e));
      assert.match(e.message, /staging\.invalid does not resolve/);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the JWKS fetch: same origin, no redirects, bounded in size and time (a hostile server)", async () => {
  const { publicKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1" };
  let elsewhere = 0;
  const other = Deno.serve({ hostname: "127.0.0.2", port: 0, onListen() {} }, () => {
    elsewhere++;
    return Response.json({ keys: [jwk] });
  });
  let endlessCancelled = false;
  const release = new AbortController();
  const hostile = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    switch (path) {
      case "/good":
        return Response.json({ keys: [jwk] });
      case "/redirect":
        return new Response(null, {
          status: 302,
          headers: { location: `http://127.0.0.2:${other.addr.port}/jwks.json` },
        });
      case "/endless":
        return new Response(
          new ReadableStream<Uint8Array>({
            pull: (c) => c.enqueue(new Uint8Array(64 * 1024).fill(0x20)),
            cancel: () => {
              endlessCancelled = true;
            },
          }),
          { headers: { "content-type": "application/json" } },
        );
      case "/declared":
        return new Response(" ".repeat(2 * 1024 * 1024), { headers: { "content-type": "application/json" } });
      case "/stall":
        return new Response(
          new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new TextEncoder().encode('{"keys":')) }),
        );
      case "/hang":
        return new Promise<Response>((resolve) =>
          release.signal.addEventListener("abort", () => resolve(new Response("late")), { once: true })
        );
      default:
        return new Response("no", { status: 404 });
    }
  });
  const base = `http://127.0.0.1:${hostile.addr.port}`;
  const resolveWith = (path: string) =>
    resolveTarget(
      parseTargetFile(
        `${GOOD.replace("http://127.0.0.1:8080", base)}jwks_url = "${base}${path}"\nkid = "k1"\n`,
      ),
      { env: () => "tok", timeoutMs: 1000 },
    );
  try {
    const ok = await resolveWith("/good");
    assert.match(ok.credentials.publicKeyPem ?? "", /BEGIN PUBLIC KEY/);
    const cases: [string, RegExp][] = [
      ["/redirect", /answered 302 to "http:\/\/127\.0\.0\.2:\d+\/jwks\.json": redirects are refused/],
      ["/endless", /larger than the limit of 1 MiB/],
      ["/declared", /declares 2097152 bytes, larger than the limit/],
      ["/stall", /no complete answer within 1000 ms/],
      ["/hang", /no complete answer within 1000 ms/],
      ["/missing", /answered HTTP 404/],
    ];
    for (const [path, why] of cases) {
      const t0 = performance.now();
      await assert.rejects(() => resolveWith(path), (e: unknown) => {
        assert.ok(e instanceof TargetError, `${path}: ${e}`);
        assert.equal(e.field, "credentials.jwks_url", e.message);
        assert.match(e.message, why, path);
        return true;
      });
      assert.ok(performance.now() - t0 < 2500, `${path} took ${performance.now() - t0} ms`);
    }
    assert.equal(elsewhere, 0, "the redirect was followed to another host");
    assert.ok(endlessCancelled, "the endless body was not cancelled");
  } finally {
    release.abort();
    await hostile.shutdown();
    await other.shutdown();
  }
});
