/** Keys and certificate requests as the stack's helpers and hosts make them, for tests of the engine CA. */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";

/** A fresh EC P-256 key (PEM), as `npm run tls -- keys` makes them. */
export function ecKey(): string {
  return generateKeyPairSync("ec", { namedCurve: "P-256", privateKeyEncoding: { type: "sec1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;
}

/** A certificate request for a fresh P-256 key, made by openssl as a host's key step makes it. */
export function certificateRequest(subject: string): string {
  return execFileSync(
    "openssl",
    ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "/dev/null", "-subj", subject],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
  );
}
