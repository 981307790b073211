// Generates the field run's throwaway test issuer (RS256) into .keys/ once (idempotent); the kit
// mints tokens with the private key, the app verifies with the public key. Never committed.
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";

const dir = new URL("./.keys/", import.meta.url);
if (!existsSync(new URL("issuer.pub.pem", dir))) {
  mkdirSync(dir, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  writeFileSync(new URL("issuer.pem", dir), privateKey.export({ type: "pkcs8", format: "pem" }), {
    mode: 0o600,
  });
  writeFileSync(new URL("issuer.pub.pem", dir), publicKey.export({ type: "spki", format: "pem" }));
}
