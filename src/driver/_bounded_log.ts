/**
 * A log that keeps the last `max` characters of what it is given and counts
 * everything. Internal to the driver host.
 *
 * @module
 */

/** One kept entry. */
export interface LogEntry {
  text: string;
}

/** Keeps the newest entries up to `max` characters in total; counts what it drops. */
export class BoundedLog<E extends LogEntry> {
  #entries: E[] = [];
  #head = 0;
  #kept = 0;
  /** characters seen in total */
  total = 0;
  /** characters dropped (oldest first) */
  dropped = 0;
  readonly #max: number;

  /** @param max characters to keep */
  constructor(max: number) {
    this.#max = Math.max(0, max);
  }

  /**
   * Add an entry, dropping the oldest ones beyond the bound. An entry longer
   * than the bound keeps its tail.
   *
   * @param entry the entry
   * @returns the entries dropped to make room (the new one, cut, counts as kept)
   */
  push(entry: E): E[] {
    this.total += entry.text.length;
    const gone: E[] = [];
    if (entry.text.length > this.#max) {
      this.dropped += entry.text.length - this.#max;
      gone.push({ ...entry });
      entry.text = entry.text.slice(entry.text.length - this.#max);
    }
    this.#entries.push(entry);
    this.#kept += entry.text.length;
    while (this.#kept > this.#max && this.#head < this.#entries.length) {
      const old = this.#entries[this.#head++];
      if (!old) break;
      this.#kept -= old.text.length;
      this.dropped += old.text.length;
      gone.push(old);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    return gone;
  }

  /** @returns the kept entries, oldest first */
  entries(): E[] {
    return this.#entries.slice(this.#head);
  }
}
