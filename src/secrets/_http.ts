/**
 * One bounded HTTP exchange of the secrets client: TLS verification on (plus the caller's CA), no
 * redirect followed, the whole exchange (headers and body) inside one time limit, and the body read
 * with a size bound. Errors are typed and never quote the URL, a header or the body. Internal.
 *
 * @module
 */
import { readBounded, ReadBoundedError } from "../util/read_bounded.ts";
import { SecretsError } from "./errors.ts";

/** What every exchange of one client shares. */
export interface HttpRuntime {
  /** the HTTP client (TLS settings) */
  readonly client: Deno.HttpClient;
  /** the most bytes a response body may have */
  readonly maxBytes: number;
}

/** One request. */
export interface HttpRequest {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** the time limit of the whole exchange, in ms */
  timeoutMs: number;
}

/** One response: its status, `Location` and the body parsed as JSON (`undefined` if empty or not JSON). */
export interface HttpAnswer {
  status: number;
  location: string | null;
  json: unknown;
}

function classify(e: unknown): SecretsError {
  const text = e instanceof Error ? `${e.name} ${e.message} ${String(e.cause ?? "")}` : String(e);
  if (
    /certificate|UnknownIssuer|InvalidCertificate|invalid peer|self[- ]signed|NotValidForName/i.test(text)
  ) {
    return new SecretsError("insecure", { detail: "the server certificate is not trusted" });
  }
  if (/refused/i.test(text)) return new SecretsError("network", { detail: "connection refused" });
  return new SecretsError("network");
}

/**
 * Send one request and read its answer, within `req.timeoutMs` and `rt.maxBytes`.
 *
 * @param rt the client's HTTP runtime
 * @param req the request
 * @returns the status, `Location` and parsed body
 * @throws SecretsError `timeout`, `network`, `insecure` or `too_large`
 */
export async function exchange(rt: HttpRuntime, req: HttpRequest): Promise<HttpAnswer> {
  const t0 = performance.now();
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), req.timeoutMs);
  try {
    let res: Response;
    try {
      res = await fetch(req.url, {
        method: req.method,
        headers: req.headers,
        ...(req.body === undefined ? {} : { body: req.body }),
        redirect: "manual",
        signal: ctl.signal,
        client: rt.client,
      });
    } catch (e) {
      if (ctl.signal.aborted) throw new SecretsError("timeout", { detail: `${req.timeoutMs} ms` });
      throw classify(e);
    }
    const declared = Number(res.headers.get("content-length") ?? "NaN");
    if (Number.isFinite(declared) && declared > rt.maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw new SecretsError("too_large", { status: res.status, detail: `limit ${rt.maxBytes} bytes` });
    }
    const left = Math.max(1, req.timeoutMs - (performance.now() - t0));
    let text = "";
    if (res.body !== null) {
      try {
        text = await readBounded(res.body, { field: "response", maxBytes: rt.maxBytes, timeoutMs: left });
      } catch (e) {
        if (ctl.signal.aborted) throw new SecretsError("timeout", { detail: `${req.timeoutMs} ms` });
        if (e instanceof ReadBoundedError && /larger than the limit/.test(e.detail)) {
          throw new SecretsError("too_large", { status: res.status, detail: `limit ${rt.maxBytes} bytes` });
        }
        if (e instanceof ReadBoundedError && /took longer/.test(e.detail)) {
          throw new SecretsError("timeout", { detail: `${req.timeoutMs} ms` });
        }
        throw new SecretsError("network", { status: res.status, detail: "the response body was cut short" });
      }
    }
    let json: unknown = undefined;
    if (text.trim() !== "") {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: res.status, location: res.headers.get("location"), json };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A fresh HTTP client: verification on, the caller's CA trusted besides the system roots.
 *
 * @param caCertPem an extra CA (PEM)
 * @returns the client
 * @throws SecretsError `config` when the CA cannot be loaded
 */
export function createHttpClient(caCertPem: string | undefined): Deno.HttpClient {
  try {
    return Deno.createHttpClient(caCertPem !== undefined ? { caCerts: [caCertPem] } : {});
  } catch {
    throw new SecretsError("config", { detail: "the CA certificate could not be loaded" });
  }
}
