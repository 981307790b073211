import assert from "node:assert/strict";
import {
  FIXTURE_KINDS,
  FIXTURES_DIR,
  isLegalHeaderValue,
  isSensitiveHeaderName,
  loadFixtures,
} from "./fixture.ts";
import type { ProblemOutcome } from "./fixture.ts";
import { parseProblem, PROBLEM_PARSE_MESSAGES, problemToSdkError } from "./problem.ts";
import type { SdkError } from "./protocol.ts";
import { canonicalJson, decodeDto, encodeDto } from "./dto.ts";
import { validateManifest } from "./manifest.ts";
import { parseSecretUri } from "./secret_uri.ts";

/** Minimum case counts per group (issue "Foundation", item 3). */
const MINIMUM: Record<string, number> = { problem: 40, dto: 15, manifest: 25, secret_uri: 50, headers: 20 };

function short(s: string): string {
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
}

function matches(e: SdkError, o: ProblemOutcome, body: string): boolean {
  switch (o.type) {
    case "problem":
      try {
        assert.deepEqual(
          {
            type: e.type,
            code: e.code,
            kind: e.kind,
            message: e.message,
            cid: e.correlation_id,
            d: e.details,
          },
          {
            type: o.type,
            code: o.code,
            kind: o.kind,
            message: o.message,
            cid: o.correlation_id,
            d: o.details,
          },
        );
        return true;
      } catch {
        return false;
      }
    case "transport":
      if (e.type !== "transport") return false;
      if (body.trim().length >= 8 && (e.message ?? "").includes(body.trim())) return false;
      return o.reason === undefined ||
        e.message === PROBLEM_PARSE_MESSAGES[o.reason as keyof typeof PROBLEM_PARSE_MESSAGES];
    case "network":
      return e.type === "network";
    default: {
      const _x: never = o;
      return _x;
    }
  }
}

Deno.test("fixtures/index.json lists exactly the files of each owned group", async () => {
  const index = JSON.parse(await Deno.readTextFile(new URL("index.json", FIXTURES_DIR))) as {
    groups: Record<string, string[]>;
  };
  for (const kind of FIXTURE_KINDS) {
    const names: string[] = [];
    for await (const e of Deno.readDir(new URL(`${kind}/`, FIXTURES_DIR))) {
      if (e.isFile && e.name.endsWith(".json")) names.push(e.name);
    }
    assert.deepEqual([...(index.groups[kind] ?? [])].sort(), names.sort(), `index.json group ${kind}`);
  }
  for (const [group, files] of Object.entries(index.groups)) {
    for (const f of files) {
      const st = await Deno.stat(new URL(`${group}/${f}`, FIXTURES_DIR));
      assert.ok(st.isFile, `${group}/${f} listed in index.json exists`);
    }
  }
});

Deno.test("every fixture group meets its minimum case count", async () => {
  for (const kind of FIXTURE_KINDS) {
    const groups = await loadFixtures(kind);
    const n = groups.reduce((a, g) => a + g.cases.length, 0);
    assert.ok(n >= (MINIMUM[kind] ?? 1), `${kind}: ${n} cases, need >= ${MINIMUM[kind]}`);
  }
});

Deno.test("problem fixtures: parseProblem + problemToSdkError give an allowed outcome", async (t) => {
  for (const g of await loadFixtures("problem")) {
    for (const c of g.cases) {
      await t.step(`${g.file.split("/").pop()}: ${c.description}`, () => {
        const { status, content_type, body } = c.input;
        const e = problemToSdkError(parseProblem({ status, contentType: content_type, body }), status);
        assert.equal(e.status, status);
        assert.ok(
          c.expected.outcomes.some((o) => matches(e, o, body)),
          `got ${short(JSON.stringify(e))}, allowed ${short(JSON.stringify(c.expected.outcomes))}`,
        );
      });
    }
  }
});

Deno.test("dto fixtures: decode + encode give the canonical JSON or the error", async (t) => {
  for (const g of await loadFixtures("dto")) {
    for (const c of g.cases) {
      await t.step(`${g.file.split("/").pop()}: ${c.description}`, () => {
        const r = decodeDto(c.input.type, c.input.json);
        if ("canonical" in c.expected) {
          assert.ok(r.ok, `decode failed: ${JSON.stringify(r)}`);
          assert.equal(canonicalJson(encodeDto(c.input.type, r.value)), c.expected.canonical);
          assert.equal(JSON.stringify(encodeDto(c.input.type, r.value)), c.expected.canonical);
        } else {
          assert.ok(!r.ok, "decode should fail");
          assert.equal(r.error.code, c.expected.error);
        }
      });
    }
  }
});

Deno.test("manifest fixtures: validateManifest gives the expected verdict", async (t) => {
  for (const g of await loadFixtures("manifest")) {
    for (const c of g.cases) {
      await t.step(`${g.file.split("/").pop()}: ${c.description}`, () => {
        const r = validateManifest(c.input.toml);
        if (c.expected.ok) assert.ok(r.ok, `expected valid, got ${JSON.stringify(r)}`);
        else {
          assert.ok(!r.ok, "expected violations");
          const key = (v: { code: string; path: string }) => `${v.code}@${v.path}`;
          assert.deepEqual(r.violations.map(key).sort(), c.expected.violations.map(key).sort());
        }
      });
    }
  }
});

Deno.test("secret_uri fixtures: parseSecretUri gives the canonical string or the error", async (t) => {
  for (const g of await loadFixtures("secret_uri")) {
    for (const c of g.cases) {
      await t.step(`${g.file.split("/").pop()}: ${c.description}`, () => {
        const r = parseSecretUri(c.input.pointer, c.input.tenant_id, c.input.allowed_mounts);
        if ("canonical" in c.expected) {
          assert.ok(r.ok, `expected ${c.expected.canonical}, got ${JSON.stringify(r)}`);
          assert.equal(r.canonical, c.expected.canonical);
          // canonical form is a fixed point
          const again = parseSecretUri(r.canonical, c.input.tenant_id, c.input.allowed_mounts);
          assert.ok(again.ok && again.canonical === r.canonical, "canonical form re-parses to itself");
        } else {
          assert.ok(!r.ok, `expected ${c.expected.error}, got ${JSON.stringify(r)}`);
          assert.equal(r.error.code, c.expected.error);
        }
      });
    }
  }
});

Deno.test("headers fixtures: redaction and legality", async (t) => {
  for (const g of await loadFixtures("headers")) {
    for (const c of g.cases) {
      await t.step(`${g.file.split("/").pop()}: ${c.description}`, () => {
        const { input, expected } = c;
        if ("name" in input) {
          assert.ok("redact" in expected, "a name case expects redact");
          const got = isSensitiveHeaderName(input.name);
          if (expected.redact === "must") assert.equal(got, true);
          if (expected.redact === "must_not") assert.equal(got, false);
        } else {
          assert.ok("legal" in expected, "a value case expects legal");
          assert.equal(isLegalHeaderValue(input.value), expected.legal);
        }
      });
    }
  }
});
