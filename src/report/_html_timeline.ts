/**
 * The timeline of report.html (internal): what the mock server or the probe saw of one timed call,
 * as an inline SVG and a one-line summary ("4 attempts, waits 0.2/0.4/0.8 s, bound 3"). It is
 * derived from the evidence only: the requests' arrival times `t` (or `timeline.attempts_ms` on a
 * pass, where requests are not kept) and the moments and bound a check recorded in `timeline`.
 * Every number is checked finite; every label is text the kit writes (numbers), escaped anyway.
 *
 * @module
 */
import type { Evidence } from "../schema/evidence.ts";
import { escHtml } from "./escape.ts";

/** The most attempts drawn (a report keeps at most 50 requests anyway). */
const MAX_MARKS = 50;
/** The most waits the summary lists before "…". */
const MAX_WAITS_LISTED = 8;
const W = 760;
const H = 96;
const LEFT = 16;
const RIGHT = 16;
const AXIS_Y = 58;

/** What one timeline shows, every moment in ms on one axis. */
export interface TimelineView {
  /** the axis' zero: the call, else the first attempt */
  origin: number;
  /** when each attempt arrived */
  attempts: number[];
  /** how many attempts there were, when the report kept only the first ones */
  total?: number;
  /** the most attempts the rule allows */
  maxAttempts?: number;
  /** when the kit made the call */
  called?: number;
  /** the latest moment the rule allows the call to end */
  deadline?: number;
  /** when the call ended */
  gaveUp?: number;
}

const finite = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/**
 * The timeline a check's evidence holds, if it timed traffic: two or more attempts, or one attempt
 * or more with a recorded bound or end.
 *
 * @param ev the evidence
 * @returns the view, or undefined when there is nothing to draw
 */
export function timelineOf(ev: Evidence | undefined): TimelineView | undefined {
  if (!ev) return undefined;
  const tl = ev.timeline;
  const fromRequests = (ev.requests ?? []).map((q) => q.t);
  const attempts = (fromRequests.length > 0 ? fromRequests : tl?.attempts_ms ?? [])
    .filter(finite).slice(0, MAX_MARKS);
  const bound = tl && (finite(tl.max_attempts) || finite(tl.deadline_ms) || finite(tl.gave_up_ms));
  if (attempts.length < 2 && !(attempts.length >= 1 && bound)) return undefined;
  const view: TimelineView = { origin: 0, attempts };
  if (tl && finite(tl.max_attempts)) view.maxAttempts = tl.max_attempts;
  if (tl && finite(tl.called_ms)) view.called = tl.called_ms;
  if (tl && finite(tl.deadline_ms)) view.deadline = tl.deadline_ms;
  if (tl && finite(tl.gave_up_ms)) view.gaveUp = tl.gave_up_ms;
  view.origin = view.called ?? Math.min(...attempts);
  // the report's own note when it cut the requests: "report keeps the first 50 of 112 requests"
  const cut = (ev.notes ?? []).map((n) => n.match(/^report keeps the first (\d+) of (\d+) requests$/)).find((
    m,
  ) => m);
  if (fromRequests.length > 0 && cut?.[2] !== undefined) view.total = Number(cut[2]);
  return view;
}

/**
 * Seconds for a label: 0.2, 0.41, 1.2, 0.004.
 *
 * @param ms a duration in ms
 * @returns the seconds, without a unit
 * @example
 * ```ts
 * import { seconds } from "./_html_timeline.ts";
 * if (seconds(200) !== "0.2" || seconds(1234) !== "1.23") throw new Error();
 * ```
 */
