/**
 * junit.xml: one testcase per check; `fail` → <failure>, `error` → <error>, `not_applicable` →
 * <skipped>. Every text is XML-escaped; characters XML 1.0 cannot carry are shown as escapes.
 *
 * @module
 */
import { type Report, rerunCommand } from "../schema/report.ts";
import { areaOf } from "../engine/certification.ts";
import { escXml } from "./escape.ts";

function secs(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function details(report: Report, r: Report["results"][number]): string {
  const parts: string[] = [`${r.level} ${r.id}: ${r.title}`, `source: ${r.source}`];
  if (r.reason) parts.push(`reason: ${r.reason}`);
  if (r.evidence) parts.push(`evidence: ${JSON.stringify(r.evidence, null, 2)}`);
  parts.push(`re-run: ${rerunCommand(report, r.id)}`);
  return parts.join("\n");
}

/**
 * Render a report as JUnit XML.
 *
 * @param report a (masked) report
 * @returns the XML text
 * @example
 * ```ts
 * import { renderJunit } from "./junit.ts";
 * const xml = renderJunit({
 *   schema: "https://ron-kit.dev/report/v1", kit: { name: "k", version: "0.1.0" }, profile: "sdk",
 *   target: { name: "x", version: "1", language: "ts", capabilities: [] },
 *   results: [{ id: "sdk.a.b", title: "t", level: "MUST", source: "000", outcome: "fail", reason: "a<b",
 *     duration_ms: 5 }],
 *   summary: { pass: 0, fail: 1, not_applicable: 0, error: 0, certification: "none" },
 *   run: { seed: 1, started_at: "1970-01-01T00:00:00.000Z", duration_ms: 5, command: "deno task certify" },
 * });
 * if (!xml.includes('<failure message="a&lt;b"')) throw new Error(xml);
 * ```
 */
export function renderJunit(report: Report): string {
  const s = report.summary;
  const name = `${report.profile} certification of ${report.target.name} ${report.target.version}`;
  const cases = report.results.map((r) => {
    const attrs = `classname="${escXml(`${report.profile}.${areaOf(r.id)}`)}" name="${escXml(r.id)}" time="${
      secs(r.duration_ms)
    }"`;
    switch (r.outcome) {
      case "pass":
        return `    <testcase ${attrs}/>`;
      case "not_applicable":
        return `    <testcase ${attrs}>\n      <skipped message="${
          escXml(r.reason ?? "")
        }"/>\n    </testcase>`;
      case "fail": {
        const tag = r.expected_failure ? "skipped" : "failure";
        const msg = r.expected_failure ? `expected failure: ${r.reason ?? ""}` : r.reason ?? "";
        return `    <testcase ${attrs}>\n      <${tag} message="${escXml(msg)}"${
          tag === "failure" ? ` type="${escXml(r.level)}"` : ""
        }>${escXml(details(report, r))}</${tag}>\n    </testcase>`;
      }
      case "error": {
        const tag = r.expected_failure ? "skipped" : "error";
        const msg = r.expected_failure ? `expected failure: ${r.reason ?? ""}` : r.reason ?? "";
        return `    <testcase ${attrs}>\n      <${tag} message="${escXml(msg)}"${
          tag === "error" ? ` type="kit-or-driver-error"` : ""
        }>${escXml(details(report, r))}</${tag}>\n    </testcase>`;
      }
      default: {
        const _x: never = r.outcome;
        throw new Error(`unknown outcome ${String(_x)}`);
      }
    }
  });
  const count = (o: string, expected: boolean) =>
    report.results.filter((r) => r.outcome === o && Boolean(r.expected_failure) === expected).length;
  const failures = count("fail", false);
  const errors = count("error", false);
  const skipped = s.not_applicable + count("fail", true) + count("error", true);
  const head =
    `tests="${report.results.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${
      secs(report.run.duration_ms)
    }"`;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${escXml(name)}" ${head}>`,
    `  <testsuite name="${escXml(name)}" ${head} timestamp="${escXml(report.run.started_at)}">`,
    `    <properties>`,
    `      <property name="seed" value="${report.run.seed}"/>`,
    `      <property name="certification" value="${escXml(s.certification)}"/>`,
    `      <property name="kit.version" value="${escXml(report.kit.version)}"/>`,
    `    </properties>`,
    ...cases,
    `  </testsuite>`,
    `</testsuites>`,
    ``,
  ].join("\n");
}
