import assert from "node:assert/strict";
import type { Report } from "../schema/report.ts";
import { renderHtml } from "./html.ts";
import { PAGE_SCRIPT } from "./_html_page.ts";

const HOSTILE = `</script><script>alert(1)</script><svg onload=alert(2)><img src=x onerror=alert(3)>` +
  `"' \u0000\u0007\u001b[2K\u0085\u202e\u2028 </style><style>*{display:none}</style>`;
const HUGE = "A".repeat(3_000_000) + HOSTILE;

/** A report with hostile text in every field a target or its traffic can set, some of it huge. */
function hostileReport(): Report {
  return {
    schema: "https://ron-kit.dev/report/v1",
    kit: { name: "k", version: HOSTILE },
    profile: "sdk",
    target: { name: HOSTILE, version: HOSTILE, language: HOSTILE, capabilities: [HOSTILE, "http"] },
    results: [{
      id: "sdk.retry.bounded",
      title: HOSTILE,
      level: "MUST",
      source: HOSTILE,
      outcome: "fail",
      reason: HUGE,
      duration_ms: 1,
      evidence: {
        requests: Array.from({ length: 500 }, (_, i) => ({
          t: i * 10,
          method: HOSTILE,
          path: `/${HOSTILE}`,
          query: HOSTILE,
          headers: { [HOSTILE]: HUGE },
          bodySize: 1,
          body: HUGE,
          connection: HOSTILE,
          listener: HOSTILE,
        })),
        timings: { [HOSTILE]: 1 },
        reply: { message: HUGE },
        output: Array.from({ length: 1_000 }, () => HUGE.slice(0, 100_000)),
        leaks: [
          { where: HOSTILE, form: HOSTILE, excerpt: `Bearer <canary>${HOSTILE}` },
          { where: HOSTILE, form: HOSTILE, excerpt: `${HUGE}<canary>` },
        ],
        notes: Array.from({ length: 1_000 }, () => HOSTILE),
        timeline: { max_attempts: 3, called_ms: -1e300, gave_up_ms: 1e300 },
        property: { seed: 1, runs: 1, path: HUGE, counterexample: HUGE },
      },
    }],
    summary: {
      pass: 0,
      fail: 1,
      not_applicable: 0,
      error: 0,
      certification: "none",
      expectation_problems: [HOSTILE],
    },
    run: {
      seed: 1,
      started_at: HOSTILE,
      duration_ms: 1,
      command: `deno task certify --driver "${HOSTILE}"`,
      only: [HOSTILE],
    },
  };
}

Deno.test("hostile evidence stays inert: no markup, script, handler or control character of its own", () => {
  const html = renderHtml(hostileReport());
  // the only script and style elements are the page's own
  assert.equal(html.split(/<script/i).length - 1, 1);
  assert.ok(html.includes(`<script>${PAGE_SCRIPT}</script>`));
  assert.equal(html.split(/<\/script/i).length - 1, 1);
  assert.equal(html.split(/<style/i).length - 1, 1);
  assert.equal(html.split(/<\/style/i).length - 1, 1);
  // no element of the hostile text's own: its `<` are all entities, so no tag carries a handler
  assert.ok(!/<svg onload|<img /i.test(html));
  assert.ok(!/<[a-z][^<>]*\son[a-z]+\s*=/i.test(html));
  assert.ok(html.includes("&lt;svg onload=alert(2)&gt;"));
  assert.ok(html.includes("&lt;/script&gt;&lt;script&gt;alert(1)"));
  // control, bidi and separator characters are shown as escapes, never raw
  // deno-lint-ignore no-control-regex
  assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e\u2028]/.test(html));
  assert.ok(html.includes("\\x1b[2K") && html.includes("\\u202e"));
  // the masked canary of the leak is highlighted
  assert.ok(html.includes(`<mark class="leak">&lt;canary&gt;</mark>`));
});

Deno.test("hostile evidence stays bounded: a 3 MB string and 1000-line lists make a page of a few hundred KB", () => {
  const html = renderHtml(hostileReport());
  assert.ok(html.length < 1_000_000, `page is ${html.length} characters`);
  assert.ok(html.includes("characters cut"));
  assert.ok(html.includes("more notes") && html.includes("more requests"));
  // the timeline stays drawable with absurd moments (finite numbers only in the SVG)
  const svg = html.slice(
    html.indexOf('<svg class="timeline"'),
    html.indexOf("</svg>", html.indexOf('<svg class="timeline"')),
  );
  assert.ok(svg.length > 0 && !/NaN|Infinity/.test(svg));
});
