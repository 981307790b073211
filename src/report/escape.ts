/**
 * The one escaping module for every output the kit writes: the console, Markdown, HTML, JUnit XML
 * and JSON. Every string a target supplies (a driver's `hello`, an error's `code`, a reply, a
 * server's headers, …) goes through one of these before it is shown, so a target can neither
 * move the cursor, recolour, reorder (bidi overrides) or hide text, nor add lines, table cells,
 * markup or links of its own (e.g. a fake "certification: hardened").
 *
 * Invisible and control characters are shown, not dropped: C0 and C1 controls and DEL as `\x1b`
 * (`\n`, `\r`, `\t` as such), bidi, zero-width and other format characters, line and paragraph
 * separators and lone surrogates as `\u202e`.
 *
 * @module
 */

const INVISIBLE =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The same without `\n` and `\t` (kept where the format shows them as layout: HTML, XML). */
const INVISIBLE_BUT_LAYOUT =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function visible(c: string): string {
  switch (c) {
    case "\n":
      return "\\n";
    case "\r":
      return "\\r";
    case "\t":
      return "\\t";
  }
  const code = c.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * Show every control and invisible character of `s` as a visible escape (see the module doc).
 *
 * @param s any text
 * @returns text with no control, format or bidi character, and no newline
 * @example
 * ```ts
 * import { escConsole } from "./escape.ts";
 * if (escConsole("a\x1b[2Kb\u202ec\nd") !== "a\\x1b[2Kb\\u202ec\\nd") throw new Error();
 * ```
 */
export function escConsole(s: string): string {
  return s.replace(INVISIBLE, visible);
}

/**
 * Like {@link escConsole}, but keeps newlines (for a block of lines the kit itself joined).
 *
 * @param s any text
 * @returns the escaped text
 * @example
 * ```ts
 * import { escConsoleLines } from "./escape.ts";
 * if (escConsoleLines("a\nb\x1bc") !== "a\nb\\x1bc") throw new Error();
 * ```
 */
export function escConsoleLines(s: string): string {
  return s.split("\n").map(escConsole).join("\n");
}

const HTML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escape text for HTML element content and attribute values: entities for `&<>"'`, controls and
 * invisible characters shown (newlines and tabs kept: HTML shows them as white space).
 *
 * @param s any text
 * @returns the escaped text
 * @example
 * ```ts
 * import { escHtml } from "./escape.ts";
 * if (escHtml(`<b title="x">\u202e&`) !== "&lt;b title=&quot;x&quot;&gt;\\u202e&amp;") throw new Error();
 * ```
 */
export function escHtml(s: string): string {
  return s.replace(INVISIBLE_BUT_LAYOUT, visible).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

const XML_ENTITIES: Record<string, string> = { ...HTML_ENTITIES, "'": "&apos;" };

/**
 * Escape text for XML 1.0 content and attributes: entities for `&<>"'`; characters XML cannot
 * carry (controls, lone surrogates, U+FFFE/U+FFFF) and invisible ones shown as escapes, never
 * dropped (dropping one could join the text around it).
 *
 * @param s any text
 * @returns the escaped text
 * @example
 * ```ts
 * import { escXml } from "./escape.ts";
 * if (escXml(`<a b="c">&'\u0001`) !== "&lt;a b=&quot;c&quot;&gt;&amp;&apos;\\x01") throw new Error();
 * ```
 */
export function escXml(s: string): string {
  return s
    .replace(INVISIBLE_BUT_LAYOUT, visible)
    .replace(/[\ufffe\uffff]/g, visible)
    .replace(/[&<>"']/g, (c) => XML_ENTITIES[c] ?? c);
}

/**
 * Escape text for one line of Markdown (a table cell, a list item, a heading): controls and
 * newlines shown, Markdown syntax (`\ ` * _ [ ] | ~ # !`) backslash-escaped, HTML (`& < >`) as
 * entities, so a target cannot add cells, lines, emphasis, links or markup.
 *
 * @param s any text
 * @returns the escaped text
 * @example
 * ```ts
 * import { escMarkdown } from "./escape.ts";
 * // the shown newline's backslash is escaped too, so Markdown renders it as `\n`
 * if (escMarkdown("a|b\n**x** <i>") !== "a\\|b\\\\n\\*\\*x\\*\\* &lt;i&gt;") throw new Error();
 * ```
 */
export function escMarkdown(s: string): string {
  return escConsole(s)
    .replace(/[\\`*_[\]|~#!]/g, "\\$&")
    .replace(/[&<>]/g, (c) => HTML_ENTITIES[c] ?? c);
}

/**
 * Put text in a Markdown code span, whatever backticks it holds (controls and newlines shown).
 *
 * @param s any text
 * @returns the code span
 * @example
 * ```ts
 * import { mdCode } from "./escape.ts";
 * if (mdCode("a`b") !== "``a`b``") throw new Error(mdCode("a`b"));
 * ```
 */
export function mdCode(s: string): string {
  const t = escConsole(s);
  const runs = t.match(/`+/g) ?? [];
  const fence = "`".repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = t.startsWith("`") || t.endsWith("`") || t === "" ? " " : "";
  return `${fence}${pad}${t}${pad}${fence}`;
}

/** Characters JSON.stringify leaves raw that a terminal or viewer acts on (C1, bidi, format, separators). */
const JSON_RAW =
  /[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

/**
 * Make JSON text safe to print: the characters `JSON.stringify` leaves raw but a terminal or
 * viewer acts on (C1 controls, bidi and format characters, line separators) become `\uXXXX`
 * escapes. The parsed value is unchanged.
 *
 * @param json JSON text (from `JSON.stringify`)
 * @returns the same JSON, escaped
 * @example
 * ```ts
 * import { escJsonText } from "./escape.ts";
 * const j = escJsonText(JSON.stringify({ name: "a\u202eb" }));
 * if (j !== '{"name":"a\\u202eb"}' || JSON.parse(j).name !== "a\u202eb") throw new Error(j);
 * ```
 */
export function escJsonText(json: string): string {
  return json.replace(JSON_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
