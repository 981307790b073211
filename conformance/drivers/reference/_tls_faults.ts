/**
 * TLS faults of the reference driver (test-only): one-fault mutants for the `sdk.tls.*` matrix.
 *
 * Deno's `fetch` has no per-property TLS switch: its TLS (rustls) refuses every bad certificate and
 * offers only TLS 1.2 and 1.3. So these mutants swap the transport under the unchanged reference
 * client: requests go through Node's OpenSSL (`_node_fetch.mjs`), which is strict (TLS 1.2+,
 * security level 2, the configured CA, hostname checked) except for the one thing the fault
 * relaxes: a certificate error it lets through, the hostname check, OpenSSL's security level, the
 * protocol versions, or the signature algorithms it offers. `allow-tls10`/`allow-tls11` keep Deno's
 * transport and fall back to Node with the older version only when a handshake fails for a reason
 * other than the certificate (the downgrade-on-failure mistake). `env-skip-verify` is a launcher,
 * not a transport: see `conformance/mutants/sdk.ts`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The TLS faults, each failing one `sdk.tls.*` check (see the cases in `conformance/sdk/tls.ts`). */
export const TLS_FAULTS = [
  "accept-expired",
  "accept-not-yet-valid",
  "no-hostname-check",
  "accept-self-signed",
  "accept-incomplete-chain",
  "accept-rsa-1024",
  "accept-sha1",
  "allow-tls10",
  "allow-tls11",
  "refuse-ecdsa",
  "refuse-rsa",
  "cn-only-hostname",
  "tls12-max",
  "tls13-min",
  "env-skip-verify",
] as const;

/** A TLS fault of the reference driver. */
export type TlsFault = typeof TLS_FAULTS[number];

/** How a Node-transport fault relaxes the strict TLS of `_node_fetch.mjs`. */
interface NodeTls {
  /** OpenSSL's `authorizationError` codes let through */
  allowErrors?: string[];
  /** `skip`: no hostname check; `cn-only`: the common name only, the SAN ignored */
  hostname?: "skip" | "cn-only";
  /** OpenSSL security level @default 2 */
  secLevel?: 0 | 1 | 2;
  minVersion?: "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";
  maxVersion?: "TLSv1.2" | "TLSv1.3";
  /** the signature algorithms offered */
  sigalgs?: string;
}

/** `replace`: every https request goes through Node; `fallback`: only after a failed handshake. */
const NODE_FAULTS: Readonly<
  Record<Exclude<TlsFault, "env-skip-verify">, [mode: "replace" | "fallback", NodeTls]>
> = {
  "accept-expired": ["replace", { allowErrors: ["CERT_HAS_EXPIRED"] }],
  "accept-not-yet-valid": ["replace", { allowErrors: ["CERT_NOT_YET_VALID"] }],
  "no-hostname-check": ["replace", { hostname: "skip" }],
  "accept-self-signed": ["replace", { allowErrors: ["DEPTH_ZERO_SELF_SIGNED_CERT"] }],
  "accept-incomplete-chain": ["replace", { allowErrors: ["UNABLE_TO_VERIFY_LEAF_SIGNATURE"] }],
  "accept-rsa-1024": ["replace", { secLevel: 1 }],
  "accept-sha1": ["replace", { secLevel: 0 }],
  "allow-tls10": ["fallback", { minVersion: "TLSv1", secLevel: 0 }],
  "allow-tls11": ["fallback", { minVersion: "TLSv1.1", secLevel: 0 }],
  "refuse-ecdsa": ["replace", { sigalgs: "RSA-PSS+SHA256:RSA-PSS+SHA384:RSA+SHA256:RSA+SHA384" }],
  "refuse-rsa": ["replace", { sigalgs: "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512" }],
  "cn-only-hostname": ["replace", { hostname: "cn-only" }],
  "tls12-max": ["replace", { maxVersion: "TLSv1.2" }],
  "tls13-min": ["replace", { minVersion: "TLSv1.3" }],
};

