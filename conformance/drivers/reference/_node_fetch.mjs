// One HTTPS request through Node's OpenSSL, for the reference driver's TLS mutants (test-only):
// `node _node_fetch.mjs`, configuration as one JSON line on stdin, one JSON line out. Its TLS is
// strict (TLS 1.2+, OpenSSL security level 2, the given CA, hostname checked) unless the
// configuration relaxes exactly one thing: a certificate error it lets through, the hostname check,
// the security level, the protocol versions or the signature algorithms. Nothing is written to
// the socket before the certificate has been judged. It never writes to disk.
import http from "node:http";
import net from "node:net";
import tls from "node:tls";

const MAX_CONFIG = 1 << 24;
const MAX_BODY = 32 << 20;

function reply(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n", () => process.exit(0));
}

function cnOnly(host, cert) {
  // the mistake of old clients: match the common name and ignore the SAN
  if (cert?.subject?.CN === host) return undefined;
  return Object.assign(new Error(`common name ${cert?.subject?.CN ?? "(none)"} is not ${host}`), {
    code: "ERR_TLS_CERT_ALTNAME_INVALID",
  });
}

function run(c) {
  const u = new URL(c.url);
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const port = Number(u.port || 443);
  const t = c.tls ?? {};
  const socket = tls.connect({
    host,
    port,
    ...(net.isIP(host) ? {} : { servername: host }),
    ...(c.ca ? { ca: c.ca } : {}),
    rejectUnauthorized: false, // judged below, before anything is sent
    minVersion: t.minVersion ?? "TLSv1.2",
    maxVersion: t.maxVersion ?? "TLSv1.3",
    ciphers: `DEFAULT:@SECLEVEL=${t.secLevel ?? 2}`,
    ...(t.sigalgs ? { sigalgs: t.sigalgs } : {}),
    ALPNProtocols: ["http/1.1"],
    checkServerIdentity: t.hostname === "skip"
      ? () => undefined
      : t.hostname === "cn-only"
      ? cnOnly
      : tls.checkServerIdentity,
  });
  socket.once(
    "error",
    (e) => reply({ ok: false, message: `TLS handshake failed: ${e.message}`, code: e.code ?? null }),
  );
  socket.once("secureConnect", () => {
    const err = socket.authorized ? null : String(socket.authorizationError);
    if (err !== null && !(t.allowErrors ?? []).includes(err)) {
      socket.destroy();
      reply({ ok: false, message: `certificate refused: ${err}`, code: err });
      return;
    }
    // plain `http` over the TLS socket judged above (https.request would open its own connection)
    const req = http.request({
      method: c.method,
      host,
      port,
      path: u.pathname + u.search,
      headers: { ...Object.fromEntries(c.headers), connection: "close" },
      createConnection: () => socket,
    });
    req.once(
      "error",
      (e) => reply({ ok: false, message: `request failed: ${e.message}`, code: e.code ?? null }),
    );
    req.once("response", (res) => {
      const chunks = [];
      let size = 0;
      res.on("data", (d) => {
        size += d.length;
        if (size > MAX_BODY) res.destroy(new Error("body too large"));
        else chunks.push(d);
      });
      res.once("error", (e) => reply({ ok: false, message: `body failed: ${e.message}`, code: null }));
      res.once("end", () =>
        reply({
          ok: true,
          status: res.statusCode,
          statusText: res.statusMessage ?? "",
          headers: res.rawHeaders,
          body: Buffer.concat(chunks).toString("base64"),
          protocol: socket.getProtocol(),
        }));
    });
    req.end(c.body ?? undefined);
  });
}

if (process.versions.deno) {
  // Deno's "node" shim (put on the PATH when Node.js is missing) cannot relax rustls: not a mutant
  reply({ ok: false, message: "node is Deno's compatibility shim here, not Node.js", code: null });
}

let buf = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  buf += chunk;
  if (buf.length > MAX_CONFIG) reply({ ok: false, message: "configuration too long", code: null });
  const nl = buf.indexOf("\n");
  if (nl < 0) return;
  process.stdin.pause();
  try {
    run(JSON.parse(buf.slice(0, nl)));
  } catch (e) {
    reply({ ok: false, message: `bad configuration: ${e?.message ?? e}`, code: null });
  }
});
