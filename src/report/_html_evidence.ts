/**
 * The evidence of one check in report.html (internal): notes, timings, leaks (the masked canary
 * highlighted), the requests the mock server or probe saw, the driver's reply, the SDK's output and
 * a property run. Every string is cut to {@linkcode MAX_TEXT} characters and every list to
 * {@linkcode MAX_ITEMS} items (saying so), then escaped, so hostile evidence stays inert and the
 * page bounded even for a report that was not built by `buildReport`.
 *
 * @module
 */
import type { Evidence, RecordedRequest } from "../schema/evidence.ts";
import { MASK } from "../driver/canary.ts";
import { escHtml } from "./escape.ts";

/** The most characters of one string the page shows. */
export const MAX_TEXT = 4096;
/** The most items of one list (notes, requests, leaks, lines, timings) the page shows. */
export const MAX_ITEMS = 100;

/**
 * Cut a string to `max` characters, saying how many were cut (not escaped).
 *
 * @param s any text
 * @param max the most characters kept
 * @returns the text, cut
 */
export function clip(s: string, max: number = MAX_TEXT): string {
  return s.length <= max ? s : `${s.slice(0, max)}… ${s.length - max} characters cut`;
}

/**
 * Cut to `max` characters (saying so), then escaped for HTML.
 *
 * @param s any text
 * @param max the most characters kept
 * @returns HTML text
 */
export function esc(s: string, max: number = MAX_TEXT): string {
  return escHtml(clip(s, max));
}

/** At most MAX_ITEMS items, and a line saying how many more there were. */
function some<T>(xs: readonly T[], render: (x: T) => string, more: (n: number) => string): string {
  const shown = xs.slice(0, MAX_ITEMS).map(render).join("");
  return xs.length > MAX_ITEMS ? shown + more(xs.length - MAX_ITEMS) : shown;
}

/**
 * A leak's excerpt, escaped, with every masked canary (`<canary>`) highlighted.
 *
 * @param excerpt the masked excerpt
 * @returns HTML
 * @example
 * ```ts
 * import { highlightLeak } from "./_html_evidence.ts";
 * const h = highlightLeak("Bearer <canary> <b>");
 * if (h !== 'Bearer <mark class="leak">&lt;canary&gt;</mark> &lt;b&gt;') throw new Error(h);
 * ```
 */
export function highlightLeak(excerpt: string): string {
  return clip(excerpt).split(MASK).map((part) => escHtml(part)).join(
    `<mark class="leak">${escHtml(MASK)}</mark>`,
  );
}

function requestsTable(reqs: readonly RecordedRequest[]): string {
  const rows = some(reqs, (q) => {
    const headers = Object.entries(q.headers).slice(0, MAX_ITEMS).map(([k, v]) => `${k}: ${v}`).join("\n");
    const target = q.path + (q.query ? `?${q.query.replace(/^\?/, "")}` : "");
    return `<tr><td>${Number.isFinite(q.t) ? q.t.toFixed(0) : "?"}</td><td>${esc(q.listener, 64)}</td>` +
      `<td>${esc(q.method, 64)}</td><td><code>${esc(target)}</code></td><td><pre>${esc(headers)}</pre></td>` +
      `<td>${Number(q.bodySize)}</td><td>${esc(q.connection, 128)}</td></tr>`;
  }, (n) => `<tr><td colspan="7">… ${n} more requests</td></tr>`);
  const head = `<table><tr><th>t (ms)</th><th>listener</th><th>method</th>` +
    `<th>path</th><th>headers</th><th>body bytes</th><th>connection</th></tr>${rows}</table>`;
  // a few requests are shown; more are folded (the timeline above summarises them)
  return reqs.length <= 3 ? `<h4>Requests the mock server saw</h4>${head}` : `<details class="reqs">` +
    `<summary>Requests the mock server saw (${reqs.length})</summary>${head}</details>`;
}

function leaksTable(leaks: NonNullable<Evidence["leaks"]>): string {
  const rows = some(
    leaks,
    (l) =>
      `<tr><td>${esc(l.where, 512)}</td><td>${esc(l.form, 64)}</td><td><code>${
        highlightLeak(l.excerpt)
      }</code></td></tr>`,
    (n) => `<tr><td colspan="3">… ${n} more leaks</td></tr>`,
  );
  return `<h4>Leaks</h4><table><tr><th>where</th><th>form</th><th>excerpt</th></tr>${rows}</table>`;
}

function replyText(reply: unknown): string {
  try {
    return JSON.stringify(reply, null, 2) ?? "undefined";
  } catch {
    return String(reply);
  }
}

/**
 * A check's evidence as HTML sections (the timeline is drawn apart, by `_html_timeline.ts`).
 *
 * @param ev the evidence
 * @returns HTML, "" when there is none
 */
export function evidenceHtml(ev: Evidence | undefined): string {
  if (!ev) return "";
  const out: string[] = [];
  if (ev.leaks?.length) out.push(leaksTable(ev.leaks));
  if (ev.notes?.length) {
    const list = `<ul>${
      some(ev.notes, (n) => `<li>${esc(n)}</li>`, (n) => `<li>… ${n} more notes</li>`)
    }</ul>`;
    // a few notes are shown; more are folded behind the first
    out.push(
      ev.notes.length <= 4
        ? `<h4>Notes</h4>${list}`
        : `<details class="reqs"><summary>Notes (${ev.notes.length}): ${
          esc(ev.notes[0] ?? "", 300)
        }</summary>${list}</details>`,
    );
  }
  const timings = Object.entries(ev.timings ?? {});
  if (timings.length > 0) {
    out.push(
      `<h4>Timings</h4><table>${
        some(timings, ([k, v]) =>
          `<tr><th>${esc(k, 256)}</th><td>${Number(v)} ms</td></tr>`, (n) =>
          `<tr><td colspan="2">… ${n} more</td></tr>`)
      }</table>`,
    );
  }
  if (ev.requests?.length) out.push(requestsTable(ev.requests));
  if (ev.reply !== undefined) out.push(`<h4>Driver reply</h4><pre>${esc(replyText(ev.reply))}</pre>`);
  if (ev.output?.length) {
    const lines = ev.output.slice(-MAX_ITEMS).map((l) => clip(l, 1024)).join("\n");
    const pre = `<pre>${esc(lines, MAX_TEXT * 4)}</pre>`;
    out.push(
      ev.output.length <= 8
        ? `<h4>SDK output (tail)</h4>${pre}`
        : `<details class="reqs"><summary>SDK output (tail, ${ev.output.length} lines)</summary>${pre}</details>`,
    );
  }
  if (ev.property) {
    const p = ev.property;
    const text = `seed ${p.seed}, runs ${p.runs}` + (p.path ? `, path ${clip(p.path)}` : "") +
      (p.counterexample ? `\ncounterexample: ${clip(p.counterexample)}` : "");
    out.push(`<h4>Property run</h4><pre>${escHtml(text)}</pre>`);
  }
  return out.join("\n");
}
