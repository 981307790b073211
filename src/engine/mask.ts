/**
 * Canary masking for whole result trees: every string (and every object key), at any depth,
 * goes through `maskCanaries`, so reports print `<canary>` and never a secret.
 *
 * @module
 */
import { maskCanaries } from "../driver/canary.ts";

/**
 * Apply a string masker to every string and object key in a JSON-like tree. Returns a copy;
 * the input is not changed. Cycles are cut (a repeated object becomes `"[cycle]"`).
 *
 * @param value any JSON-like value
 * @param mask the function applied to each string
 * @returns the masked copy
 * @example
 * ```ts
 * import { maskDeep } from "./mask.ts";
 * const out = maskDeep({ a: ["xSECRETx"], SECRET: 1 }, (s) => s.replaceAll("SECRET", "<canary>"));
 * if (JSON.stringify(out) !== '{"a":["x<canary>x"],"<canary>":1}') throw new Error(JSON.stringify(out));
 * ```
 */
export function maskDeep<T>(value: T, mask: (s: string) => string): T {
  const seen = new WeakSet<object>();
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return mask(v);
    if (v === null || typeof v !== "object") return v;
    if (seen.has(v)) return "[cycle]";
    seen.add(v);
    try {
      if (Array.isArray(v)) return v.map(walk);
      if (v instanceof Error) return { name: mask(v.name), message: mask(v.message) };
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) out[mask(k)] = walk(inner);
      return out;
    } finally {
      seen.delete(v);
    }
  };
  // The walk preserves the shape of JSON-like values (strings stay strings, arrays stay arrays).
  return walk(value) as T;
}

/**
 * Mask every canary (raw, URL-encoded, base64, 12-character fragments) in a whole tree.
 *
 * @param value a result, a report or any JSON-like value
 * @param canaries the run's canaries
 * @returns the masked copy
 * @example
 * ```ts
 * import { maskTree } from "./mask.ts";
 * const c = "ronc_" + "0123456789abcdef".repeat(2);
 * const out = maskTree({ notes: [`token=${c}`] }, [c]);
 * if (JSON.stringify(out).includes(c)) throw new Error("leaked");
 * ```
 */
export function maskTree<T>(value: T, canaries: readonly string[]): T {
  if (canaries.length === 0) return value;
  return maskDeep(value, (s) => maskCanaries(s, canaries));
}

/**
 * Whether a text still contains any canary verbatim (a last guard before writing a report).
 *
 * @param text the text to scan
 * @param canaries the run's canaries
 * @returns the first canary found, or undefined
 * @example
 * ```ts
 * import { findRawCanary } from "./mask.ts";
 * if (findRawCanary("nothing here", ["ronc_x"]) !== undefined) throw new Error();
 * ```
 */
export function findRawCanary(text: string, canaries: readonly string[]): string | undefined {
  return canaries.find((c) => c.length > 0 && text.includes(c));
}
