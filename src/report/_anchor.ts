/**
 * The anchor of a check's heading in `docs/CHECKS.md`, as GitHub (and most Markdown renderers) slug
 * a heading: lower case, punctuation other than `-` and `_` removed, spaces as `-`. The catalogue
 * writes each check as a heading holding only its id in backticks (`#### \`sdk.retry.bounded\``),
 * so the anchor is the id without its dots: `sdkretrybounded`. `cli/report_schema_test.ts` proves
 * every check's anchor names exactly one heading of the generated catalogue.
 *
 * @module
 */

/**
 * The GitHub slug of a Markdown heading's text.
 *
 * @param heading the heading text (without the leading `#`s)
 * @returns the anchor, without `#`
 */
export function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, "").replace(/\s/g, "-");
}

/**
 * The anchor of a check's heading in `docs/CHECKS.md`.
 *
 * @param id the check id
 * @returns the anchor, without `#`
 */
export function checkAnchor(id: string): string {
  return slug(`\`${id}\``);
}
