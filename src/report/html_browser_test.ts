/**
 * report.html in a real browser: headless Chromium (Debian's `chromium`, or `chromium-browser`)
 * loads the page from a file:// URL through the DevTools protocol, the test clicks the copy button,
 * takes a screenshot and fails on any console error, exception or CSP violation. Without Chromium
 * on PATH the test is ignored, and says so. Everything is bounded: 30 s in all, the browser's
 * process group killed, its temp dir removed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { buildReport } from "./json.ts";
import { renderHtml } from "./html.ts";
import type { CheckResult } from "../engine/types.ts";
import { recordedRequest } from "./testdata/recorded_request.ts";
import { errorMessage } from "../util/error_message.ts";

const BOUND_MS = 30_000;

function onPath(names: readonly string[]): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").filter((d) => d !== "")) {
    for (const name of names) {
      try {
        if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

const chromium = onPath(["chromium", "chromium-browser"]);
if (!chromium) {
  console.log(
    "html_browser_test: ignored: no chromium or chromium-browser on PATH (apt-get install chromium)",
  );
}

const req = (t: number) => recordedRequest(t, { headers: { authorization: "Bearer <canary>" } });

/** A failing SDK: a retry over its bound, a leak, a timeout that passed, a check that did not apply. */
function page(): string {
  const canary = `ronc_${"ab".repeat(16)}`;
  const results: CheckResult[] = [
    {
      id: "sdk.retry.bounded",
      title: "At most 1 + max_retries attempts against an always-503 server",
      level: "MUST",
      source: "000 §2.3",
      durationMs: 1771,
      verdict: {
        outcome: "fail",
        reason: "max_retries=2: at most 3 attempts; saw 4 attempts after 1561 ms",
        evidence: {
          requests: [req(120), req(320), req(720), req(1520)],
          timeline: { called_ms: 100, max_attempts: 3 },
          output: [`</script><script>alert(1)</script> Bearer ${canary}`],
        },
      },
    },
    {
      id: "sdk.caps.not-in-logs",
      title: "The token never appears in logs",
      level: "MUST",
      source: "000 §1.2",
      durationMs: 12,
      verdict: {
        outcome: "fail",
        reason: "the token appeared in stderr",
        evidence: {
          leaks: [{ where: "driver stderr", form: "raw", excerpt: `Authorization: Bearer ${canary}` }],
        },
      },
    },
    {
      id: "sdk.timeouts.read",
      title: "A server that stalls hits the read timeout",
      level: "MUST",
      source: "000 §2.2",
      durationMs: 400,
      verdict: {
        outcome: "pass",
        evidence: { timeline: { called_ms: 50, attempts_ms: [60], deadline_ms: 3050, gave_up_ms: 370 } },
      },
    },
    {
      id: "sdk.sse.max-events",
      title: "sse",
      level: "SHOULD",
      source: "000 §4.2",
      durationMs: 0,
      verdict: { outcome: "not_applicable", reason: `requires capability "sse"` },
    },
  ];
  return renderHtml(buildReport({
    profile: "sdk",
    target: { name: "failing-sdk", version: "0.1.0", language: "typescript", capabilities: ["http"] },
    results,
    seed: 1,
    startedAt: new Date("2026-01-01T00:00:00Z"),
    durationMs: 2000,
    command: `deno task certify --driver "deno run sdk.ts"`,
    canaries: [canary],
  }));
}

type Msg = {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: unknown;
};

/** A minimal DevTools protocol client over one WebSocket (flat sessions). */
class Cdp {
  readonly #ws: WebSocket;
  readonly #pending = new Map<number, (m: Msg) => void>();
  readonly events: Msg[] = [];
  #id = 0;
  readonly closed: Promise<void>;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    this.closed = new Promise((resolve) =>
      ws.addEventListener("close", () => {
        // a browser killed at the bound answers nothing more: every pending call fails now
        for (const [id, answer] of this.#pending) answer({ id, error: "the DevTools connection closed" });
        resolve();
      })
    );
    ws.addEventListener("message", (e) => {
      const m = JSON.parse(String(e.data)) as Msg;
      if (m.id !== undefined) this.#pending.get(m.id)?.(m);
      else this.events.push(m);
    });
  }

