/**
 * The canary matcher (internal to `canary.ts`): find every span (the fast scanner of
 * `_canary_fast.ts`; `_canary_simple.ts` is the reference it is tested against), masking and
 * excerpts. What is searched (see `_canary_compile.ts`):
 * - view 0, the text as it is: URL-encoded and base64 forms (case matters in base64);
 * - view 1, the text ASCII-lowercased with separators removed (whitespace, C0/C1 controls, NUL,
 *   zero-width and bidi format characters, `-`, `:`, `%`): the raw token, its 12-character runs and
 *   the hex of its UTF-8 bytes (and 24-hex-digit runs of it). So `RONC_…`, `r o n c _ …`, a token
 *   split by zero-width spaces, UTF-16 text (NUL between characters), `72:6f:6e…`, `72 6F 6E …`
 *   and `%72%6F…` are all found.
 *
 * @module
 */
import type { LeakFinding } from "../schema/evidence.ts";
import type { CanaryForm, CanarySpan } from "./_canary_compile.ts";
import { findSpansFast } from "./_canary_fast.ts";

export type { CanaryForm, CanarySpan };

/**
 * Find every canary span in `text`: non-overlapping, leftmost first, longest at each position;
 * a run (fragment, hex run) is extended over as much of the canary as surrounds it, so a
 * truncated canary is masked whole.
 *
 * @param text the text to scan
 * @param canaries the canaries to look for
 * @returns the spans, by index
 */
export function findSpans(text: string, canaries: readonly string[]): CanarySpan[] {
  return findSpansFast(text, canaries);
}

/** What a masked canary is replaced with. */
export const MASK = "<canary>";

/**
 * Render `text[from, to)` with every span inside replaced by the mask (spans must not cross the ends).
 *
 * @param text the text
 * @param spans its spans, by index
 * @param from start
 * @param to end
 * @returns the masked slice
 */
export function maskSpans(text: string, spans: readonly CanarySpan[], from: number, to: number): string {
  let out = "";
  let at = from;
  for (const s of spans) {
    if (s.end <= from || s.index >= to) continue;
    out += text.slice(at, s.index) + MASK;
    at = s.end;
  }
  return out + text.slice(at, to);
}

/** Characters of context on each side of a match in an excerpt. */
const EXCERPT_CONTEXT = 60;

/** A leak finding and the canary it is about. */
export interface TaggedFinding {
  /** the canary found (never print it) */
  canary: string;
  finding: LeakFinding;
}

/**
 * Leak findings with masked excerpts, each tagged with its canary.
 *
 * @param text the scanned text
 * @param canaries the canaries to look for
 * @param where where the text came from
 * @param max at most this many findings
 * @returns the tagged findings
 */
export function taggedFindings(
  text: string,
  canaries: readonly string[],
  where: string,
  max: number,
): TaggedFinding[] {
  const spans = findSpans(text, canaries);
  const out: TaggedFinding[] = [];
  for (const s of spans.slice(0, max)) {
    let from = Math.max(0, s.index - EXCERPT_CONTEXT);
    let to = Math.min(text.length, s.end + EXCERPT_CONTEXT);
    // never cut through another span
    for (const o of spans) {
      if (o.index < from && o.end > from) from = o.index;
      if (o.index < to && o.end > to) to = o.end;
    }
    const excerpt = (from > 0 ? "…" : "") + maskSpans(text, spans, from, to) + (to < text.length ? "…" : "");
    out.push({
      canary: s.canary,
      finding: { where, form: s.form, excerpt: excerpt.replace(/[\r\n]+/g, " ⏎ ") },
    });
  }
  return out;
}
