/**
 * The reference server's own OpenAPI 3.1 document, served at `GET /openapi.json` (public, like
 * `/health`). It describes the correct server (every mutant serves the same document: a spec says
 * what a server should do). `certify:server --openapi /openapi.json` derives the reference's
 * target from it (docs/openapi.md), which must give the same verdicts as the target the server
 * returns (`conformance/svc/openapi_e2e_test.ts`).
 *
 * Kit extensions used: `x-rate-limit: { limit, window_s }` on the rate-limited operation, and
 * `x-admin-claims` on the security scheme (the claims that make a token an administrator's; an
 * operation is admin-only when every security alternative asks for the `admin` scope).
 *
 * @module
 */

/** What the document states about the running server. */
export interface ReferenceOpenApiOptions {
  /** requests per window on POST /optimize */
  rateLimit: number;
  /** the rate-limit window in seconds */
  windowS: number;
}

const json = (schema: unknown, example?: unknown) => ({
  content: { "application/json": example === undefined ? { schema } : { schema, example } },
});
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({ description, ...json(ref("Problem")) });
const sse = {
  description: "a stream of tick events",
  content: { "text/event-stream": { schema: { type: "string" } } },
};
const errors = {
  "401": { $ref: "#/components/responses/Unauthorized" },
  "404": problem("no such route or item"),
};

/**
 * The reference server's OpenAPI document.
 *
 * @param o the rate limit it enforces
 * @returns the document (a fresh JSON object)
 * @example
 * ```ts
 * import { referenceOpenApi } from "./openapi.ts";
 * const doc = referenceOpenApi({ rateLimit: 10, windowS: 10 });
 * if (doc["openapi"] !== "3.1.0") throw new Error();
 * ```
 */
export function referenceOpenApi(o: ReferenceOpenApiOptions): Record<string, unknown> {
  const idParam = {
    name: "id",
    in: "path",
    required: true,
    schema: { type: "integer", minimum: 1, maximum: 999_999_999 },
    example: 1,
  };
  return {
    openapi: "3.1.0",
    info: { title: "reference-server", version: "0.1.0" },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", "x-admin-claims": { role: "admin" } },
      },
      responses: { Unauthorized: problem("missing or invalid credentials") },
      schemas: {
        ItemIn: {
          type: "object",
          additionalProperties: false,
          required: ["name", "quantity"],
          properties: {
            name: { type: "string", minLength: 1, maxLength: 100, pattern: "^[\\p{L}\\p{N} _.,-]+$" },
            quantity: { type: "integer", minimum: 0, maximum: 1_000_000 },
            tags: { type: "array", maxItems: 10, items: { type: "string", maxLength: 32 } },
          },
        },
        Item: {
          type: "object",
          required: ["id", "name", "quantity", "tags", "owner"],
          properties: {
            id: { type: "integer" },
            name: { type: "string" },
            quantity: { type: "integer" },
            tags: { type: "array", items: { type: "string" } },
            owner: { type: "string" },
          },
        },
        OptimizeIn: {
          type: "object",
          additionalProperties: false,
          required: ["iterations"],
          properties: { iterations: { type: "integer", minimum: 1, maximum: 100 } },
        },
        Problem: {
          type: "object",
          required: ["type", "title", "status"],
          properties: {
            type: { type: "string" },
            title: { type: "string" },
            status: { type: "integer" },
            detail: { type: "string" },
            correlation_id: { type: "string" },
          },
        },
      },
    },
    paths: {
      "/health": {
        get: { security: [], responses: { "200": { description: "up", ...json({ type: "object" }) } } },
      },
      "/items": {
        get: {
          parameters: [{ name: "q", in: "query", schema: { type: "string", maxLength: 200 } }],
          responses: { "200": { description: "the caller's items", ...json({ type: "object" }) }, ...errors },
        },
        post: {
          requestBody: { required: true, ...json(ref("ItemIn"), { name: "widget", quantity: 1 }) },
          responses: {
            "201": { description: "created", ...json(ref("Item")) },
            "422": problem("the body does not match the schema"),
            ...errors,
          },
        },
      },
      "/items/{id}": {
        parameters: [idParam],
        get: { responses: { "200": { description: "one item", ...json(ref("Item")) }, ...errors } },
        put: {
          requestBody: { required: true, ...json(ref("ItemIn"), { name: "widget", quantity: 2 }) },
          responses: { "200": { description: "updated", ...json(ref("Item")) }, ...errors },
        },
        patch: {
          requestBody: { required: true, ...json({ type: "object" }, { quantity: 2 }) },
          responses: { "200": { description: "updated", ...json(ref("Item")) }, ...errors },
        },
        delete: { responses: { "204": { description: "deleted" }, ...errors } },
      },
      "/optimize": {
        post: {
          "x-rate-limit": { limit: o.rateLimit, window_s: o.windowS },
          requestBody: { required: true, ...json(ref("OptimizeIn"), { iterations: 1 }) },
          responses: {
            "202": { description: "accepted", ...json({ type: "object" }) },
            "429": problem(`over ${o.rateLimit} requests per ${o.windowS} s`),
            ...errors,
          },
        },
      },
      "/events": { get: { responses: { "200": sse, ...errors } } },
      "/events/live": { get: { responses: { "200": sse, ...errors } } },
      "/admin/users": {
        get: {
          security: [{ bearer: ["admin"] }],
          responses: { "200": { description: "every user", ...json({ type: "object" }) }, ...errors },
        },
      },
    },
  };
}
