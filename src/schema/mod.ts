/**
 * The kit's data types, each defined once as a zod schema with its TypeScript type inferred: the
 * driver protocol, Problem envelopes, DTOs, facet manifests, secret URIs, mock-server scenarios,
 * evidence and report.json. Every exported schema also carries its zod type written out (JSR's
 * "no slow types"), and a compile-time check proves that written type identical to the schema's own.
 *
 * ```ts
 * import { ProblemSchema } from "./mod.ts";
 * const p = ProblemSchema.safeParse({ code: "x", kind: "k", message: "m", correlation_id: "c", details: {} });
 * if (!p.success) throw new Error();
 * ```
 *
 * @module
 */
export * from "./protocol.ts";
export * from "./problem.ts";
export * from "./dto.ts";
export * from "./manifest.ts";
export * from "./secret_uri.ts";
export * from "./scenario.ts";
export * from "./evidence.ts";
export * from "./report.ts";
export { loadFixtureGroup, loadFixtures } from "./fixture.ts";
