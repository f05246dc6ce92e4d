// How the stack's engine CA makes its certificates: X.509 by
// @peculiar/x509, signed with the CA's key from the stack's config.
//
// A certificate is a pure function of its key, its names and the current
// period: ECDSA signatures are deterministic here (RFC 6979), and validity
// starts at the period's start, so every run within a period makes the same
// bytes, and the next period's first `up` renews (see `terms`).
import "reflect-metadata"; // @peculiar/x509's dependency injection needs it loaded first
import { createHash, createPrivateKey, createPublicKey, webcrypto } from "node:crypto";
import { isIP } from "node:net";
import * as x509 from "@peculiar/x509";
import { p256 } from "@noble/curves/p256";

const day = 24 * 60 * 60 * 1000;

/**
 * How long certificates live, and how often they are made anew: a leaf lives
 * a year and is reissued each quarter, so any `up` in nine months renews it
 * before it expires; the CA lives ten years and is reissued every five.
 * Periods count from `epoch`; validity starts a day before the period, for
 * hosts whose clock is behind.
 */
export const terms = {
  epoch: Date.UTC(2025, 0, 1),
  ca: { periodDays: 5 * 365, validDays: 10 * 365 },
  leaf: { periodDays: 91, validDays: 365 },
};

/** The validity of a certificate of `kind` made at `now`. */
export function validity(kind: "ca" | "leaf", now: Date): { notBefore: Date; notAfter: Date } {
  const { periodDays, validDays } = terms[kind];
  const period = periodDays * day;
  const start = terms.epoch + Math.floor((now.getTime() - terms.epoch) / period) * period;
  return { notBefore: new Date(start - day), notAfter: new Date(start + validDays * day) };
}

/** What a certificate says; the issuer's key signs it. */
interface CertificateSpec {
  /** The subject, as `CN=…`. */
  subject: string;
  /** The subject's public key. */
  publicKey: webcrypto.CryptoKey | x509.PublicKey;
  kind: "ca" | "leaf";
  /** Extended key usages of a leaf. */
  usages?: string[];
  /** DNS names and IP addresses of a server. */
  altNames?: string[];
}

/** A CA key, ready to sign: the WebCrypto key that names the algorithm, and its scalar for deterministic signatures. */
interface Signer {
  key: webcrypto.CryptoKey;
  publicKey: webcrypto.CryptoKey;
  scalar: Uint8Array;
}

const ecdsa = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };

async function signerOf(pem: string): Promise<Signer> {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new Error("the CA key must be an EC P-256 key (npm run tls -- keys makes one)");
  }
  const d = key.export({ format: "jwk" }).d!;
  return {
    key: await webcrypto.subtle.importKey("pkcs8", key.export({ type: "pkcs8", format: "der" }), ecdsa, false, ["sign"]),
    publicKey: await publicKeyOf(pem),
    scalar: new Uint8Array(Buffer.from(d, "base64url")),
  };
}

/** The public half of a PEM private key, as WebCrypto takes it. */
async function publicKeyOf(pem: string): Promise<webcrypto.CryptoKey> {
  const spki = createPublicKey(pem).export({ type: "spki", format: "der" });
  return webcrypto.subtle.importKey("spki", spki, ecdsa, true, ["verify"]);
}

/**
 * WebCrypto with ECDSA signatures by RFC 6979, which WebCrypto lacks: the
 * same certificate signs to the same bytes on every run.
 */
function deterministicCrypto(signer: Signer): webcrypto.Crypto {
  const subtle = webcrypto.subtle;
  const sign = async (_algorithm: unknown, _key: unknown, data: ArrayBuffer | ArrayBufferView) => {
    const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    const digest = new Uint8Array(createHash("sha256").update(bytes).digest());
    return p256.sign(digest, signer.scalar).toCompactRawBytes().buffer;
  };
  const deterministic = new Proxy(subtle, {
    get: (target, prop) => (prop === "sign" ? sign : (Reflect.get(target, prop) as unknown as (...a: unknown[]) => unknown).bind(target)),
  });
  return { getRandomValues: webcrypto.getRandomValues.bind(webcrypto), randomUUID: webcrypto.randomUUID.bind(webcrypto), subtle: deterministic } as webcrypto.Crypto;
}

