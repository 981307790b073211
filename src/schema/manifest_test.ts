import assert from "node:assert/strict";
import fc from "fast-check";
import { validateManifest, VIOLATION_CODES } from "./manifest.ts";

const STATIC = '[facet]\nid = "docs"\nkind = "static"\n\n[route]\nmethod = "GET"\npath = "/docs"\n';

Deno.test("validateManifest() returns the parsed manifest when valid", () => {
  const r = validateManifest(STATIC);
  assert.ok(r.ok);
  assert.equal(r.manifest.facet.kind, "static");
  assert.equal(
    r.manifest.facet.security,
    undefined,
    "missing [facet.security] stays missing (= requires auth)",
  );
});

Deno.test("validateManifest() reports every violation, sorted by path then code", () => {
  const toml = '[facet]\nid = "p"\nkind = "proxy"\n[facet.security]\npublic = true\n' +
    '[route]\nmethod = "GET"\npath = "/a/../b"\n[upstream]\nhost = "*"\n';
  const r = validateManifest(toml);
  assert.deepEqual(r, {
    ok: false,
    violations: [
      { code: "implicit_public", path: "facet.security.requires_auth" },
      { code: "path_escape", path: "route.path" },
      { code: "open_proxy", path: "upstream.host" },
      { code: "proxy_no_upstream", path: "upstream.port" },
      { code: "proxy_no_upstream", path: "upstream.protocol" },
    ],
  });
});

Deno.test("validateManifest() never throws and only returns known codes (fast-check, seed 42)", () => {
  const line = fc.oneof(
    fc.constantFrom(
      "[facet]",
      "[route]",
      "[upstream]",
      "[facet.security]",
      'kind = "proxy"',
      'host = "*"',
      "public = true",
      'path = "/x/.."',
      "port = 0",
    ),
    fc.string(),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
      const r = validateManifest(STATIC + lines.join("\n"));
      if (!r.ok) {
        assert.ok(r.violations.length > 0);
        for (const v of r.violations) assert.ok(VIOLATION_CODES.includes(v.code));
      }
    }),
    { seed: 42, numRuns: 300 },
  );
});
