/**
 * A recorded request for the evidence-page tests (`html_test.ts`, `html_browser_test.ts`).
 *
 * @module
 */
import type { RecordedRequest } from "../../schema/evidence.ts";

/**
 * A GET of `/always-503` over HTTPS at `t` ms, with `over` applied.
 *
 * @param t when it arrived, in ms
 * @param over fields to replace
 * @returns the request
 */
export function recordedRequest(t: number, over: Partial<RecordedRequest> = {}): RecordedRequest {
  return {
    t,
    method: "GET",
    path: "/always-503",
    query: "",
    headers: { accept: "application/json" },
    bodySize: 0,
    body: "",
    connection: "https:1",
    listener: "https",
    ...over,
  };
}
