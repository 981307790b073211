/**
 * badge.svg: a small, self-contained badge (no fonts, links or scripts to fetch) showing the
 * profile, the certification level and how many checks passed, e.g. `ron sdk | hardened · 65/69`.
 * Widths are estimated from the text length (no font metrics), every text is XML-escaped.
 *
 * @module
 */
import type { Report } from "../schema/report.ts";
import { escXml } from "./escape.ts";

const COLOURS: Record<Report["summary"]["certification"], string> = {
  "god-tier": "#6f42c1",
  hardened: "#2e7d32",
  "beta-ready": "#1565c0",
  none: "#c62828",
};

/** An estimate of a text's width in px at 11px Verdana-like fonts (no metrics: 7px a character). */
function width(text: string): number {
  return 10 + 7 * [...text].length;
}

/**
 * Render a report's badge as SVG text.
 *
 * @param report a (masked) report
 * @returns the SVG document
 * @example
 * ```ts
 * import { renderBadge } from "./badge.ts";
 * const svg = renderBadge({
 *   schema: "https://ron-kit.dev/report/v1", kit: { name: "k", version: "0.1.0" }, profile: "sdk",
 *   target: { name: "x", version: "1", language: "ts", capabilities: [] }, results: [],
 *   summary: { pass: 3, fail: 1, not_applicable: 0, error: 0, certification: "beta-ready" },
 *   run: { seed: 1, started_at: "1970-01-01T00:00:00.000Z", duration_ms: 5, command: "deno task certify" },
 * });
 * if (!svg.includes("beta-ready · 3/4 passed")) throw new Error(svg);
 * ```
 */
export function renderBadge(report: Report): string {
  const s = report.summary;
  const judged = s.pass + s.fail + s.error;
  const left = `ron ${report.profile}`;
  const right = `${s.certification} · ${s.pass}/${judged} passed`;
  const lw = width(left);
  const rw = width(right);
  const w = lw + rw;
  const label = `${left}: ${right}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${
      escXml(label)
    }">`,
    `  <title>${escXml(label)}</title>`,
    `  <rect width="${lw}" height="20" fill="#555"/>`,
    `  <rect x="${lw}" width="${rw}" height="20" fill="${COLOURS[s.certification]}"/>`,
    `  <g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11" text-anchor="middle">`,
    `    <text x="${lw / 2}" y="14">${escXml(left)}</text>`,
    `    <text x="${lw + rw / 2}" y="14">${escXml(right)}</text>`,
    `  </g>`,
    `</svg>`,
    ``,
  ].join("\n");
}
