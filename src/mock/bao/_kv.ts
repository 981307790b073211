/**
 * Internal: the mock's KVv2 store and response wrapping, answering with OpenBao 2.7.2's envelopes
 * (measured: see `fidelity_test.ts`).
 *
 * @module
 */
import type { BaoSecret } from "./types.ts";

/** The most versions kept per secret, secrets per store and live wrapping tokens. */
export const KV_LIMITS = { versions: 1000, secrets: 10_000, wraps: 10_000 } as const;

/** A JSON answer of the vault. */
export interface VaultReply {
  status: number;
  body: unknown;
}

interface Stored {
  data: Record<string, unknown>;
  created: string;
  deletion: string;
  destroyed: boolean;
}

/** OpenBao's response envelope around `data`. */
export function envelope(data: unknown, requestId: string = crypto.randomUUID()): Record<string, unknown> {
  return {
    request_id: requestId,
    lease_id: "",
    renewable: false,
    lease_duration: 0,
    data,
    wrap_info: null,
    warnings: null,
    auth: null,
  };
}

/** `{"errors": [...]}` with a status. */
export function errors(status: number, ...messages: string[]): VaultReply {
  return { status, body: { errors: messages } };
}

/** OpenBao's policy refusal (a valid token without the capability). */
export const POLICY_DENIED: VaultReply = errors(403, "1 error occurred:\n\t* permission denied\n\n");
/** OpenBao's refusal of a missing or unknown token. */
export const TOKEN_DENIED: VaultReply = errors(403, "permission denied");
/** A sealed vault. */
export const SEALED: VaultReply = errors(503, "Vault is sealed");

/** RFC 3339 with nanoseconds, like Go's `time.RFC3339Nano` (trailing zeros kept: the shape is what matters). */
function now(): string {
  const iso = new Date().toISOString(); // …T00:00:00.123Z
  const extra = String(Math.floor(Math.random() * 1e6)).padStart(6, "0");
  return iso.replace("Z", `${extra}Z`);
}

function randomToken(prefix: string, n: number): string {
  const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  return prefix + Array.from(bytes, (b) => abc[b % abc.length]).join("");
}

/** The versioned secrets of one scenario. */
export class KvStore {
  readonly mounts: ReadonlySet<string>;
  readonly #secrets = new Map<string, Stored[]>();

  /**
   * @param mounts the KVv2 mounts
   * @param secrets the initial secrets
   */
  constructor(mounts: readonly string[], secrets: readonly BaoSecret[]) {
    this.mounts = new Set(mounts);
    for (const s of secrets) {
      const mount = s.mount ?? "secret";
      for (const v of s.versions) {
        this.write(mount, s.path, v.data);
        const n = this.#versions(mount, s.path)?.length ?? 0;
        if (v.state === "deleted") this.deleteVersions(mount, s.path, [n]);
        if (v.state === "destroyed") this.destroyVersions(mount, s.path, [n]);
      }
    }
  }

