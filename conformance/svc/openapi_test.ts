import assert from "node:assert/strict";
import { startReferenceServer } from "../reference_server/server.ts";
import { referenceOpenApi } from "../reference_server/openapi.ts";
import { loadOpenApiTarget, referenceOpenApiTarget } from "./openapi.ts";
import { parseDoc } from "./_openapi_doc.ts";
import { deriveFields } from "./_openapi_derive.ts";
import { openApiRequest } from "./_openapi_open.ts";
import { inapplicableWhy } from "./_openapi_gaps.ts";
import type { Target } from "./target.ts";

/** The fields the svc checks read (credentials and the CA aside, which the document cannot give). */
function used(t: Target) {
  return {
    name: t.name,
    version: t.version,
    baseUrl: t.baseUrl.href,
    health: t.health,
    lookup: t.lookup,
    bodyLimit: t.bodyLimit,
    corsAllowedOrigins: t.corsAllowedOrigins,
    protected: t.protected,
    write: { method: t.write.method, path: t.write.path, body: t.write.body },
    rateLimit: t.rateLimit,
    sse: t.sse,
    iso: t.iso,
  };
}

Deno.test("the reference's own document derives the reference's target (every field the checks use)", async () => {
  const s = await startReferenceServer();
  try {
    const t = await referenceOpenApiTarget(s.target, "/openapi.json");
    assert.deepEqual(used(t), used(s.target));
    assert.equal(t.inapplicable, undefined, "the reference's document leaves nothing out");
    assert.equal(t.credentials, s.target.credentials);
    assert.equal(
      t.write.schema?.["additionalProperties"],
      false,
      "the write route keeps its schema for the fuzz",
    );
  } finally {
    await s.close();
  }
});

Deno.test("derivation rules: security [] and [{}] are public; admin scope, SSE and params are sorted out", () => {
  const doc = referenceOpenApi({ rateLimit: 5, windowS: 7 });
  const d = deriveFields(parseDoc(doc));
  assert.deepEqual(d.missing, {});
  assert.deepEqual(d.file["rate_limit"], {
    method: "POST",
    path: "/optimize",
    body: { iterations: 1 },
    limit: 5,
    window_s: 7,
  });
  const open = deriveFields(parseDoc({
    openapi: "3.0.3",
    security: [{ key: [] }],
    paths: {
      "/ping": { get: { security: [{}] } },
      "/a/{x}": {
        get: { parameters: [{ name: "x", in: "path", schema: { type: "string", format: "uuid" } }] },
      },
    },
  }));
  assert.equal(open.file["health"], "/ping");
  assert.deepEqual(open.file["protected"], [{
    method: "GET",
    path: "/a/00000000-0000-4000-8000-000000000001",
  }]);
  assert.equal(open.file["lookup"], "/a/{id}");
});

Deno.test("examples: the media type's, else generated from the schema (required, enum, format, bounds)", () => {
  const d = deriveFields(parseDoc({
    openapi: "3.1.0",
    security: [{ b: [] }],
    components: {
      schemas: {
        In: {
          type: "object",
          required: ["kind", "email", "n", "when"],
          properties: {
            kind: { enum: ["a", "b"] },
            email: { type: "string", format: "email" },
            n: { type: "integer", minimum: 3, maximum: 9 },
            when: { type: "string", format: "date-time" },
            optional: { type: "string" },
          },
        },
      },
    },
    paths: {
      "/x": {
        get: {},
        post: {
          requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/In" } } } },
        },
      },
    },
  }));
  assert.deepEqual(d.file["write"], {
    method: "POST",
    path: "/x",
    body: { kind: "a", email: "user@example.com", n: 3, when: "2024-01-01T00:00:00Z" },
  });
  assert.match(d.missing.strict_write ?? "", /additionalProperties: false/);
  assert.match(d.missing.rate_limit ?? "", /x-rate-limit/);
  assert.match(d.missing.health ?? "", /health/);
});

