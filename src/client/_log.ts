/**
 * The reference client's debug log: entries are built lazily (only in debug mode), and headers,
 * URLs and bodies are redacted before a logger sees them.
 *
 * @module
 */
import { headersRecord } from "./_context.ts";
import type { ClientConfig } from "./_options.ts";
import { redactHeaders, redactText } from "./redact.ts";
import type { LogEntry } from "./types.ts";

/** The most body text a log entry carries. */
export const LOG_BODY_CHARS = 2_048;

/** One client's debug log. */
export class DebugLog {
  readonly #config: ClientConfig;
  readonly #secrets: () => string[];

  /**
   * @param config the client's configuration (debug flag, logger, redaction settings)
   * @param secrets the token values to redact, read when an entry is built
   */
  constructor(config: ClientConfig, secrets: () => string[]) {
    this.#config = config;
    this.#secrets = secrets;
  }

  /**
   * Log lazily: the entry (and its redaction) is only built in debug mode.
   *
   * @param make builds the entry
   */
  log(make: () => LogEntry): void {
    if (!this.#config.debug) return;
    try {
      this.#config.logger(make());
    } catch { /* a logger must never break a request */ }
  }

  /**
   * Redact a URL or body for the log: the current token, cap-like values, then the caller's hook.
   *
   * @param text the text
   * @returns the redacted text
   */
  text(text: string): string {
    const out = redactText(text, this.#secrets());
    return this.#config.redact ? this.#config.redact(out) : out;
  }

  /**
   * Headers for the log, sensitive values redacted (unless the `redactHeaders` setting is off).
   *
   * @param headers request or response headers
   * @returns a record fit for the log
   */
  headers(headers: Headers | Record<string, string>): Record<string, string> {
    if (this.#config.behaviour.redactHeaders) return redactHeaders(headers, this.#config.redactHeaderNames);
    return headers instanceof Headers ? headersRecord(headers) : { ...headers };
  }
}
