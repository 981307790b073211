/**
 * The repository's shape, as tests: layers that match folders (imports only go downwards), a
 * check id that leads to its file in one hop, every profile's task in deno.json, and nothing that
 * points outside the repository.
 */
import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import { PROFILES } from "./profiles.ts";

const ROOT = new URL("../", import.meta.url);

/** Layers, lowest first: a file may import its own layer or a lower one. */
const LAYERS: readonly (readonly string[])[] = [
  ["src/schema/", "src/util/", "deno.json", "fixtures/"],
  ["src/mock/", "src/driver/", "src/client/", "src/tls/", "src/secrets/"],
  ["src/engine/", "src/report/"],
  ["conformance/", "chaos/"],
  ["cli/", "mod.ts", "testing.ts", "bench/", "field/"],
];

function layerOf(path: string): number {
  const i = LAYERS.findIndex((prefixes) => prefixes.some((p) => path === p || path.startsWith(p)));
  if (i < 0) throw new Error(`${path} is in no layer: add its folder to LAYERS`);
  return i;
}

async function* sources(dir: URL, rel = ""): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    if (
      e.name.startsWith(".") || e.name === "node_modules" || e.name === "reports" || e.name === "ci-reports"
    ) continue;
    const path = `${rel}${e.name}`;
    if (e.isDirectory) yield* sources(new URL(`${e.name}/`, dir), `${path}/`);
    else if (e.isFile && e.name.endsWith(".ts")) yield path;
  }
}

function resolve(from: string, spec: string): string {
  const url = new URL(spec, new URL(from, "file:///r/"));
  return url.pathname.slice("/r/".length);
}

Deno.test("imports only go downwards: schema/util → mock/driver/client → engine/report → profiles → cli", async () => {
  const violations: string[] = [];
  let edges = 0;
  for await (const file of sources(ROOT)) {
    const text = await Deno.readTextFile(new URL(file, ROOT));
    const specs = [
      ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"/gm),
      ...text.matchAll(/\bimport\(\s*"(\.[^"]+)"\s*\)/g),
      ...text.matchAll(/^\s*import\s+"(\.[^"]+)"/gm),
    ].map((m) => m[1] ?? "");
    for (const spec of specs) {
      const target = resolve(file, spec);
      edges++;
      if (layerOf(target) > layerOf(file)) violations.push(`${file} imports ${target}`);
    }
  }
  assert.ok(edges > 300, `read only ${edges} imports: is the scan broken?`);
  assert.deepEqual(violations, []);
});

Deno.test("a check id leads to its file in one hop: each area file's one list holds exactly its checks", async () => {
  for (const p of PROFILES) {
    const areas = [...new Set(p.checks.map((c) => c.area))];
    for (const area of areas) {
      const file = `${p.home}/${area}.ts`;
      const mod: Record<string, unknown> = await import(new URL(file, ROOT).href);
      const list = mod["checks"];
      assert.ok(Array.isArray(list), `${file} must end with \`export const checks = [...]\``);
      const ids = list.map((c: { id: string }) => c.id).sort();
      const want = p.checks.filter((c) => c.area === area).map((c) => c.id).sort();
      assert.deepEqual(ids, want, `${file}: its list and the ids naming area "${area}"`);
    }
  }
});

Deno.test("every profile's task is a deno task that runs the one pipeline", () => {
  const tasks: Record<string, string> = denoJson.tasks;
  for (const p of PROFILES) {
    const cmd = tasks[p.task];
    assert.ok(cmd, `deno.json has no task "${p.task}" for profile ${p.name}`);
    assert.ok(cmd.includes(`cli/main.ts ${p.task}`) && cmd.includes("--no-prompt"), cmd);
  }
});

Deno.test("no file points outside the repository (a user's clone has nothing beside it)", async () => {
  const bad: string[] = [];
  const walk = async (dir: URL, rel: string) => {
    for await (const e of Deno.readDir(dir)) {
      if ([".git", "node_modules", "reports", "ci-reports"].includes(e.name)) continue;
      const path = `${rel}${e.name}`;
      if (e.isDirectory) await walk(new URL(`${e.name}/`, dir), `${path}/`);
      else if (e.isFile && /\.(ts|md|py|go|toml|json|txt)$|^run$/.test(e.name)) {
        const text = await Deno.readTextFile(new URL(path, ROOT));
        const lines = text.split("\n");
        lines.forEach((l, i) => {
          if (/\.\.\/shared\/|\bshared\/(seeds|CHECKS|DESIGN|STYLE)/.test(l)) {
            bad.push(`${path}:${i + 1}: ${l.trim()}`);
          }
        });
      }
    }
  };
  await walk(ROOT, "");
  assert.deepEqual(bad, []);
});
