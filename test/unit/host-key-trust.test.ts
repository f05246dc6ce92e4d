import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import * as sshpk from "sshpk";
import { knownKeysFor, namesHost, parseKnownHosts } from "../../components/host-keys/known-hosts";
import { judgeHostKey, HostKeyEvidence } from "../../components/host-keys/host-key-trust";

const newKey = () => sshpk.generatePrivateKey("ed25519");
const line = (key: sshpk.PrivateKey) => key.toPublic().toString("ssh").split(" ").slice(0, 2).join(" ");
/** A hashed known_hosts name, as `ssh-keygen -H` writes it. */
const hashed = (name: string) => {
  const salt = randomBytes(20);
  return `|1|${salt.toString("base64")}|${createHmac("sha1", Uint8Array.from(salt)).update(name).digest("base64")}`;
};

describe("known_hosts", () => {
  it("reads plain, hashed and bracketed names, wildcards and negation, and skips comments", () => {
    const [a, b, c] = [newKey(), newKey(), newKey()];
    const entries = parseKnownHosts(
      [
        "# a comment",
        `10.0.0.1,host1 ${line(a)}`,
        `${hashed("[10.0.0.2]:2222")} ${line(b)}`,
        `10.0.1.*,!10.0.1.9 ${line(c)} a comment`,
        "malformed",
        "",
      ].join("\n"),
      "kh",
    );
    assert.equal(entries.length, 3);
    assert.deepEqual(knownKeysFor(entries, "10.0.0.1", 22).keys.map((e) => e.where), ["kh:2"]);
    assert.deepEqual(knownKeysFor(entries, "10.0.0.1", 2222).keys, [], "off port 22 only [host]:port names it");
    assert.deepEqual(knownKeysFor(entries, "10.0.0.2", 2222).keys.map((e) => e.where), ["kh:3"]);
    assert.deepEqual(knownKeysFor(entries, "10.0.1.5", 22).keys.map((e) => e.where), ["kh:4"]);
    assert.deepEqual(knownKeysFor(entries, "10.0.1.9", 22).keys, [], "a negated pattern wins");
    assert.ok(namesHost("HOST1", "host1"), "names compare in lower case");
  });

  it("sorts out the markers", () => {
    const [ca, bad] = [newKey(), newKey()];
    const known = knownKeysFor(parseKnownHosts(`@cert-authority *.lab,10.0.0.* ${line(ca)}\n@revoked * ${line(bad)}\n`, "kh"), "10.0.0.3", 22);
    assert.deepEqual([known.keys.length, known.authorities.length, known.revoked.length], [0, 1, 1]);
  });
});

describe("judging a host's key", () => {
  const host = newKey();
  const evidence = (known: string, more: Partial<HostKeyEvidence> = {}): HostKeyEvidence => ({
    host: "10.0.0.1",
    port: 22,
    known: knownKeysFor(parseKnownHosts(known, "kh"), "10.0.0.1", 22),
    shown: line(host),
    now: new Date(),
    ...more,
  });

  it("trusts a key that its pin or known_hosts vouches for, and leaves a stranger to the stack's record", () => {
    assert.deepEqual(judgeHostKey(evidence("", { pinned: line(host) })), { trust: line(host), by: "its pinned hostKey" });
    assert.deepEqual(judgeHostKey(evidence(`10.0.0.1 ${line(host)}`)), { trust: line(host), by: "kh:1" });
    assert.deepEqual(judgeHostKey(evidence(`10.0.0.2 ${line(newKey())}`)), { unknown: true });
  });

  it("refuses another key, a revoked one, and says how to accept a new one", () => {
    const other = line(newKey());
    const pinned = judgeHostKey(evidence("", { pinned: other }));
    assert.match("refuse" in pinned ? pinned.refuse : "", /^it shows ssh-ed25519 SHA256:\S+, not its pinned hostKey/);
    const known = judgeHostKey(evidence(`10.0.0.1 ${other}`));
    assert.match("refuse" in known ? known.refuse : "", /kh:1 holds another key for it; .*ssh-keygen -R '10\.0\.0\.1'/);
    const revoked = judgeHostKey(evidence(`10.0.0.1 ${line(host)}\n@revoked * ${line(host)}`));
    assert.match("refuse" in revoked ? revoked.refuse : "", /which kh:2 marks @revoked/);
  });

  it("trusts the key a certificate of a known authority certifies for the host, and nothing else", () => {
    const ca = newKey();
    const certificate = (signer: sshpk.PrivateKey, name: string, validUntil = new Date(Date.now() + 3600_000)) =>
      sshpk
        .createCertificate(sshpk.identityForHost(name), host.toPublic(), sshpk.identityForHost("ca"), signer, { validFrom: new Date(Date.now() - 60_000), validUntil, purposes: ["serverAuth"] })
        .toString("openssh")
        .trim();
    const authority = `@cert-authority 10.0.0.* ${line(ca)}`;
    assert.deepEqual(judgeHostKey(evidence(authority, { certificate: certificate(ca, "10.0.0.1") })), {
      trust: line(host),
      by: "a certificate of the authority at kh:1",
    });
    const refusal = (more: Partial<HostKeyEvidence>, known = authority) => {
      const verdict = judgeHostKey(evidence(known, more));
      return "refuse" in verdict ? verdict.refuse : "";
    };
    assert.match(refusal({ certificate: certificate(newKey(), "10.0.0.1") }), /signed by none of the authorities/);
    assert.match(refusal({ certificate: certificate(ca, "10.0.0.7") }), /is for 10\.0\.0\.7, not 10\.0\.0\.1/);
    assert.match(refusal({ certificate: certificate(ca, "10.0.0.1", new Date(Date.now() - 1000)) }), /not valid now/);
    assert.match(refusal({}), /names an authority for it, and it shows no certificate/);
    assert.match(refusal({ certificate: certificate(ca, "10.0.0.1") }, `${authority}\n@revoked * ${line(ca)}`), /authority is marked @revoked/);
  });
});
