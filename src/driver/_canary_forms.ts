/**
 * The searchable forms of a canary and the separators the matcher ignores (internal to `canary.ts`).
 *
 * @module
 */

/** One searchable form of a canary. */
export interface CanaryFormText {
  form: "raw" | "url-encoded" | "base64" | "fragment" | "hex";
  /** the text to look for (hex and raw forms also match in any case and with separators) */
  text: string;
}

/** Length of the runs of a canary that count as a leak ("any 12-character run of it"). */
export const FRAGMENT_LENGTH = 12;
const W = FRAGMENT_LENGTH;

function base64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function urlSafe(b64: string): string {
  return b64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** The 16 raw bytes of a `ronc_` + 32 hex canary, or undefined for any other token. */
function rawBytes(canary: string): Uint8Array | undefined {
  const m = /^ronc_([0-9a-f]{32})$/i.exec(canary);
  if (!m?.[1]) return undefined;
  return Uint8Array.from(m[1].match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** Whether a run has enough variety to be told apart from ordinary text ("aaaaaaaaaaaa" has not). */
function varied(run: string): boolean {
  return new Set(run).size >= 4;
}

/**
 * Every searchable form of a canary (see the module doc and docs/PROTOCOL.md § "Canaries").
 *
 * @param canary the canary
 * @returns the forms, most specific first, without duplicates
 */
export function formsOf(canary: string): CanaryFormText[] {
  const out: CanaryFormText[] = [];
  const seen = new Set<string>();
  const add = (form: CanaryFormText["form"], text: string) => {
    if (text.length === 0 || seen.has(text)) return;
    seen.add(text);
    out.push({ form, text });
  };
  if (canary.length === 0) return out;
  add("raw", canary);
  add("url-encoded", encodeURIComponent(canary));
  add("url-encoded", new URLSearchParams({ x: canary }).toString().slice(2));
  const enc = new TextEncoder();
  const upper = canary.toUpperCase();
  for (const plain of [canary, upper, `Bearer ${canary}`, `user:${canary}`]) {
    const b64 = base64(enc.encode(plain));
    add("base64", b64);
    add("base64", urlSafe(b64));
  }
  // The bytes at each alignment inside a longer base64 text: only the 4-char groups made of them alone.
  const raw16 = rawBytes(canary);
  for (const bytes of [enc.encode(canary), enc.encode(upper), ...(raw16 ? [raw16] : [])]) {
    if (bytes === raw16) add("base64", base64(bytes));
    for (let k = 0; k < 3; k++) {
      const padded = new Uint8Array(k + bytes.length);
      padded.set(bytes, k);
      const core = base64(padded).slice(k === 0 ? 0 : 4, Math.floor(padded.length / 3) * 4);
      if (core.length >= W) {
        add("base64", core);
        add("base64", urlSafe(core));
      }
    }
  }
  const hx = hex(enc.encode(canary));
  if (hx.length >= 2 * W) {
    add("hex", hx);
    for (let i = 0; i + 2 * W <= hx.length; i += 2) {
      const run = hx.slice(i, i + 2 * W);
      if (varied(run)) add("hex", run);
    }
  }
  if (canary.length > W) {
    for (let i = 0; i + W <= canary.length; i++) {
      const run = canary.slice(i, i + W);
      // A run with almost no variety ("aaaaaaaaaaaa") would match ordinary text: skip it.
      if (varied(run)) add("fragment", run);
    }
  }
  return out;
}

/** The separators view 1 ignores (also used by the report writer's tests). */
export const SEPARATOR_RANGES: readonly (readonly [number, number])[] = [
  [0x00, 0x20], // C0 controls, NUL (UTF-16 text), whitespace, space
  [0x25, 0x25], // %
  [0x2d, 0x2d], // -
  [0x3a, 0x3a], // :
  [0x7f, 0xa0], // DEL, C1 controls, no-break space
  [0xad, 0xad], // soft hyphen
  [0x61c, 0x61c], // Arabic letter mark
  [0x180e, 0x180e], // Mongolian vowel separator
  [0x2000, 0x200f], // spaces, zero-width space/joiners, LRM/RLM
  [0x2028, 0x202f], // line/paragraph separators, bidi embeddings and overrides, narrow no-break space
  [0x205f, 0x206f], // word joiner, invisible operators, bidi isolates
  [0x3000, 0x3000], // ideographic space
  [0xfeff, 0xfeff], // BOM / zero-width no-break space
  [0xfff9, 0xfffb], // interlinear annotation controls
];
