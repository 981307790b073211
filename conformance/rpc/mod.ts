/**
 * The rpc profile's checks, by area file: plugin executables certified by playing HashiCorp
 * go-plugin's host (seed 004).
 *
 * @module
 */
import type { Check } from "../../src/engine/types.ts";
import type { RpcContext } from "./_context.ts";
import { checks as bind } from "./bind.ts";
import { checks as cert } from "./cert.ts";
import { checks as cookie } from "./cookie.ts";
import { checks as handshake } from "./handshake.ts";
import { checks as health } from "./health.ts";
import { checks as keys } from "./keys.ts";
import { checks as mtls } from "./mtls.ts";
import { checks as shutdown } from "./shutdown.ts";
import { checks as socket } from "./socket.ts";
import { checks as tls } from "./tls.ts";

/** Every rpc check, by area file. */
export const rpcAreas: Readonly<Record<string, readonly Check<RpcContext>[]>> = {
  bind,
  cert,
  cookie,
  handshake,
  health,
  keys,
  mtls,
  shutdown,
  socket,
  tls,
};
