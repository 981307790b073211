/**
 * `rpc.health.serving`: over mTLS with its host's certificate, the plugin's grpc.health.v1 service
 * reports SERVING for its health service name ("plugin" in go-plugin).
 *
 * @module
 */
import { verdict } from "../../src/engine/types.ts";
import { type RpcCheck, rpcCheck, sharedReady } from "./_context.ts";
import { describeCall, grpcCall, healthRequest, healthStatus, SERVING_STATUS } from "./_grpc.ts";

const serving: RpcCheck = rpcCheck({
  id: "rpc.health.serving",
  title:
    "Over mTLS with its host's certificate, grpc.health.v1.Health/Check for the health service answers SERVING",
  level: "MUST",
  source: "004 § Security Monitoring",
  rationale:
    "go-plugin's host pings the health service to know the plugin is alive; without it the host cannot tell a hung plugin from a working one.",
  requires: ["plugin", "grpc"],
  mutants: ["no-health"],
  async run(ctx) {
    const r = await sharedReady(ctx);
    if ("verdict" in r) return r.verdict;
    const service = ctx.target.healthService;
    const call = await grpcCall(r.hs.endpoint!, {
      identity: ctx.host,
      path: "/grpc.health.v1.Health/Check",
      body: healthRequest(service),
      timeoutMs: 5000,
    });
    const notes = [`Check(${JSON.stringify(service)}): ${describeCall(call)}`];
    if (call.kind !== "answer") return verdict.error(`cannot judge: ${describeCall(call)}`, { notes });
    if (call.grpcStatus !== 0) {
      return verdict.fail(
        `the health check failed with gRPC status ${call.grpcStatus ?? "(none)"}${
          call.grpcStatus === 12 ? " (UNIMPLEMENTED: no health service)" : ""
        }${call.grpcMessage ? `: ${call.grpcMessage}` : ""}`,
        { notes },
      );
    }
    const status = call.message === undefined ? undefined : healthStatus(call.message);
    if (status !== 1) {
      return verdict.fail(
        `the health service answered ${
          status === undefined ? "an unreadable message" : SERVING_STATUS[status] ?? `status ${status}`
        }, not SERVING`,
        { notes },
      );
    }
    return verdict.pass({ notes });
  },
});

/** The health check. */
export const checks: readonly RpcCheck[] = [serving];