  #versions(mount: string, path: string): Stored[] | undefined {
    return this.#secrets.get(`${mount}\u0000${path}`);
  }

  /** Write a new version; the write's answer (200, its metadata). */
  write(mount: string, path: string, data: unknown): VaultReply {
    if (data === null || typeof data !== "object" || Array.isArray(data)) {
      return errors(400, "no data provided");
    }
    const key = `${mount}\u0000${path}`;
    let list = this.#secrets.get(key);
    if (list === undefined) {
      if (this.#secrets.size >= KV_LIMITS.secrets) return errors(400, "mock store is full");
      list = [];
      this.#secrets.set(key, list);
    }
    if (list.length >= KV_LIMITS.versions) return errors(400, "mock store: too many versions");
    list.push({ data: data as Record<string, unknown>, created: now(), deletion: "", destroyed: false });
    return { status: 200, body: envelope(this.#metadata(list, list.length)) };
  }

  #metadata(list: Stored[], version: number): Record<string, unknown> {
    const v = list[version - 1];
    return {
      created_time: v?.created ?? "",
      custom_metadata: null,
      deletion_time: v?.deletion ?? "",
      destroyed: v?.destroyed ?? false,
      version,
    };
  }

  /**
   * Read a version (0: the latest): 200 with data; 404 with the envelope (data null) for a deleted
   * or destroyed version; 404 `{"errors": []}` for a missing path or version.
   */
  read(mount: string, path: string, version: number): VaultReply {
    const list = this.#versions(mount, path);
    const n = version === 0 ? list?.length ?? 0 : version;
    const v = list?.[n - 1];
    if (list === undefined || v === undefined) return errors(404);
    const gone = v.destroyed || v.deletion !== "";
    return {
      status: gone ? 404 : 200,
      body: envelope({ data: gone ? null : structuredClone(v.data), metadata: this.#metadata(list, n) }),
    };
  }

  /** Soft-delete versions (missing ones are ignored, as OpenBao does): 204. */
  deleteVersions(mount: string, path: string, versions: readonly number[]): VaultReply {
    const list = this.#versions(mount, path) ?? [];
    for (const n of versions) {
      const v = list[n - 1];
      if (v && v.deletion === "" && !v.destroyed) v.deletion = now();
    }
    return { status: 204, body: null };
  }

  /** Soft-delete the latest version: 204. */
  deleteLatest(mount: string, path: string): VaultReply {
    return this.deleteVersions(mount, path, [this.#versions(mount, path)?.length ?? 0]);
  }

  /** Destroy versions (their data is dropped): 204. */
  destroyVersions(mount: string, path: string, versions: readonly number[]): VaultReply {
    const list = this.#versions(mount, path) ?? [];
    for (const n of versions) {
      const v = list[n - 1];
      if (v) {
        v.destroyed = true;
        v.data = {};
      }
    }
    return { status: 204, body: null };
  }
}

interface Wrapped {
  reply: VaultReply;
  expires: number;
}

/** Response-wrapping tokens: each unwraps once, before its TTL ends. */
export class WrapStore {
  readonly #live = new Map<string, Wrapped>();
  /** every wrapping token ever issued (so records can mask them) */
  readonly issued: string[] = [];

  /**
   * Wrap an answer: the 200 `wrap_info` envelope OpenBao sends instead of it.
   *
   * @param reply the answer to keep for the unwrap
   * @param ttlS the wrapping TTL, seconds
   * @param creationPath the logical path the answer came from
   */
  wrap(reply: VaultReply, ttlS: number, creationPath: string): VaultReply {
    if (this.#live.size >= KV_LIMITS.wraps) return errors(400, "mock: too many live wrapping tokens");
    const token = randomToken("s.", 24);
    this.issued.push(token);
    if (this.issued.length > KV_LIMITS.wraps) this.issued.shift();
    this.#live.set(token, { reply, expires: Date.now() + ttlS * 1000 });
    const info = {
      token,
      accessor: randomToken("", 24),
      ttl: ttlS,
      creation_time: now(),
      creation_path: creationPath,
    };
    return { status: 200, body: { ...envelope(null, ""), wrap_info: info } };
  }

  /** Unwrap once: the kept answer (with a fresh request id), else OpenBao's 400. */
  unwrap(token: string): VaultReply {
    const w = this.#live.get(token);
    this.#live.delete(token);
    if (w === undefined || Date.now() > w.expires) {
      return errors(400, "wrapping token is not valid or does not exist");
    }
    const body = w.reply.body as Record<string, unknown>;
    return { status: w.reply.status, body: { ...body, request_id: crypto.randomUUID() } };
  }
}

/**
 * Parse `X-Vault-Wrap-TTL`: whole seconds, or a Go duration ("60s", "1m30s", "1.5h").
 *
 * @param v the header value
 * @returns seconds (0: no wrapping), or the 400's message
 */
export function parseWrapTtl(v: string): { ok: true; seconds: number } | { ok: false; error: string } {
  const bad = {
    ok: false as const,
    error: `error parsing X-Vault-Wrap-TTL header: time: invalid duration "${v}"`,
  };
  if (/^\d+$/.test(v)) return { ok: true, seconds: Number(v) };
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(v)) return bad;
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, "µs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let s = 0;
  for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    s += Number(m[1]) * (unit[m[2] ?? "s"] ?? 1);
  }
  return { ok: true, seconds: Math.floor(s) };
}
