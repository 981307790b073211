/**
 * `Secret`: a string holder that redacts itself everywhere it could be printed.
 *
 * @module
 */

const REDACTED = "[REDACTED]";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Holds a secret (a capability token). `String()`, template literals, `JSON.stringify`,
 * `Deno.inspect` and `console.log` all show `[REDACTED]`; only `.reveal()` returns the value.
 * The value is kept as bytes so `.zeroize()` can overwrite the buffer (best effort: strings returned
 * by `reveal()` earlier are immutable and left to the garbage collector).
 *
 * @example
 * ```ts
 * import { Secret } from "./secret.ts";
 * const s = new Secret("ronc_abc");
 * if (`${s}` !== "[REDACTED]" || JSON.stringify({ s }) !== '{"s":"[REDACTED]"}') throw new Error();
 * if (s.reveal() !== "ronc_abc") throw new Error();
 * s.zeroize();
 * if (!s.zeroized) throw new Error();
 * ```
 */
export class Secret {
  #bytes: Uint8Array;
  #zeroized = false;

  /**
   * Hold a secret (as bytes, so it can be zeroized).
   *
   * @param value the secret text
   */
  constructor(value: string) {
    this.#bytes = encoder.encode(value);
  }

  /**
   * The secret value. Throws after `zeroize()`.
   *
   * @returns the secret text
   */
  reveal(): string {
    if (this.#zeroized) throw new Error("secret was zeroized");
    return decoder.decode(this.#bytes);
  }

  /** Whether `zeroize()` ran. */
  get zeroized(): boolean {
    return this.#zeroized;
  }

  /** Overwrite the held bytes with zeros and drop them (best effort). */
  zeroize(): void {
    this.#bytes.fill(0);
    this.#bytes = new Uint8Array(0);
    this.#zeroized = true;
  }

  /**
   * The text form: never the secret.
   *
   * @returns `[REDACTED]`
   */
  toString(): string {
    return REDACTED;
  }

  /**
   * The JSON form: never the secret.
   *
   * @returns `[REDACTED]`
   */
  toJSON(): string {
    return REDACTED;
  }

  /**
   * The text form: never the secret.
   *
   * @returns `[REDACTED]` for every hint
   */
  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  /**
   * The inspected form: never the secret.
   *
   * @returns `Secret([REDACTED])` for `Deno.inspect` / `console.log`
   */
  [Symbol.for("Deno.customInspect")](): string {
    return `Secret(${REDACTED})`;
  }

  /**
   * The inspected form: never the secret.
   *
   * @returns `Secret([REDACTED])` for Node's `util.inspect`
   */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Secret(${REDACTED})`;
  }
}
