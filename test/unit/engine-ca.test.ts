// The engine CA made in the program: certificates that chain, name what they
// must, and come out byte for byte the same within a period, new in the next.
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPublicKey, generateKeyPairSync, X509Certificate } from "node:crypto";
import { certificateRequest, ecKey } from "../support/tls-keys";
import { subjectAltNames } from "../../components/tls/engine-ca";
import { caCertificate, clientCertificate, engineCertificate, managerCertificate, terms, validity } from "../../components/tls/engine-certificates";

const day = 24 * 3600 * 1000;

describe("engine CA", () => {
  const caKey = ecKey();
  const clientKey = ecKey();
  const csr = certificateRequest("/CN=host4");
  const now = new Date(Date.UTC(2026, 10, 26, 12));

  it("signs a CA, a client, an engine and a manager certificate that chain to it, with the uses each needs", async () => {
    const ca = new X509Certificate(await caCertificate(caKey, now));
    const client = new X509Certificate(await clientCertificate(caKey, clientKey, now));
    const engine = new X509Certificate(await engineCertificate(caKey, csr, ["host4", "10.0.0.4", "127.0.0.1", "host4"], now));
    const manager = new X509Certificate(await managerCertificate(caKey, csr, "host4", now));
    assert.ok(ca.ca, "the CA is a CA");
    assert.ok(ca.verify(ca.publicKey), "self-signed");
    for (const leaf of [client, engine, manager]) {
      assert.ok(leaf.verify(ca.publicKey), `${leaf.subject} is signed by the CA`);
      assert.equal(leaf.ca, false);
      assert.ok(leaf.checkIssued(ca));
    }
    assert.equal(engine.subject, "CN=host4", "the subject the host asked for");
    assert.equal(engine.subjectAltName, "DNS:host4, IP Address:10.0.0.4, IP Address:127.0.0.1", "each name once");
    assert.deepEqual(engine.keyUsage, ["1.3.6.1.5.5.7.3.1"], "an engine's is a server's only");
    assert.deepEqual(client.keyUsage, ["1.3.6.1.5.5.7.3.2"], "client only");
    assert.deepEqual(manager.keyUsage, ["1.3.6.1.5.5.7.3.2"], "a manager's is a client's only");
    assert.equal(manager.subject, "CN=host4 manager");
    const spki = (cert: X509Certificate) => cert.publicKey.export({ type: "spki", format: "pem" });
    assert.equal(spki(manager), spki(engine), "for the engine's key: the host makes no other");
    assert.equal(client.publicKey.export({ type: "spki", format: "pem" }), createPublicKey(clientKey).export({ type: "spki", format: "pem" }));
    // openssl, as Docker's clients and docker-py's OpenSSL check a chain.
    const verified = execFileSync("sh", ["-c", 'printf %s "$CA" >"$T/ca" && printf %s "$CERT" >"$T/c" && openssl verify -purpose sslserver -CAfile "$T/ca" "$T/c"'], {
      env: { ...process.env, CA: ca.toString(), CERT: engine.toString(), T: execFileSync("mktemp", ["-d"], { encoding: "utf8" }).trim() },
      encoding: "utf8",
    });
    assert.match(verified, /: OK/);
  });

  it("makes the same bytes within a period, so a re-run changes nothing, and new ones in the next", async () => {
    const later = new Date(now.getTime() + 3 * 3600 * 1000);
    assert.equal(await caCertificate(caKey, later), await caCertificate(caKey, now));
    assert.equal(await clientCertificate(caKey, clientKey, later), await clientCertificate(caKey, clientKey, now));
    assert.equal(await engineCertificate(caKey, csr, ["host4"], later), await engineCertificate(caKey, csr, ["host4"], now));
    const nextQuarter = new Date(validity("leaf", now).notBefore.getTime() + day + terms.leaf.periodDays * day);
    assert.notEqual(await engineCertificate(caKey, csr, ["host4"], nextQuarter), await engineCertificate(caKey, csr, ["host4"], now));
    assert.notEqual(await engineCertificate(caKey, csr, ["host4", "host4.lan"], now), await engineCertificate(caKey, csr, ["host4"], now), "a new name, a new certificate");
  });

  it("keeps every certificate valid for at least nine months after any run", () => {
    for (let t = terms.epoch; t < terms.epoch + 12 * 365 * day; t += 7 * day) {
      const at = new Date(t);
      for (const kind of ["ca", "leaf"] as const) {
        const { notBefore, notAfter } = validity(kind, at);
        assert.ok(notBefore <= at, `${kind} valid from before ${at.toISOString()}`);
        assert.ok(notAfter.getTime() - t >= 270 * day, `${kind} made at ${at.toISOString()} lasts nine months`);
      }
    }
  });

  it("refuses a CA key that is not EC P-256, and a request whose signature is wrong", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;
    await assert.rejects(caCertificate(rsa, now), /must be an EC P-256 key/);
    const tampered = csr.replace(/(\n[A-Za-z0-9+/]{10})([A-Za-z0-9+/])/, (_, a, b) => a + (b === "A" ? "B" : "A"));
    await assert.rejects(engineCertificate(caKey, tampered, ["host4"], now));
    await assert.rejects(managerCertificate(caKey, tampered, "host4", now));
  });

  it("writes a request's names as openssl takes them", () => {
    assert.equal(subjectAltNames(["h1", "10.0.0.1", "h1", "::1"]), "DNS:h1,IP:10.0.0.1,IP:::1");
  });
});
