/**
 * Shared styling of the HTML renderers (internal). Escaping is in `escape.ts`.
 *
 * @module
 */

/** Shared CSS of the HTML reports (inline, no external resources). */
export const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1b1f23}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}code,pre{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace}
pre{background:#f6f8fa;padding:.5rem;overflow:auto;white-space:pre-wrap;word-break:break-all}
.pass{color:#1a7f37}.fail{color:#cf222e;font-weight:600}.error{color:#9a6700;font-weight:600}.not_applicable{color:#6e7781}
.badge{display:inline-block;padding:.15rem .6rem;border-radius:1rem;background:#eee;font-weight:600}
.god-tier{background:#ddf4ff}.hardened{background:#dafbe1}.beta-ready{background:#fff8c5}.none{background:#ffebe9}
details{margin:.6rem 0;border:1px solid #ddd;border-radius:6px;padding:.4rem .8rem}summary{cursor:pointer}
`;
