/**
 * The one place that talks to Toxiproxy's REST API. It wraps `toxiproxy-node-client`
 * (CommonJS, throws on API errors and drops their HTTP status) behind typed results,
 * so the rest of the chaos suite never sees the library's quirks.
 *
 * Where the library is unusable the wrapper uses `fetch` against the same API:
 * - `createProxy`: the library reads no body on an error (the server's reason,
 *   e.g. "address already in use", is lost and the response body stays unconsumed,
 *   which Deno's resource sanitizer reports); the port-retry logic needs both.
 *
 * @module
 */
import { Proxy, Toxiproxy } from "toxiproxy-node-client";
import { z } from "zod";
import type { Toxic } from "../src/engine/sdk_context.ts";

/** A typed API result: the value, or the HTTP status (when there was a response) and a message. */
export type ApiResult<T> =
  | { ok: true; value: T }
  | { ok: false; status?: number; message: string };

/** What the kit knows about one proxy on the server. */
export interface ProxyInfo {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

const ProxyInfoSchema = z.object({
  name: z.string(),
  listen: z.string(),
  upstream: z.string(),
  enabled: z.boolean(),
});

const VersionSchema = z.object({ version: z.string() });
const ErrorBodySchema = z.object({ error: z.string(), status: z.number().optional() });

/**
 * Turn whatever the library threw into a typed failure. The library's only trace of the
 * HTTP status is its message "Request failed with status code N".
 */
function failure(e: unknown): { ok: false; status?: number; message: string } {
  const message = e instanceof Error ? e.message : String(e);
  const m = /status code (\d{3})/.exec(message);
  return m?.[1] ? { ok: false, status: Number(m[1]), message } : { ok: false, message };
}

/**
 * A small typed client of one Toxiproxy server.
 *
 * @example
 * ```ts
 * import { ToxiproxyClient } from "./_client.ts";
 * const api = new ToxiproxyClient("http://127.0.0.1:1");
 * const r = await api.version(200);
 * if (r.ok) throw new Error("nothing listens on port 1");
 * ```
 */
export class ToxiproxyClient {
  readonly #lib: Toxiproxy;
  readonly #base: string;

  /**
   * @param baseUrl the API's base URL, e.g. `http://127.0.0.1:28474`
   */
  constructor(baseUrl: string) {
    this.#base = baseUrl.replace(/\/+$/, "");
    this.#lib = new Toxiproxy(this.#base);
  }

  /** The API's base URL. */
  get baseUrl(): string {
    return this.#base;
  }

  /**
   * The server's version (`GET /version`; Toxiproxy 2.12 answers `{"version": "…"}`).
   *
   * @param timeoutMs bound on the call
   * @returns the version string
   */
  async version(timeoutMs = 2000): Promise<ApiResult<string>> {
    try {
      const text = await bounded(this.#lib.getVersion(), timeoutMs, "GET /version");
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // older servers answer plain text
      }
      const v = VersionSchema.safeParse(parsed);
      return { ok: true, value: v.success ? v.data.version : text.trim() };
    } catch (e) {
      return failure(e);
    }
  }

  /**
   * Create a proxy (`POST /proxies`), via `fetch` so a failure keeps its status and reason
   * (409 = name taken, 500 with "address already in use" = listen port taken).
   *
   * @param body name, listen address, upstream address
   * @returns the proxy as the server reports it
   */
  async createProxy(body: { name: string; listen: string; upstream: string }): Promise<ApiResult<ProxyInfo>> {
    let res: Response;
    try {
      res = await fetch(`${this.#base}/proxies`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...body, enabled: true }),
        signal: AbortSignal.timeout(5000),
      });
    } catch (e) {
      return failure(e);
    }
    const text = await res.text().catch(() => "");
    let json: unknown = undefined;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON: reported below
    }
    if (!res.ok) {
      const err = ErrorBodySchema.safeParse(json);
      return { ok: false, status: res.status, message: err.success ? err.data.error : text.slice(0, 200) };
    }
    const info = ProxyInfoSchema.safeParse(json);
    if (!info.success) {
      return { ok: false, status: res.status, message: `unexpected reply: ${text.slice(0, 200)}` };
    }
    return { ok: true, value: info.data };
  }

  /**
   * Add a toxic to a proxy (`POST /proxies/{name}/toxics`).
   *
   * @param proxy the proxy
   * @param name the toxic's name (unique on the proxy)
   * @param toxic type, stream, toxicity, attributes
   * @returns nothing on success
   */
  async addToxic(proxy: ProxyInfo, name: string, toxic: Toxic): Promise<ApiResult<void>> {
    try {
      await bounded(
        this.#libProxy(proxy).addToxic({
          name,
          type: toxic.type,
          stream: toxic.stream ?? "downstream",
          toxicity: toxic.toxicity ?? 1,
          attributes: toxic.attributes,
        }),
        5000,
        "POST toxics",
      );
      return { ok: true, value: undefined };
    } catch (e) {
      return failure(e);
    }
  }

  /**
   * Enable or disable a proxy (`POST /proxies/{name}`); disabled = its listener is closed.
   *
   * @param proxy the proxy
   * @param enabled the new state
   * @returns nothing on success
   */
  async setEnabled(proxy: ProxyInfo, enabled: boolean): Promise<ApiResult<void>> {
    try {
      await bounded(
        this.#libProxy(proxy).update({ enabled, listen: proxy.listen, upstream: proxy.upstream }),
        5000,
        "POST proxy",
      );
      return { ok: true, value: undefined };
    } catch (e) {
      return failure(e);
    }
  }

  /**
   * Delete a proxy (`DELETE /proxies/{name}`); its listener and connections close.
   *
   * @param proxy the proxy
   * @returns nothing on success (404 when it is already gone)
   */
  async removeProxy(proxy: ProxyInfo): Promise<ApiResult<void>> {
    try {
      await bounded(this.#libProxy(proxy).remove(), 5000, "DELETE proxy");
      return { ok: true, value: undefined };
    } catch (e) {
      return failure(e);
    }
  }

  /**
   * Every proxy on the server (`GET /proxies`).
   *
   * @returns the proxies' names
   */
  async listProxies(): Promise<ApiResult<string[]>> {
    try {
      const all = await bounded(this.#lib.getAll(), 5000, "GET /proxies");
      return { ok: true, value: Object.keys(all).sort() };
    } catch (e) {
      return failure(e);
    }
  }

  #libProxy(p: ProxyInfo): Proxy {
    return new Proxy(this.#lib, { ...p, toxics: [] });
  }
}

/** Race a library promise against a timer (the library takes no signal); the timer is always cleared. */
async function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
