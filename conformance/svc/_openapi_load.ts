/**
 * Reading an OpenAPI document, bounded: a file (a regular file of at most 5 MiB, read in time) or
 * an http(s) URL on the target's own origin (no redirect followed, at most 5 MiB, in time); JSON
 * only; nested at most {@linkcode MAX_SPEC_DEPTH} levels and at most {@linkcode MAX_SPEC_NODES}
 * values. The document is untrusted input: nothing here fetches anything it names. Used by
 * `openapi.ts`.
 *
 * @module
 */
import { errorMessage } from "../../src/util/error_message.ts";
import { readBounded, ReadBoundedError } from "../../src/util/read_bounded.ts";
import { fetchBoundedText, TargetError } from "./_target_read.ts";

/** The most bytes of an OpenAPI document the kit reads. */
export const MAX_SPEC_BYTES = 5 * 1024 * 1024;
/** The deepest nesting of arrays and objects the kit accepts in a document. */
export const MAX_SPEC_DEPTH = 64;
/** The most values (objects, arrays, scalars) the kit accepts in a document. */
export const MAX_SPEC_NODES = 500_000;

const FIELD = "--openapi";

/**
 * Refuse a parsed JSON value nested deeper than `maxDepth` or holding more than `maxNodes` values
 * (iterative: a hostile document cannot exhaust the stack).
 *
 * @param v the parsed value
 * @param maxDepth the deepest nesting allowed
 * @param maxNodes the most values allowed
 * @returns undefined when within bounds, else what is wrong
 * @example
 * ```ts
 * import { shapeProblem } from "./_openapi_load.ts";
 * if (shapeProblem({ a: [1, 2] }, 4, 10) !== undefined) throw new Error();
 * if (shapeProblem([[[[1]]]], 2, 10) === undefined) throw new Error();
 * ```
 */
export function shapeProblem(v: unknown, maxDepth: number, maxNodes: number): string | undefined {
  const stack: [unknown, number][] = [[v, 0]];
  let nodes = 0;
  while (stack.length > 0) {
    const [x, d] = stack.pop() as [unknown, number];
    if (++nodes > maxNodes) return `more than ${maxNodes} values`;
    if (x === null || typeof x !== "object") continue;
    if (d >= maxDepth) return `nested deeper than ${maxDepth} levels`;
    for (const c of Array.isArray(x) ? x : Object.values(x)) stack.push([c, d + 1]);
  }
  return undefined;
}

/**
 * Parse a document's text: JSON only (YAML is refused with a hint), bounded in depth and size.
 *
 * @param text the document
 * @param where its file or URL, for errors
 * @returns the parsed value (not yet validated)
 * @throws TargetError (field `--openapi`)
 */
export function parseSpecText(text: string, where: string): unknown {
  if (!/^\s*[{[]/.test(text)) {
    throw new TargetError(FIELD, `${where} is not a JSON document (YAML is not read: convert it to JSON)`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new TargetError(FIELD, `${where} is not valid JSON: ${errorMessage(e).slice(0, 200)}`);
  }
  const p = shapeProblem(v, MAX_SPEC_DEPTH, MAX_SPEC_NODES);
  if (p !== undefined) throw new TargetError(FIELD, `${where} is refused: ${p}`);
  return v;
}

/** Where a document comes from, and how far the kit may go to get it. */
export interface SpecSource {
  /** a file path, or an http(s) URL */
  source: string;
  /** the target's base URL: a URL source must be on its origin */
  baseUrl?: URL;
  /** a CA to trust for an https URL */
  caCertPem?: string;
  /** @default 10000 */
  timeoutMs?: number;
  /** @default MAX_SPEC_BYTES */
  maxBytes?: number;
}

/**
 * Read an OpenAPI document from a file or from a URL on the target's origin, bounded.
 *
 * @param s the source and its bounds
 * @returns the parsed document (not yet validated)
 * @throws TargetError (field `--openapi`) naming what is wrong
 */
export async function readSpec(s: SpecSource): Promise<unknown> {
  const timeoutMs = s.timeoutMs ?? 10_000;
  const maxBytes = s.maxBytes ?? MAX_SPEC_BYTES;
  if (!/^https?:\/\//i.test(s.source)) {
    try {
      return parseSpecText(await readBounded(s.source, { field: FIELD, maxBytes, timeoutMs }), s.source);
    } catch (e) {
      if (e instanceof TargetError) throw e;
      if (e instanceof ReadBoundedError) throw new TargetError(FIELD, e.detail);
      throw new TargetError(FIELD, `cannot read ${s.source}: ${errorMessage(e)}`);
    }
  }
  if (!URL.canParse(s.source)) throw new TargetError(FIELD, `not a URL: ${s.source}`);
  const u = new URL(s.source);
  if (s.baseUrl === undefined || u.origin !== s.baseUrl.origin) {
    throw new TargetError(
      FIELD,
      `${u.origin} is not the target's origin${
        s.baseUrl ? ` ${s.baseUrl.origin}` : ""
      }: the kit fetches a document only from the server it certifies (else give a file)`,
    );
  }
  const text = await fetchBoundedText(u, {
    field: FIELD,
    timeoutMs,
    maxBytes,
    caCertPem: s.caCertPem,
    servedHere: "the document must be served at this URL",
  });
  return parseSpecText(text, u.href);
}
