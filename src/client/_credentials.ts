/**
 * Credentials stage of the reference client: the static token or the token provider, read once per
 * attempt into one whole `Authorization` value, rotated and zeroized on demand. Where the token is
 * kept follows the `tokenStore` setting (the reference keeps it in the instance only).
 *
 * @module
 */
import { type Behaviour, GLOBAL_TOKEN_FILE } from "./_faults.ts";
import { RonConfigError } from "./errors.ts";
import { Secret } from "./secret.ts";
import type { TokenProvider } from "./types.ts";

/** The module-wide token slot of the `process-global` token store. */
let processGlobalToken: string | undefined;

function copy(token: string | Secret): Secret {
  return token instanceof Secret ? new Secret(token.reveal()) : new Secret(token);
}

/** One client's token, or token provider. */
export class Credentials {
  readonly #behaviour: Behaviour;
  #token: Secret | undefined;
  #provider: TokenProvider | undefined;
  #providerCache: string | undefined;
  #lastProvided: Secret | undefined;
  #dropped = false;

  /**
   * @param token the static token (copied)
   * @param provider called for the current token (wins over `token`)
   * @param behaviour the fault settings
   */
  constructor(token: string | Secret | undefined, provider: TokenProvider | undefined, behaviour: Behaviour) {
    this.#behaviour = behaviour;
    if (token !== undefined) this.#token = copy(token);
    this.#provider = provider;
    const value = this.#token?.reveal();
    if (value === undefined) return;
    if (behaviour.tokenStore === "process-global") processGlobalToken = value;
    if (behaviour.tokenStore === "global-file") {
      try {
        Deno.writeTextFileSync(GLOBAL_TOKEN_FILE, value);
      } catch { /* best effort: this is a fault */ }
    }
  }

  /**
   * Replace the static token; the old one is zeroized.
   *
   * @param token the new token (copied)
   */
  rotate(token: string | Secret): void {
    const old = this.#token;
    this.#token = copy(token);
    old?.zeroize();
    if (this.#behaviour.tokenStore === "process-global") processGlobalToken = this.#token.reveal();
  }

  /** Zeroize and drop every token reference; later reads throw `RonConfigError("client closed")`. */
  drop(): void {
    this.#dropped = true;
    this.#token?.zeroize();
    this.#token = undefined;
    this.#lastProvided?.zeroize();
    this.#lastProvided = undefined;
    this.#provider = undefined;
    this.#providerCache = undefined;
  }

  /**
   * The token values currently held, to redact from logs and errors.
   *
   * @returns the static token and the last provided one
   */
  secrets(): string[] {
    const out: string[] = [];
    if (this.#token && !this.#token.zeroized) out.push(this.#token.reveal());
    if (this.#lastProvided && !this.#lastProvided.zeroized) out.push(this.#lastProvided.reveal());
    return out;
  }

  /**
   * The `Authorization` value when nothing needs awaiting (a static token kept in the instance, read
   * whole: the reference's own settings), so a request skips {@linkcode authorization}'s promise chain.
   *
   * @returns `Bearer <token>`, undefined without a token, or `null` when `authorization()` must be awaited
   * @throws RonConfigError when the credentials were dropped (the client closed)
   */
  authorizationNow(): string | undefined | null {
    const b = this.#behaviour;
    if (this.#provider || b.tokenStore !== "instance" || !b.atomicTokenRead) return null;
    const token = this.#token?.reveal();
    if (this.#dropped) throw new RonConfigError("client closed");
    return token === undefined ? undefined : `Bearer ${token}`;
  }

  /**
   * The `Authorization` value of one attempt: one whole token, read once.
   *
   * @returns `Bearer <token>`, or undefined without a token
   * @throws RonConfigError when the credentials were dropped (the client closed) meanwhile
   */
  async authorization(): Promise<string | undefined> {
    const first = await this.#current();
    if (first === undefined) return undefined;
    if (!this.#behaviour.atomicTokenRead) {
      await new Promise((r) => setTimeout(r, 1));
      const second = (await this.#current()) ?? first;
      const half = Math.floor(first.length / 2);
      return `Bearer ${first.slice(0, half)}${second.slice(half)}`;
    }
    return `Bearer ${first}`;
  }

  async #current(): Promise<string | undefined> {
    let token: string | undefined;
    if (this.#provider) {
      token = await this.#provided(this.#provider);
    } else if (this.#token) {
      token = this.#token.reveal();
    }
    if (this.#dropped) throw new RonConfigError("client closed");
    return await this.#stored(token);
  }

  async #provided(provider: TokenProvider): Promise<string> {
    const everyAttempt = this.#behaviour.callProviderEveryAttempt;
    let token: string;
    if (!everyAttempt && this.#providerCache !== undefined) {
      token = this.#providerCache;
    } else {
      const v = await provider();
      token = v instanceof Secret ? v.reveal() : v;
      if (!everyAttempt) this.#providerCache = token;
      const last = this.#lastProvided;
      if (last === undefined || last.zeroized || last.reveal() !== token) {
        last?.zeroize();
        this.#lastProvided = new Secret(token);
      }
    }
    if (this.#behaviour.tokenStore === "process-global") processGlobalToken = token;
    if (this.#behaviour.tokenStore === "global-file") {
      try {
        await Deno.writeTextFile(GLOBAL_TOKEN_FILE, token);
      } catch { /* fault */ }
    }
    return token;
  }

  /** The token as the `tokenStore` setting keeps it. */
  async #stored(token: string | undefined): Promise<string | undefined> {
    const store = this.#behaviour.tokenStore;
    switch (store) {
      case "instance":
        return token;
      case "process-global":
        return processGlobalToken ?? token;
      case "global-file":
        try {
          return await Deno.readTextFile(GLOBAL_TOKEN_FILE);
        } catch {
          return token;
        }
      case "home-cache-file":
        if (token !== undefined) {
          try {
            const home = Deno.env.get("HOME") ?? ".";
            await Deno.mkdir(`${home}/.ron`, { recursive: true });
            await Deno.writeTextFile(`${home}/.ron/token-cache`, token);
          } catch { /* fault */ }
        }
        return token;
      default: {
        const never: never = store;
        throw new Error(`unknown token store ${String(never)}`);
      }
    }
  }
}