export function seconds(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  const text = s >= 10 ? s.toFixed(1) : ms < 10 ? s.toFixed(3) : s.toFixed(2);
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

/**
 * The waits between consecutive attempts.
 *
 * @param attempts arrival times in ms
 * @returns the waits in ms
 */
export function waitsOf(attempts: readonly number[]): number[] {
  return attempts.slice(1).map((t, i) => t - (attempts[i] ?? t));
}

/**
 * The one-line summary of a timeline: "4 attempts, waits 0.2/0.4/0.8 s, bound 3".
 *
 * @param v the timeline
 * @returns the summary (plain text, unescaped)
 * @example
 * ```ts
 * import { timelineSummary } from "./_html_timeline.ts";
 * const s = timelineSummary({ origin: 0, attempts: [0, 200, 600, 1400], maxAttempts: 3 });
 * if (s !== "4 attempts, waits 0.2/0.4/0.8 s, bound 3") throw new Error(s);
 * ```
 */
export function timelineSummary(v: TimelineView): string {
  const n = v.attempts.length;
  const parts = [
    v.total !== undefined && v.total > n
      ? `${v.total} attempts (the first ${n} shown)`
      : n >= MAX_MARKS
      ? `${n}+ attempts (evidence keeps ${n})`
      : `${n} attempt${n === 1 ? "" : "s"}`,
  ];
  const waits = waitsOf(v.attempts);
  if (waits.length > 0) {
    const listed = waits.slice(0, MAX_WAITS_LISTED).map(seconds).join("/");
    parts.push(`waits ${listed}${waits.length > MAX_WAITS_LISTED ? "/…" : ""} s`);
  }
  if (v.maxAttempts !== undefined) parts.push(`bound ${v.maxAttempts}`);
  if (v.deadline !== undefined) parts.push(`bound ${seconds(v.deadline - v.origin)} s`);
  if (v.gaveUp !== undefined) parts.push(`ended at ${seconds(v.gaveUp - v.origin)} s`);
  else if (v.called !== undefined) parts.push("no end seen");
  return parts.join(", ");
}

/** An SVG text element (the label is escaped). */
function label(x: number, y: number, text: string, cls: string, anchor = "middle"): string {
  return `<text x="${x.toFixed(1)}" y="${y}" text-anchor="${anchor}" class="${cls}">${escHtml(text)}</text>`;
}

/** A vertical marker: where, its label and its class. */
interface Marker {
  x: number;
  text: string;
  cls: string;
}

/** The label rows above the axis (a label goes to the first row where it overlaps none). */
const ROWS = [11, 24, 37];

/**
 * Vertical marker lines with their labels above them, labels staggered over {@linkcode ROWS} so
 * that markers close together (the call and the first attempt, the bound and the end) stay legible.
 */
function markers(ms: readonly Marker[]): string {
  const rightEdge = ROWS.map(() => -Infinity);
  return [...ms].sort((a, b) => a.x - b.x).map((m) => {
    const width = m.text.length * 6 + 6;
    const anchor = m.x > W - 120 ? "end" : m.x < 120 ? "start" : "middle";
    const left = anchor === "start" ? m.x : anchor === "end" ? m.x - width : m.x - width / 2;
    let row = rightEdge.findIndex((edge) => edge <= left);
    if (row < 0) row = ROWS.length - 1;
    rightEdge[row] = left + width;
    const y = ROWS[row] ?? 11;
    return `<line x1="${m.x.toFixed(1)}" y1="${y + 3}" x2="${m.x.toFixed(1)}" y2="${
      AXIS_Y + 8
    }" class="${m.cls}"/>` +
      label(m.x, y, m.text, `${m.cls}-text`, anchor);
  }).join("");
}

/**
 * The timeline as an inline SVG: one mark per attempt on a time axis, the waits labelled between
 * them, the bound as a line (the deadline, or between the last allowed and the first extra
 * attempt), the call and its end when known.
 *
 * @param v the timeline
 * @returns the SVG markup
 */
export function timelineSvg(v: TimelineView): string {
  const moments = [...v.attempts, v.called, v.deadline, v.gaveUp].filter(finite);
  const span = Math.max(1, Math.max(...moments) - v.origin);
  const min = Math.min(0, ...moments.map((m) => m - v.origin));
  const scale = (W - LEFT - RIGHT) / (span - min) / 1.02;
  const x = (t: number) => LEFT + (t - v.origin - min) * scale;
  const out: string[] = [
    `<line x1="${LEFT}" y1="${AXIS_Y}" x2="${W - RIGHT}" y2="${AXIS_Y}" class="tl-axis"/>`,
    label(LEFT, AXIS_Y + 22, "0 s", "tl-tick", "start"),
    label(W - RIGHT, AXIS_Y + 22, `${seconds(span)} s`, "tl-tick", "end"),
  ];
  const ms: Marker[] = [];
  if (v.called !== undefined) ms.push({ x: x(v.called), text: "call", cls: "tl-call" });
  if (v.deadline !== undefined) {
    ms.push({ x: x(v.deadline), text: `bound ${seconds(v.deadline - v.origin)} s`, cls: "tl-bound" });
  }
  const max = v.maxAttempts;
  if (max !== undefined) {
    // between the last allowed attempt and the first extra one; else just after the last allowed
    const last = v.attempts[max - 1];
    const next = v.attempts[max];
    const at = last === undefined
      ? W - RIGHT - 2
      : next !== undefined
      ? (x(last) + x(next)) / 2
      : Math.min(W - RIGHT - 2, x(last) + 12);
    ms.push({ x: at, text: `bound ${max} attempt${max === 1 ? "" : "s"}`, cls: "tl-bound" });
  }
  if (v.gaveUp !== undefined) {
    ms.push({ x: x(v.gaveUp), text: `ended ${seconds(v.gaveUp - v.origin)} s`, cls: "tl-end" });
  }
  out.push(markers(ms));
  const waits = waitsOf(v.attempts);
  waits.forEach((w, i) => {
    const a = x(v.attempts[i] ?? 0);
    const b = x(v.attempts[i + 1] ?? 0);
    if (b - a >= 34) out.push(label((a + b) / 2, AXIS_Y - 10, `${seconds(w)} s`, "tl-wait"));
  });
  v.attempts.forEach((t, i) => {
    const over = max !== undefined && i >= max;
    const cx = x(t).toFixed(1);
    out.push(
      `<circle cx="${cx}" cy="${AXIS_Y}" r="5" class="${over ? "tl-over" : "tl-attempt"}"><title>attempt ${
        i + 1
      } at ${seconds(t - v.origin)} s</title></circle>`,
    );
  });
  const desc = timelineSummary(v);
  return `<svg class="timeline" role="img" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" ` +
    `xmlns="http://www.w3.org/2000/svg"><title>${escHtml(desc)}</title>${out.join("")}</svg>`;
}

/**
 * The timeline section of a check: its summary line and its SVG, or "" when it timed no traffic.
 *
 * @param ev the check's evidence
 * @returns HTML
 */
export function timelineHtml(ev: Evidence | undefined): string {
  const v = timelineOf(ev);
  if (!v) return "";
  return `<div class="tl"><p class="tl-summary"><b>Timeline:</b> ${escHtml(timelineSummary(v))}</p>` +
    `${timelineSvg(v)}</div>`;
}
