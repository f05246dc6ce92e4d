/**
 * Whether to trust the SSH host key a host shows, judged as OpenSSH judges it:
 * a pinned key first, then known_hosts (its keys, its certificate
 * authorities, its revoked keys); a host known to neither is recorded on
 * first contact (see host-key.ts).
 */
import { createHash } from "node:crypto";
import * as sshpk from "sshpk";
import type { KnownKeys } from "./known-hosts";
import { lookupName } from "./known-hosts";

/** What is known of one host's key, and what it showed. */
export interface HostKeyEvidence {
  /** The host's address, and its SSH port. */
  host: string;
  port: number;
  /** The key the host's arguments pin (`TYPE BASE64`), if any. */
  pinned?: string;
  /** What known_hosts says of the host. */
  known: KnownKeys;
  /** The key the host showed (`TYPE BASE64`). */
  shown: string;
  /** The certificate the host showed (`TYPE BASE64`), where known_hosts names an authority for it. */
  certificate?: string;
  /** When the certificate must be valid. */
  now: Date;
}

/** The verdict: the key to pin, and what vouches for it; a refusal; or nothing vouches, and the stack's record decides. */
export type HostKeyVerdict = { trust: string; by: string } | { refuse: string } | { unknown: true };

/** Judges a host's key from the evidence; see the module's comment for the order. */
export function judgeHostKey(e: HostKeyEvidence): HostKeyVerdict {
  const shownBlob = blobOf(e.shown);
  const revoked = e.known.revoked.find((r) => r.key === shownBlob);
  if (revoked) return { refuse: `it shows ${describeKey(e.shown)}, which ${revoked.where} marks @revoked` };
  if (e.pinned !== undefined) {
    if (blobOf(e.pinned) === shownBlob) return { trust: e.shown, by: "its pinned hostKey" };
    return { refuse: `it shows ${describeKey(e.shown)}, not its pinned hostKey (${describeKey(e.pinned)}); if the host was rebuilt on purpose, pin its new key (ssh-keyscan)` };
  }
  if (e.known.keys.length > 0) {
    const known = e.known.keys.find((k) => k.key === shownBlob);
    if (known) return { trust: e.shown, by: known.where };
    return {
      refuse:
        `it shows ${describeKey(e.shown)}, and ${e.known.keys.map((k) => k.where).join(", ")} holds another key for it; ` +
        `if the host was rebuilt on purpose, remove the old key (ssh-keygen -R '${lookupName(e.host, e.port)}') and run again`,
    };
  }
  if (e.known.authorities.length > 0) return judgeCertificate(e);
  return { unknown: true };
}

/** A host that an authority in known_hosts vouches for: its certificate must be that authority's, valid now, for this host. */
function judgeCertificate(e: HostKeyEvidence): HostKeyVerdict {
  if (!e.certificate) return { refuse: `${e.known.authorities[0].where} names an authority for it, and it shows no certificate` };
  let cert: sshpk.Certificate;
  try {
    cert = sshpk.parseCertificate(Buffer.from(e.certificate), "openssh");
  } catch (err) {
    return { refuse: `its certificate cannot be read: ${(err as Error).message}` };
  }
  const authority = e.known.authorities.find((a) => cert.isSignedByKey(sshpk.parseKey(`${a.keyType} ${a.key}`, "ssh")));
  if (!authority) return { refuse: `its certificate is signed by none of the authorities known_hosts names for it (${e.known.authorities.map((a) => a.where).join(", ")})` };
  const signer = blobOf(cert.issuerKey!.toString("ssh"));
  const revoked = e.known.revoked.find((r) => r.key === signer);
  if (revoked) return { refuse: `its certificate's authority is marked @revoked at ${revoked.where}` };
  if (cert.isExpired(e.now)) return { refuse: `its certificate is not valid now (${cert.validFrom.toISOString()} to ${cert.validUntil.toISOString()})` };
  const names = cert.subjects.map((s) => s.hostname).filter((n): n is string => !!n);
  if (names.length > 0 && !names.some((n) => n.toLowerCase() === e.host.toLowerCase())) {
    return { refuse: `its certificate is for ${names.join(", ")}, not ${e.host}` };
  }
  const certified = cert.subjectKey.toString("ssh").split(" ").slice(0, 2).join(" ");
  if (blobOf(certified) === blobOf(e.shown) || e.shown === "") return { trust: certified, by: `a certificate of the authority at ${authority.where}` };
  return { refuse: `its certificate certifies ${describeKey(certified)}, and it shows ${describeKey(e.shown)}` };
}

/** The base64 blob of a `TYPE BASE64` key line. */
function blobOf(line: string): string {
  return line.trim().split(/\s+/)[1] ?? "";
}

/** A key as `ssh-keygen -l` names it: its type and SHA256 fingerprint. */
export function describeKey(line: string): string {
  const [type, blob] = line.trim().split(/\s+/);
  return `${type} SHA256:${createHash("sha256").update(blob ?? "", "base64").digest("base64").replace(/=+$/, "")}`;
}