  static open(url: string): Promise<Cdp> {
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.addEventListener("open", () => resolve(new Cdp(ws)));
      ws.addEventListener("error", () => reject(new Error(`cannot open ${url}`)));
    });
  }

  send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<Record<string, unknown>> {
    const id = ++this.#id;
    if (this.#ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new Error(`${method}: connection closed`));
    }
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (m) => {
        this.#pending.delete(id);
        if (m.error) reject(new Error(`${method}: ${JSON.stringify(m.error)}`));
        else resolve((m.result ?? {}) as Record<string, unknown>);
      });
      this.#ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  async until(method: string, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (!this.events.some((e) => e.method === method)) {
      if (Date.now() > end) throw new Error(`no ${method} within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  close(): Promise<void> {
    this.#ws.close();
    return this.closed;
  }
}

/** The errors the page reported: exceptions, console errors, error log entries (CSP violations). */
function errorsOf(events: readonly Msg[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const p = e.params ?? {};
    if (e.method === "Runtime.exceptionThrown") out.push(`exception: ${JSON.stringify(p.exceptionDetails)}`);
    if (e.method === "Runtime.consoleAPICalled" && (p.type === "error" || p.type === "assert")) {
      out.push(`console.${String(p.type)}: ${JSON.stringify(p.args)}`);
    }
    const entry = p.entry as { level?: string; text?: string } | undefined;
    if (e.method === "Log.entryAdded" && entry?.level === "error") out.push(`log: ${entry.text}`);
  }
  return out;
}

/** Read chromium's stderr until it names its DevTools WebSocket; keep draining it after. */
async function devtoolsUrl(stderr: ReadableStream<Uint8Array>, log: string[]): Promise<string> {
  const reader = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`chromium exited before DevTools listened:\n${text.slice(-2000)}`);
    text += value;
    const m = text.match(/DevTools listening on (ws:\/\/127\.0\.0\.1:\d+\/devtools\/browser\/[\w-]+)/);
    if (m?.[1]) {
      (async () => {
        for (let r = await reader.read(); !r.done; r = await reader.read()) log.push(r.value);
      })().catch(() => {});
      return m[1];
    }
  }
}

Deno.test({
  name: "report.html renders in headless Chromium: timeline, copy button, no console error, a screenshot",
  ignore: chromium === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "ron-html-browser-" });
    const file = `${dir}/report.html`;
    await Deno.writeTextFile(file, page());
    const child = new Deno.Command("setsid", {
      args: [
        chromium ?? "chromium",
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        `--user-data-dir=${dir}/profile`,
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        "--window-size=1280,2000",
        "about:blank",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      killGroup(child.pid);
    }, BOUND_MS);
    const stderr: string[] = [];
    let cdp: Cdp | undefined;
    try {
      cdp = await Cdp.open(await devtoolsUrl(child.stderr, stderr));
      const { targetId } = await cdp.send("Target.createTarget", { url: "about:blank" });
      const { sessionId } = await cdp.send("Target.attachToTarget", { targetId, flatten: true });
      const s = String(sessionId);
      for (const m of ["Runtime.enable", "Log.enable", "Page.enable"]) await cdp.send(m, {}, s);
      await cdp.send("Page.navigate", { url: `file://${file}` }, s);
      await cdp.until("Page.loadEventFired", 15_000);
      const evaluate = async (expression: string) =>
        ((await cdp?.send("Runtime.evaluate", { expression, returnByValue: true }, s))?.result as {
          value?: unknown;
        })?.value;
      assert.equal(await evaluate("document.querySelectorAll('svg.timeline').length"), 2);
      assert.equal(await evaluate("document.querySelector('details.check').id"), "sdk.caps.not-in-logs");
      assert.equal(await evaluate("document.querySelectorAll('mark.leak').length"), 1);
      assert.equal(await evaluate("document.querySelectorAll('script').length"), 1);
      // the script runs under the CSP: a click changes the button's label
      await evaluate("document.querySelector('button.copy').click()");
      await new Promise((r) => setTimeout(r, 300));
      const label = await evaluate("document.querySelector('button.copy').textContent");
      assert.ok(
        label === "Copied" || label === "Selected: press Ctrl+C",
        `copy button says ${String(label)}`,
      );
      const shot = await cdp.send("Page.captureScreenshot", { format: "png" }, s);
      const png = Uint8Array.from(atob(String(shot.data)), (c) => c.charCodeAt(0));
      await Deno.writeFile(`${dir}/report.png`, png);
      assert.deepEqual([...png.slice(1, 4)], [0x50, 0x4e, 0x47], "a PNG");
      const width = new DataView(png.buffer).getUint32(16);
      assert.ok(width >= 800, `screenshot width ${width}`);
      assert.ok(png.length > 20_000, `screenshot of ${png.length} bytes`);
      assert.deepEqual(errorsOf(cdp.events), []);
    } catch (e) {
      throw late ? new Error(`chromium killed at the ${BOUND_MS} ms bound: ${errorMessage(e)}`) : e;
    } finally {
      clearTimeout(timer);
      await cdp?.send("Browser.close").catch(() => {});
      await Promise.race([cdp?.close(), new Promise((r) => setTimeout(r, 2_000))]);
      killGroup(child.pid);
      await child.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
});

function killGroup(pid: number): void {
  try {
    Deno.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}
