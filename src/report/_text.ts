/**
 * Escaping helpers shared by the renderers (internal).
 *
 * @module
 */

/** Escape text for HTML element content and attribute values. */
export function escHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => {
    switch (c) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case '"':
        return "&quot;";
      default:
        return "&#39;";
    }
  });
}

/** Escape text for a Markdown table cell (pipes, newlines) and inline HTML. */
export function escMdCell(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ").replace(/</g, "&lt;");
}

/** Put text in a Markdown code span, whatever backticks it holds. */
export function mdCode(s: string): string {
  const runs = s.match(/`+/g) ?? [];
  const fence = "`".repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = s.startsWith("`") || s.endsWith("`") ? " " : "";
  return `${fence}${pad}${s.replace(/\r?\n/g, " ")}${pad}${fence}`;
}

/** Shared CSS of the HTML reports (inline, no external resources). */
export const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1b1f23}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}code,pre{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace}
pre{background:#f6f8fa;padding:.5rem;overflow:auto;white-space:pre-wrap;word-break:break-all}
.pass{color:#1a7f37}.fail{color:#cf222e;font-weight:600}.error{color:#9a6700;font-weight:600}.not_applicable{color:#6e7781}
.badge{display:inline-block;padding:.15rem .6rem;border-radius:1rem;background:#eee;font-weight:600}
.hardened{background:#dafbe1}.beta-ready{background:#fff8c5}.none{background:#ffebe9}
details{margin:.6rem 0;border:1px solid #ddd;border-radius:6px;padding:.4rem .8rem}summary{cursor:pointer}
`;
