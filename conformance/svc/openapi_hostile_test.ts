import assert from "node:assert/strict";
import { MAX_SPEC_BYTES, readSpec } from "./_openapi_load.ts";
import { inlineSchema, parseDoc } from "./_openapi_doc.ts";
import { deriveFields } from "./_openapi_derive.ts";
import { TargetError } from "./_target_read.ts";

/** A loopback server counting its requests; `handler` answers them. */
async function serve(
  handler: (req: Request) => Response | Promise<Response>,
  f: (base: URL, hits: () => number) => void | Promise<void>,
): Promise<void> {
  let hits = 0;
  const ac = new AbortController();
  const ready = Promise.withResolvers<number>();
  const s = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: (a) => ready.resolve(a.port) },
    (req) => {
      hits++;
      return handler(req);
    },
  );
  try {
    await f(new URL(`http://127.0.0.1:${await ready.promise}`), () => hits);
  } finally {
    ac.abort();
    await s.finished;
  }
}

async function tempFile(text: string, f: (path: string) => Promise<void>): Promise<void> {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(path, text);
    await f(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("hostile spec: a file over 5 MiB is refused before it is read", async () => {
  await tempFile(`{"openapi":"3.1.0","x":"${"a".repeat(MAX_SPEC_BYTES)}"}`, async (path) => {
    await assert.rejects(
      readSpec({ source: path }),
      (e) => e instanceof TargetError && /larger than/.test(e.message),
    );
  });
});

Deno.test("hostile spec: a response over 5 MiB is cut off (declared or streamed)", async () => {
  const big = new Uint8Array(MAX_SPEC_BYTES + 10).fill(0x20);
  await serve(() => new Response(new Blob([big]).stream()), async (base) => {
    await assert.rejects(readSpec({ source: `${base.origin}/openapi.json`, baseUrl: base }), TargetError);
  });
});

Deno.test("hostile spec: nesting deeper than 64 levels and YAML are refused", async () => {
  await tempFile(`${"[".repeat(10_000)}${"]".repeat(10_000)}`, async (path) => {
    await assert.rejects(readSpec({ source: path }), /nested deeper than 64/);
  });
  await tempFile("openapi: 3.1.0\n", async (path) => {
    await assert.rejects(readSpec({ source: path }), /not a JSON document/);
  });
});

Deno.test("hostile spec: a URL off the target's origin is refused; a redirect is not followed", async () => {
  await serve(
    () => new Response(null, { status: 302, headers: { location: "http://169.254.169.254/" } }),
    async (base, hits) => {
      await assert.rejects(
        readSpec({ source: "http://127.0.0.2:1/openapi.json", baseUrl: base }),
        /not the target's origin/,
      );
      assert.equal(hits(), 0);
      await assert.rejects(
        readSpec({ source: `${base.origin}/openapi.json`, baseUrl: base }),
        /302.*not followed/,
      );
      assert.equal(hits(), 1);
    },
  );
});

Deno.test("hostile spec: a server that never finishes its answer is given up within the time limit", async () => {
  await serve(
    () => new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("{")) })),
    async (base) => {
      const t0 = performance.now();
      await assert.rejects(
        readSpec({ source: `${base.origin}/o.json`, baseUrl: base, timeoutMs: 300 }),
        TargetError,
      );
      assert.ok(performance.now() - t0 < 3000);
    },
  );
});

Deno.test("hostile spec: $ref cycles terminate, remote refs are never fetched", async () => {
  await serve(() => Response.json({ type: "object" }), (base, hits) => {
    const doc = parseDoc({
      openapi: "3.1.0",
      security: [{ b: [] }],
      components: {
        schemas: {
          A: { $ref: "#/components/schemas/B" },
          B: { $ref: "#/components/schemas/A" },
          Node: { type: "object", properties: { next: { $ref: "#/components/schemas/Node" } } },
        },
      },
      paths: {
        "/x": {
          get: { $ref: `${base.origin}/op.json` },
          post: {
            requestBody: {
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    required: ["a", "n", "r"],
                    properties: {
                      a: { $ref: "#/components/schemas/A" },
                      n: { $ref: "#/components/schemas/Node" },
                      r: { $ref: `${base.origin}/schema.json` },
                    },
                  },
                },
              },
            },
          },
        },
        "/y": { $ref: `${base.origin}/pathitem.json`, get: {} },
      },
    });
    const d = deriveFields(doc);
    // GET /x is a remote ref: skipped, not fetched
    assert.deepEqual(d.file["protected"], [{ method: "GET", path: "/y" }]);
    assert.deepEqual(d.file["write"], {
      method: "POST",
      path: "/x",
      body: { a: "widget", n: {}, r: "widget" },
    });
    assert.ok(d.writeSchema !== undefined);
    assert.equal(hits(), 0, "a remote $ref must never be fetched");
  });
});

Deno.test("hostile spec: refs that fan out exponentially are inlined within a fixed budget", () => {
  const schemas: Record<string, unknown> = { L0: { type: "string" } };
  for (let i = 1; i <= 40; i++) {
    schemas[`L${i}`] = {
      type: "object",
      properties: {
        a: { $ref: `#/components/schemas/L${i - 1}` },
        b: { $ref: `#/components/schemas/L${i - 1}` },
      },
    };
  }
  const t0 = performance.now();
  const s = inlineSchema({ components: { schemas } }, { $ref: "#/components/schemas/L40" });
  assert.ok(performance.now() - t0 < 2000, "bounded");
  assert.ok(JSON.stringify(s).length < 10_000_000);
});

Deno.test("hostile spec: not an OpenAPI 3 document is refused, naming the element", () => {
  assert.throws(() => parseDoc({ swagger: "2.0", paths: {} }), /openapi/);
  assert.throws(() => parseDoc({ openapi: "3.1.0", paths: [] }), /paths/);
});
