/**
 * The frame of report.html (internal): its style, its one script (the re-run command's copy
 * button) and the Content-Security-Policy that allows exactly those two by their SHA-256 hashes and
 * nothing else (`default-src 'none'`: no network, no other script, no style attribute).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { CSS } from "./_text.ts";

/** The evidence page's own styling, after the shared {@linkcode CSS}. */
const PAGE_CSS = `
.head{display:flex;gap:2rem;align-items:flex-start;flex-wrap:wrap}.head>div{flex:1 1 340px}
.tag{display:inline-block;min-width:3.2rem}.lvl{font-size:11px;border:1px solid #ccc;border-radius:3px;padding:0 .25rem}
details.check-fail{border-left:4px solid #cf222e}details.check-error{border-left:4px solid #9a6700}
details.check-pass{border-left:4px solid #1a7f37}details.check-not_applicable{border-left:4px solid #afb8c1}
.why{color:#57606a}details.reqs{border:none;padding:0;margin:.4rem 0}details.reqs>summary{font-weight:600}.meta{color:#57606a;font-size:12px}
.rerun{display:flex;gap:.5rem;align-items:flex-start}.rerun pre{flex:1;margin:0}
button.copy{font:12px system-ui,sans-serif;padding:.3rem .7rem;border:1px solid #d0d7de;border-radius:6px;background:#f6f8fa;cursor:pointer}
mark.leak{background:#ffd8d3;color:#82071e;font-weight:700;padding:0 .15rem;border-radius:3px}
.tl-summary{margin:.4rem 0 .1rem}svg.timeline{display:block;max-width:100%;height:auto;background:#fbfbfc;border:1px solid #eee;border-radius:4px}
.tl-axis{stroke:#8c959f;stroke-width:1.5}.tl-attempt{fill:#0969da}.tl-over{fill:#cf222e}
.tl-bound{stroke:#cf222e;stroke-width:1.5;stroke-dasharray:5 3}.tl-call{stroke:#8c959f;stroke-dasharray:2 2}.tl-end{stroke:#1b1f23;stroke-width:1.5}
.tl-bound-text{fill:#cf222e;font:11px system-ui,sans-serif}.tl-call-text,.tl-end-text{fill:#57606a;font:11px system-ui,sans-serif}
.tl-wait{fill:#57606a;font:10px system-ui,sans-serif;paint-order:stroke;stroke:#fbfbfc;stroke-width:3px}.tl-tick{fill:#8c959f;font:10px system-ui,sans-serif}
.cov th{font-weight:400;background:none;border:none;padding:.1rem .5rem .1rem 0}.cov td{border:none;padding:.1rem .4rem;font-size:12px}
.cov-bg{fill:#eaeef2}.cov-judged{fill:#1a7f37}.cov-error{fill:#bf8700}.cov-na{fill:#afb8c1}
.cov-missing{font-size:11px;color:#9a6700}.legend{font-size:12px;color:#57606a}
.key::before{content:"";display:inline-block;width:.8rem;height:.8rem;margin-right:.25rem;vertical-align:-1px;border-radius:2px}
.cov-judged-key::before{background:#1a7f37}.cov-error-key::before{background:#bf8700}.cov-na-key::before{background:#afb8c1}
`;

/** The page's style sheet. */
export const PAGE_STYLE: string = CSS + PAGE_CSS;

/**
 * The page's one script: a click on a "Copy" button copies the command in the `<code>` beside it
 * (the text as shown, so escapes stay visible); without clipboard access it selects the command.
 */
export const PAGE_SCRIPT: string = `
function ronSelect(el) {
  var range = document.createRange();
  range.selectNodeContents(el);
  var sel = window.getSelection();
  if (sel) { sel.removeAllRanges(); sel.addRange(range); }
}
document.addEventListener("click", function (e) {
  var b = e.target instanceof Element ? e.target.closest("button.copy") : null;
  var code = b && b.parentElement ? b.parentElement.querySelector("code") : null;
  if (!b || !code) return;
  var failed = function () { ronSelect(code); b.textContent = "Selected: press Ctrl+C"; };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(code.textContent || "").then(function () { b.textContent = "Copied"; }, failed);
  } else {
    failed();
  }
});
`;

/**
 * The CSP source of an inline element's text: `'sha256-<base64>'`.
 *
 * @param text the element's exact text
 * @returns the hash source
 * @example
 * ```ts
 * import { cspHash } from "./_html_page.ts";
 * if (cspHash("") !== "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='") throw new Error(cspHash(""));
 * ```
 */
export function cspHash(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/** The page's Content-Security-Policy: its style and script by hash, nothing else, no network. */
export const PAGE_CSP: string = [
  "default-src 'none'",
  `style-src ${cspHash(PAGE_STYLE)}`,
  `script-src ${cspHash(PAGE_SCRIPT)}`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");