async function withSpec(spec: unknown, f: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "openapi-test-" });
  try {
    await Deno.writeTextFile(`${dir}/spec.json`, JSON.stringify(spec));
    await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const SMALL = {
  openapi: "3.1.0",
  security: [{ bearer: [] }],
  paths: {
    "/things": {
      get: {},
      post: {
        requestBody: { content: { "application/json": { schema: { type: "object" }, example: { a: "b" } } } },
      },
    },
  },
};

Deno.test("what the document does not give is not_applicable, naming the element; the field throws", async () => {
  await withSpec(SMALL, async (dir) => {
    const t = await loadOpenApiTarget({
      openapi: `${dir}/spec.json`,
      baseUrl: "http://127.0.0.1:9",
      credentials: { token_env: "T" },
      env: () => "a-token",
    });
    assert.deepEqual(t.write, {
      method: "POST",
      path: "/things",
      body: { a: "b" },
      schema: { type: "object" },
    });
    assert.match(inapplicableWhy(t, "svc.ratelimit.enforced") ?? "", /x-rate-limit/);
    assert.match(inapplicableWhy(t, "svc.input.unknown-fields") ?? "", /additionalProperties: false/);
    assert.match(inapplicableWhy(t, "svc.headers.nosniff") ?? "", /health/);
    assert.match(inapplicableWhy(t, "svc.iso.object-read") ?? "", /\{id\}/);
    assert.equal(inapplicableWhy(t, "svc.auth.required"), undefined);
    assert.throws(() => t.rateLimit, /x-rate-limit/);
    assert.throws(() => t.health, /health/);
    assert.equal(t.credentials.token, "a-token");
  });
});

Deno.test("a target file overrides derived fields and fills the gaps; flags override its credentials", async () => {
  await withSpec(SMALL, async (dir) => {
    await Deno.writeTextFile(
      `${dir}/t.toml`,
      `base_url = "http://127.0.0.1:9"\nhealth = "/up"\n[rate_limit]\npath = "/slow"\nlimit = 3\n` +
        `[credentials]\ntoken_env = "FILE_TOKEN"\naudience = "aud"\n`,
    );
    const t = await loadOpenApiTarget({
      openapi: `${dir}/spec.json`,
      targetFile: `${dir}/t.toml`,
      credentials: { token_env: "FLAG_TOKEN" },
      env: (n) => n === "FLAG_TOKEN" ? "flag-token" : undefined,
    });
    assert.equal(t.health, "/up");
    assert.deepEqual(t.rateLimit, { method: "GET", path: "/slow", limit: 3, windowS: 60 });
    assert.equal(t.credentials.token, "flag-token");
    assert.equal(t.credentials.audience, "aud");
    assert.equal(inapplicableWhy(t, "svc.ratelimit.enforced"), undefined);
    assert.equal(inapplicableWhy(t, "svc.headers.nosniff"), undefined);
  });
});

Deno.test("a document with no secured GET is refused (nothing to certify), naming what to add", async () => {
  await withSpec({ openapi: "3.1.0", paths: { "/x": { get: {} } } }, async (dir) => {
    await assert.rejects(
      loadOpenApiTarget({
        openapi: `${dir}/spec.json`,
        baseUrl: "http://127.0.0.1:9",
        credentials: { token_env: "T" },
      }),
      /no GET operation has a non-empty security requirement.*\[\[protected\]\]/,
    );
  });
});

Deno.test("the --openapi flags: the bundled reference by path, a server by base URL, stray flags refused", () => {
  assert.deepEqual(openApiRequest({ "--openapi": ["/openapi.json"] }), {
    ok: true,
    value: { kind: "reference", docPath: "/openapi.json" },
  });
  const r = openApiRequest({
    "--openapi": ["spec.json"],
    "--base-url": ["http://h:1"],
    "--token-env": ["TOK"],
  });
  assert.ok(r.ok && r.value?.kind === "server" && r.value.credentials.token_env === "TOK");
  assert.deepEqual(openApiRequest({}), { ok: true, value: undefined });
  for (
    const bad of [
      { "--token-env": ["T"] },
      { "--openapi": ["spec.json"] },
      { "--openapi": ["/openapi.json"], "--issuer-key": ["k.pem"] },
      { "--openapi": ["s.json"], "--base-url": ["http://h:1"], "--token-env": ["eyJhbGciOi.x.y"] },
    ]
  ) {
    assert.equal(openApiRequest(bad).ok, false, JSON.stringify(bad));
  }
});