/** A serial number that names the certificate's content: the same content, the same serial. */
function serialOf(spec: CertificateSpec, altNames: string[], notBefore: Date, publicKeyDer: ArrayBuffer): string {
  const hash = createHash("sha256")
    .update(JSON.stringify([spec.subject, spec.kind, spec.usages ?? [], altNames, notBefore.toISOString()]))
    .update(new Uint8Array(publicKeyDer))
    .digest();
  hash[0] &= 0x7f; // positive, as X.509 requires
  return hash.subarray(0, 16).toString("hex");
}

/** Signs `spec` with `signer`, as issuer `issuer` (the subject itself for the CA). */
async function issue(signer: Signer, issuer: string, spec: CertificateSpec, now: Date): Promise<string> {
  const crypto = deterministicCrypto(signer);
  const publicKey = spec.publicKey instanceof x509.PublicKey ? spec.publicKey : await x509.PublicKey.create(spec.publicKey, crypto);
  const { notBefore, notAfter } = validity(spec.kind, now);
  const ca = spec.kind === "ca";
  const usages = ca
    ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature
    : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(ca, undefined, true),
    new x509.KeyUsagesExtension(usages, true),
    await x509.SubjectKeyIdentifierExtension.create(publicKey, false, crypto),
    await x509.AuthorityKeyIdentifierExtension.create(signer.publicKey, false, crypto),
  ];
  if (spec.usages) extensions.push(new x509.ExtendedKeyUsageExtension(spec.usages));
  const altNames = [...new Set(spec.altNames ?? [])];
  if (altNames.length) {
    extensions.push(new x509.SubjectAlternativeNameExtension(altNames.map((n) => ({ type: isIP(n) ? "ip" : "dns", value: n }))));
  }
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serialOf(spec, altNames, notBefore, publicKey.rawData),
      subject: spec.subject,
      issuer,
      notBefore,
      notAfter,
      publicKey,
      signingKey: signer.key,
      signingAlgorithm: ecdsa,
      extensions,
    },
    crypto,
  );
  return cert.toString("pem") + "\n";
}

const caSubject = "CN=clipper-swarm engine CA";

/** The CA's certificate for `caKey` (PEM), as of `now`. */
export async function caCertificate(caKey: string, now: Date): Promise<string> {
  const signer = await signerOf(caKey);
  return issue(signer, caSubject, { subject: caSubject, publicKey: signer.publicKey, kind: "ca" }, now);
}

/** The operator's client certificate for `clientKey`, signed by `caKey`. */
export async function clientCertificate(caKey: string, clientKey: string, now: Date): Promise<string> {
  const spec: CertificateSpec = { subject: "CN=clipper-swarm operator", publicKey: await publicKeyOf(clientKey), kind: "leaf", usages: [x509.ExtendedKeyUsage.clientAuth] };
  return issue(await signerOf(caKey), caSubject, spec, now);
}

/** The request `csr`, made on a host, once its signature is checked. */
async function verifiedRequest(csr: string): Promise<x509.Pkcs10CertificateRequest> {
  const request = new x509.Pkcs10CertificateRequest(csr);
  if (!(await request.verify())) throw new Error("the engine's certificate request does not carry a valid signature");
  return request;
}

/**
 * An engine's certificate for the key of certificate request `csr`, naming
 * `altNames`: a server's only, so that no engine takes another's as a client.
 */
export async function engineCertificate(caKey: string, csr: string, altNames: string[], now: Date): Promise<string> {
  const request = await verifiedRequest(csr);
  const usages = [x509.ExtendedKeyUsage.serverAuth];
  return issue(await signerOf(caKey), caSubject, { subject: request.subject, publicKey: request.publicKey, kind: "leaf", usages, altNames }, now);
}

/**
 * A swarm manager's client certificate for its engine's key (request `csr`):
 * what it calls its peers' engines with. Workers get none.
 */
export async function managerCertificate(caKey: string, csr: string, hostName: string, now: Date): Promise<string> {
  const request = await verifiedRequest(csr);
  const spec: CertificateSpec = { subject: `CN=${hostName} manager`, publicKey: request.publicKey, kind: "leaf", usages: [x509.ExtendedKeyUsage.clientAuth] };
  return issue(await signerOf(caKey), caSubject, spec, now);
}
