// A TLS front for the conformance kit, run under Node (`node _front.mjs`): Node's OpenSSL can
// still serve what Deno's TLS (rustls) cannot (TLS 1.0/1.1, pinned versions, weak suites, RSA-1024
// keys). It reads its configuration as one JSON line on stdin, listens on 127.0.0.1:0, prints
// {"port":N}, and pipes each accepted connection's plaintext to 127.0.0.1:<upstreamPort>. One JSON
// line per connection on stdout: {"event":"handshake",...} or {"event":"tls_error",...}. It exits
// when its stdin closes (the kit is gone), so it never outlives the kit. Keys arrive on stdin only.
import net from "node:net";
import tls from "node:tls";

const MAX_CONFIG_BYTES = 1 << 20;
const MAX_MESSAGE = 300;
const MAX_CONNECTIONS = 64;
const MAX_EVENTS = 10_000;

let emitted = 0;
function emit(obj) {
  if (emitted++ >= MAX_EVENTS) return;
  process.stdout.write(JSON.stringify(obj) + "\n");
}
function fail(message) {
  process.stdout.write(
    JSON.stringify({ event: "fatal", message: String(message).slice(0, MAX_MESSAGE) }) + "\n",
  );
  process.exit(2);
}
const short = (e) => String(e && e.message ? e.message : e).trim().slice(0, MAX_MESSAGE);

// Deno puts its own "node" shim on the PATH of programs it runs when Node.js is missing; its TLS is
// rustls, which cannot serve what this front is for, so it must not pass for Node.
if (process.versions.deno) {
  fail(
    `"node" here is Deno's Node.js compatibility shim (${process.execPath}), not Node.js: install Node.js 18+ from https://nodejs.org or your package manager (legacy and version-pinned TLS needs Node's OpenSSL)`,
  );
}

let buf = "";
let started = false;
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  if (started) return;
  buf += chunk;
  if (buf.length > MAX_CONFIG_BYTES) fail("configuration line too long");
  const nl = buf.indexOf("\n");
  if (nl < 0) return;
  started = true;
  let config;
  try {
    config = JSON.parse(buf.slice(0, nl));
  } catch (e) {
    fail(`bad configuration: ${short(e)}`);
  }
  buf = "";
  start(config);
});
// the kit is gone (or closed us): leave at once
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));

function start(c) {
  let ciphers = c.ciphers;
  if (c.secLevel0) ciphers = `${ciphers ?? "DEFAULT"}:@SECLEVEL=0`;
  let server;
  try {
    server = tls.createServer({
      cert: c.certChainPem,
      key: c.keyPem,
      ...(c.minVersion ? { minVersion: c.minVersion } : {}),
      ...(c.maxVersion ? { maxVersion: c.maxVersion } : {}),
      ...(ciphers ? { ciphers } : {}),
      handshakeTimeout: c.handshakeTimeoutMs ?? 10_000,
    });
  } catch (e) {
    fail(`cannot serve this configuration: ${short(e)}`);
  }
  server.maxConnections = MAX_CONNECTIONS;
  server.on("secureConnection", (socket) => {
    const cipher = socket.getCipher();
    emit({
      event: "handshake",
      protocol: socket.getProtocol() ?? "unknown",
      cipher: cipher?.standardName ?? cipher?.name ?? "unknown",
      servername: typeof socket.servername === "string" ? socket.servername : null,
    });
    const up = net.connect(c.upstreamPort, "127.0.0.1");
    const end = () => {
      socket.destroy();
      up.destroy();
    };
    socket.on("error", end);
    up.on("error", end);
    socket.on("close", () => up.end());
    up.on("close", () => socket.end());
    socket.pipe(up);
    up.pipe(socket);
    socket.setTimeout(c.idleTimeoutMs ?? 30_000, end);
  });
  server.on("tlsClientError", (err, socket) => {
    emit({ event: "tls_error", message: short(err), code: typeof err?.code === "string" ? err.code : null });
    socket?.destroy();
  });
  server.on("error", (e) => fail(`server error: ${short(e)}`));
  server.listen(0, "127.0.0.1", () => {
    process.stdout.write(JSON.stringify({ port: server.address().port }) + "\n");
  });
}