const SCRIPT = fileURLToPath(new URL("./_node_fetch.mjs", import.meta.url));

/**
 * Whether `v` names a TLS fault.
 *
 * @param v a mutant name
 * @returns true for a TLS fault
 * @example
 * ```ts
 * import { isTlsFault } from "./_tls_faults.ts";
 * if (!isTlsFault("accept-expired") || isTlsFault("no-verify")) throw new Error();
 * ```
 */
export function isTlsFault(v: unknown): v is TlsFault {
  return typeof v === "string" && (TLS_FAULTS as readonly string[]).includes(v);
}

/**
 * Whether the fault runs requests through Node (the driver then needs `--allow-run=node`).
 *
 * @param f the fault
 * @returns true when Node is the (or a fallback) transport
 */
export function usesNode(f: TlsFault): boolean {
  return f !== "env-skip-verify";
}

let trusted: string | undefined;

/**
 * Remember the CA the SDK was configured with (the Node transport trusts it, as Deno's does).
 *
 * @param pem the CA, PEM, or undefined
 */
export function trustCa(pem: string | undefined): void {
  if (pem !== undefined) trusted = pem;
}

/** A certificate problem, not a protocol one (no downgrade retry for these). */
const CERT_ERROR = /certificate|UnknownIssuer|NotValidForName|BadSignature|UnsupportedSignatureAlgorithm/i;

/**
 * Install the fault's transport in this process (replaces `globalThis.fetch` for https URLs).
 *
 * @param f the fault (`env-skip-verify` installs nothing)
 */
export function installTlsFault(f: TlsFault): void {
  if (f === "env-skip-verify") return;
  const [mode, nodeTls] = NODE_FAULTS[f];
  const denoFetch = globalThis.fetch;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== "https:") return denoFetch(input, init);
    if (mode === "replace") return nodeFetch(url, init, nodeTls);
    try {
      return await denoFetch(input, init);
    } catch (e) {
      const text = e instanceof Error ? `${e.message} ${String(e.cause ?? "")}` : String(e);
      if (init?.signal?.aborted || CERT_ERROR.test(text)) throw e;
      return nodeFetch(url, init, nodeTls); // the downgrade: try again with an older protocol
    }
  };
}

async function nodeFetch(url: URL, init: RequestInit | undefined, nodeTls: NodeTls): Promise<Response> {
  const signal = init?.signal ?? undefined;
  signal?.throwIfAborted();
  if (init?.body !== undefined && init.body !== null && typeof init.body !== "string") {
    throw new TypeError("this test transport sends string bodies only");
  }
  const config = {
    url: url.href,
    method: init?.method ?? "GET",
    headers: [...new Headers(init?.headers)],
    body: init?.body ?? null,
    ca: trusted ?? null,
    tls: nodeTls,
  };
  const child = new Deno.Command("node", {
    args: ["--no-warnings", SCRIPT],
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const kill = () => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  };
  signal?.addEventListener("abort", kill, { once: true });
  try {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(JSON.stringify(config) + "\n"));
    await w.close();
    const out = await child.output();
    signal?.throwIfAborted();
    const line = new TextDecoder().decode(out.stdout).split("\n")[0] ?? "";
    const r = JSON.parse(line) as
      | { ok: true; status: number; statusText: string; headers: string[]; body: string }
      | { ok: false; message: string };
    if (!r.ok) throw new TypeError(`node transport: ${r.message}`);
    const headers = new Headers();
    for (let i = 0; i + 1 < r.headers.length; i += 2) {
      headers.append(r.headers[i] ?? "", r.headers[i + 1] ?? "");
    }
    const body = Uint8Array.from(atob(r.body), (ch) => ch.charCodeAt(0));
    const empty = [204, 205, 304].includes(r.status) || config.method === "HEAD";
    return new Response(empty ? null : body, { status: r.status, statusText: r.statusText, headers });
  } finally {
    signal?.removeEventListener("abort", kill);
  }
}
