/**
 * `sdk.manifest.*` — facet-manifest validation against the shared fixtures (seed 000 §10.3).
 *
 * @module
 */
import { defineCheck } from "../../src/engine/registry.ts";
import type { SdkContext } from "../../src/engine/sdk_context.ts";
import { type Check, verdict } from "../../src/engine/types.ts";
import { loadFixtures } from "../../src/schema/fixture.ts";
import { CALL_MS, callFault } from "./_helpers.ts";
import { judged } from "./_judge.ts";

const manifestGolden = defineCheck<SdkContext>({
  id: "sdk.manifest.golden",
  title: "Every facet-manifest fixture gets its expected verdict",
  level: "MUST",
  source: "000 §10.3 Facet manifest security",
  rationale:
    "A facet manifest decides what a service exposes and who may call it. An SDK that accepts an unsafe one (a route made public by accident, a path escaping its root, an open proxy) ships that hole straight into a deployment.",
  requires: ["manifest"],
  mutants: ["manifest-lenient"],
  run: (ctx) =>
    judged(ctx, undefined, async () => {
      const session = await ctx.startDriver();
      const groups = await loadFixtures("manifest");
      let n = 0;
      const codeNotes: string[] = [];
      for (const g of groups) {
        for (const c of g.cases) {
          const name = `${g.file.split("/").at(-1)}: ${c.description}`;
          const r = await session.call("validate_manifest", { toml: c.input.toml }, CALL_MS);
          if (r.kind === "no_reply" || r.kind === "driver_fault") {
            return callFault("validate_manifest", r, { session });
          }
          const accepted = r.kind === "ok";
          if (accepted !== c.expected.ok) {
            return verdict.fail(
              `manifest fixture "${name}" must be ${c.expected.ok ? "accepted" : "rejected"}; the SDK ${
                accepted ? "accepted" : "rejected"
              } it`,
              { reply: r.kind === "ok" ? r.result : r.error },
            );
          }
          if (!c.expected.ok && r.kind === "sdk_error") {
            const got = JSON.stringify(r.error.details?.["violations"] ?? []);
            const want = c.expected.violations.map((v) => v.code);
            if (!want.every((code) => got.includes(code))) {
              codeNotes.push(`${name}: expected codes ${want.join(",")}`);
            }
          }
          n++;
        }
      }
      return verdict.pass({
        notes: [
          `${n} manifest fixtures gave their expected verdict`,
          ...codeNotes.slice(0, 5).map((x) => `(codes differ) ${x}`),
        ],
      });
    }),
});

/** The `sdk.manifest.*` checks, in file order. */
export const checks: readonly Check<SdkContext>[] = [manifestGolden];
