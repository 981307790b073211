// One TLS handshake for the conformance kit, run under Node (`node _probe.mjs`): a Node client can
// still offer TLS 1.0/1.1 and weak suites, and shows the chain the server presented. Reads its
// configuration as one JSON line on stdin, prints one JSON line on stdout, and exits; it also exits
// when its stdin closes (the kit is gone). It never sends application data.
import net from "node:net";
import tls from "node:tls";

const MAX_CONFIG_BYTES = 1 << 20;
const MAX_MESSAGE = 300;
const MAX_CHAIN = 10;

const short = (e) => String(e && e.message ? e.message : e).trim().slice(0, MAX_MESSAGE);
let done = false;
function finish(obj) {
  if (done) return;
  done = true;
  process.stdout.write(JSON.stringify(obj) + "\n", () => process.exit(0));
}

// Deno puts its own "node" shim on the PATH of programs it runs when Node.js is missing; its TLS is
// rustls, which cannot offer what this probe is for, so it must not pass for Node.
if (process.versions.deno) {
  finish({
    kind: "unavailable",
    hint:
      `"node" here is Deno's Node.js compatibility shim (${process.execPath}), not Node.js: install Node.js 18+ from https://nodejs.org or your package manager (legacy and version-pinned TLS needs Node's OpenSSL)`,
  });
}

let buf = "";
let started = false;
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  if (started) return;
  buf += chunk;
  if (buf.length > MAX_CONFIG_BYTES) finish({ kind: "error", message: "configuration line too long" });
  const nl = buf.indexOf("\n");
  if (nl < 0) return;
  started = true;
  let config;
  try {
    config = JSON.parse(buf.slice(0, nl));
  } catch (e) {
    finish({ kind: "error", message: `bad configuration: ${short(e)}` });
    return;
  }
  probe(config);
});
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));

/** The chain as Node links it (leaf first; Node may append a root from the trust store). */
function chainOf(socket) {
  const out = [];
  const seen = new Set();
  let cert = socket.getPeerCertificate(true);
  while (cert && cert.raw && out.length < MAX_CHAIN) {
    const b64 = cert.raw.toString("base64");
    if (seen.has(b64)) break;
    seen.add(b64);
    out.push(b64);
    cert = cert.issuerCertificate;
  }
  return out;
}

function probe(c) {
  let ciphers = c.ciphers;
  if (c.secLevel0) ciphers = `${ciphers ?? "DEFAULT"}:@SECLEVEL=0`;
  let secureContext;
  try {
    secureContext = tls.createSecureContext({
      ...(c.minVersion ? { minVersion: c.minVersion } : {}),
      ...(c.maxVersion ? { maxVersion: c.maxVersion } : {}),
      ...(ciphers ? { ciphers } : {}),
      ...(Array.isArray(c.caPem) && c.caPem.length > 0 ? { ca: [...tls.rootCertificates, ...c.caPem] } : {}),
      ...(c.certPem && c.keyPem ? { cert: c.certPem, key: c.keyPem } : {}),
    });
  } catch (e) {
    // this Node's OpenSSL cannot offer what was asked (e.g. no 3DES suites in this build)
    finish({ kind: "unavailable", hint: `this Node's OpenSSL cannot offer it: ${short(e)}` });
    return;
  }
  let connected = false;
  const socket = tls.connect({
    ...(c.path ? { path: c.path } : { host: c.host, port: c.port }),
    secureContext,
    ...(Array.isArray(c.alpn) ? { ALPNProtocols: c.alpn } : {}),
    ...(c.servername && net.isIP(c.servername) === 0 ? { servername: c.servername } : {}),
    rejectUnauthorized: false,
  });
  socket.setTimeout(c.timeoutMs ?? 5_000, () => {
    finish({
      kind: "refused",
      stage: connected ? "timeout" : "connect",
      message: `no answer within ${c.timeoutMs} ms`,
    });
    socket.destroy();
  });
  socket.on("connect", () => connected = true);
  socket.on("secureConnect", () => {
    const cipher = socket.getCipher();
    finish({
      kind: "handshake",
      protocol: socket.getProtocol() ?? "unknown",
      cipher: cipher?.standardName ?? cipher?.name ?? "unknown",
      chainDer: chainOf(socket),
      authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
    });
    socket.destroy();
  });
  socket.on("error", (e) => {
    finish({ kind: "refused", stage: connected ? "handshake" : "connect", message: short(e) });
    socket.destroy();
  });
  socket.on(
    "close",
    () =>
      finish({ kind: "refused", stage: connected ? "handshake" : "connect", message: "connection closed" }),
  );
}
