/**
 * One gRPC call to a plugin's Unix socket, in a child Deno process that may reach that one socket
 * only (`--allow-net=unix:<path>`, read and write of that path): Deno names a Unix socket in its
 * net permission by its exact path, and a plugin picks the path at random, so the kit's own
 * process (which allows loopback only) cannot connect to it. Reads `{ep, o}` as JSON on stdin (the
 * client key never touches the disk), prints the outcome as one JSON line. Internal to the rpc
 * profile (`_call.ts` runs it).
 *
 * @module
 */
import { type CallOptions, grpcCall } from "./_grpc.ts";
import type { Endpoint } from "./_handshake.ts";
import { base64ToBytes, bytesToBase64 } from "../../src/util/base64.ts";

if (import.meta.main) {
  const input = JSON.parse(await new Response(Deno.stdin.readable).text()) as {
    ep: Endpoint;
    o: Omit<CallOptions, "body"> & { body: string };
  };
  const r = await grpcCall(input.ep, { ...input.o, body: base64ToBytes(input.o.body) });
  const out = {
    ...r,
    ...(r.tls
      ? { tls: { ...r.tls, peerDer: r.tls.peerDer ? bytesToBase64(r.tls.peerDer) : undefined } }
      : {}),
    ...(r.kind === "answer" && r.message ? { message: bytesToBase64(r.message) } : {}),
  };
  await Deno.stdout.write(new TextEncoder().encode(JSON.stringify(out) + "\n"));
  Deno.exit(0);
}
