/**
 * The PEP's in-memory state (seed 003 `grants/grant_cache.py`): grants by key with their uses,
 * cached denies, the JTIs seen, and the PDP questions in flight. Every map is bounded (the oldest
 * entry goes first). One cache may be shared by several clients of a process, which is why the
 * tenant is part of every grant key.
 *
 * @module
 */
import type { Grant } from "./_pdp.ts";

/** One cached grant. */
export interface GrantEntry {
  /** the grant as the PDP issued it */
  readonly grant: Grant;
  /** the sender binding it is bound to: the grant's own, else the binding of the call that got it */
  readonly boundTo: string | null;
  /** when it expires, on the cache's clock (ms) */
  readonly expiresAt: number;
  /** how many reads it has allowed */
  uses: number;
}

/** Options of {@linkcode GrantCache}. */
export interface GrantCacheOptions {
  /** the clock, in ms @default Date.now */
  now?: () => number;
  /** the most entries of each map @default 10000 */
  maxEntries?: number;
}

/** Insert into a bounded map: the oldest entry goes when it is full. */
function putBounded<K, V>(m: Map<K, V>, k: K, v: V, max: number): void {
  m.delete(k);
  while (m.size >= max) {
    const oldest = m.keys().next();
    if (oldest.done) break;
    m.delete(oldest.value);
  }
  m.set(k, v);
}

/**
 * The PEP's state: grants, denies, JTIs, flights.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * let t = 0;
 * const c = new GrantCache({ now: () => t });
 * assert.equal(c.replayed("j1", 1_000), false);
 * assert.equal(c.replayed("j1", 1_000), true);
 * t = 1_001;
 * assert.equal(c.replayed("j1", 1_000), false);
 * ```
 */
export class GrantCache {
  readonly #now: () => number;
  readonly #max: number;
  readonly #grants = new Map<string, GrantEntry>();
  readonly #denies = new Map<string, number>();
  readonly #jtis = new Map<string, number>();
  readonly #flights = new Map<string, Promise<unknown>>();

  /** @param opts the clock and the bound of each map */
  constructor(opts: GrantCacheOptions = {}) {
    this.#now = opts.now ?? Date.now;
    this.#max = opts.maxEntries ?? 10_000;
  }

  /**
   * The cache's clock.
   *
   * @returns now, in ms
   */
  now(): number {
    return this.#now();
  }

  /**
   * The grant cached under a key, expired or not.
   *
   * @param key the grant key
   * @returns the entry, if any
   */
  grant(key: string): GrantEntry | undefined {
    return this.#grants.get(key);
  }

  /**
   * Cache a grant (it replaces any cached deny of the key).
   *
   * @param key the grant key
   * @param entry the grant
   */
  putGrant(key: string, entry: GrantEntry): void {
    this.#denies.delete(key);
    putBounded(this.#grants, key, entry, this.#max);
  }

  /**
   * Until when a deny of a key is cached.
   *
   * @param key the grant key
   * @returns the end of the deny on the cache's clock, if one is cached
   */
  deniedUntil(key: string): number | undefined {
    return this.#denies.get(key);
  }

  /**
   * Cache a deny (it replaces any cached grant of the key).
   *
   * @param key the grant key
   * @param until its end, on the cache's clock
   */
  putDeny(key: string, until: number): void {
    this.#grants.delete(key);
    putBounded(this.#denies, key, until, this.#max);
  }

  /**
   * Whether a JTI was seen within its window; if not, it is recorded now, for `windowMs`.
   *
   * @param jti the token id
   * @param windowMs the anti-replay window (`Infinity`: never accepted again)
   * @returns true when this is a replay
   */
  replayed(jti: string, windowMs: number): boolean {
    const now = this.#now();
    const until = this.#jtis.get(jti);
    if (until !== undefined && until > now) return true;
    putBounded(this.#jtis, jti, now + windowMs, this.#max);
    return false;
  }

  /**
   * The PDP question in flight for a key, if any.
   *
   * @param key the grant key
   * @returns its promise
   */
  flight(key: string): Promise<unknown> | undefined {
    return this.#flights.get(key);
  }

  /**
   * Record a PDP question in flight for a key, until it settles.
   *
   * @param key the grant key
   * @param p the question's promise
   */
  putFlight(key: string, p: Promise<unknown>): void {
    this.#flights.set(key, p);
    const clear = () => {
      if (this.#flights.get(key) === p) this.#flights.delete(key);
    };
    p.then(clear, clear);
  }
}
