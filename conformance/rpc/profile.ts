/**
 * The `rpc` profile: plugin executables in any language, certified by playing HashiCorp
 * go-plugin's host (seed 004): magic cookie, handshake, AutoMTLS, TLS versions, Unix socket,
 * loopback binding, health, shutdown, keys and the server certificate (`deno task certify:rpc`).
 *
 * @module
 */
import { defineProfile, type Profile } from "../../src/engine/profile.ts";
import { RPC_MUTANTS } from "./_ref_plugin.ts";
import { RPC_FLAGS, rpcSession } from "./_session.ts";
import { rpcAreas } from "./mod.ts";

/** The `rpc` profile. */
export const rpcProfile: Profile = defineProfile({
  name: "rpc",
  task: "certify:rpc",
  title: "plugin executables (HashiCorp go-plugin protocol), with the kit as their host",
  home: "conformance/rpc",
  idSegments: 3,
  capabilities: ["plugin", "grpc", "unix_socket", "auto_mtls"],
  flags: RPC_FLAGS,
  defaultConcurrency: 4,
  selftestConcurrency: 3,
  areas: rpcAreas,
  mutants: RPC_MUTANTS,
  start: (env) => Promise.resolve({ ok: true, value: rpcSession(env.seed) }),
});
