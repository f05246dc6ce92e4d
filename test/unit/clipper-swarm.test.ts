// ClipperSwarm as a user's program makes it, under Pulumi's mocks: its
// children, its outputs, and the arguments it refuses before anything is planned.
import { describe, it, beforeEach } from "node:test";
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { createPublicKey, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ClipperSwarm, ClipperSwarmArgs } from "../../components/clipper-swarm";
import { checkAnswers, registered, record, valueOf, settled, runFailure , newHosts, mayStart, joinsAny } from "../support/mocks";
import { ecKey } from "../support/tls-keys";
import { providerClientFolder } from "../../components/tls/engine-client";

const key = pulumi.secret("-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n-----END OPENSSH PRIVATE KEY-----\n");

/** A cluster of `names`, on 198.51.100.N, with the args `extra` sets. */
function cluster(name: string, names: string[], extra: Partial<ClipperSwarmArgs> = {}): ClipperSwarm {
  return new ClipperSwarm(
    name,
    { hosts: names.map((n, i) => ({ name: n, address: `198.51.100.${i + 1}`, privateKey: key })), daemonTls: false, ...extra },
    { transformations: [record] },
  );
}

/** The message of the error a constructor throws. */
function refusal(build: () => unknown): string {
  try {
    build();
  } catch (err) {
    assert.ok(pulumi.RunError.isInstance(err), `not a RunError: ${err}`);
    return (err as Error).message;
  }
  assert.fail("nothing was refused");
}

beforeEach(() => {
  registered.clear();
  checkAnswers.length = 0;
});

describe("ClipperSwarm", () => {
  it("makes the endpoints, the swarm and the network as its children, and gives Clipper's outputs", async () => {
    newHosts("198.51.100.1", "198.51.100.2", "198.51.100.3");
    const c = cluster("c", ["h2", "h1", "h10"]);
    assert.equal(await valueOf(c.clipperHostList), "3\n198.51.100.2:2375\n198.51.100.1:2375\n198.51.100.3:2375\n", "live hosts in name order");
    assert.deepEqual(await valueOf(c.dockerHosts), { h1: "tcp://198.51.100.2:2375", h2: "tcp://198.51.100.1:2375", h10: "tcp://198.51.100.3:2375" });
    assert.equal(await valueOf(c.testCommand), "docker -H tcp://198.51.100.2:2375 run -it --rm --net clipper_network busybox:latest");
    assert.equal(await valueOf(c.networkName), "clipper_network");
    assert.deepEqual(await valueOf(c.nodeIds), { h1: "node-h1", h2: "node-h2", h10: "node-h10" });
    assert.equal(c.engineTls, undefined, "no certificates over plain TCP");
    await settled();
    for (const child of ["c-h1", "c-h2", "c-h10", "c-swarm", "c-overlay"]) assert.equal(registered.get(child)?.opts.parent, c, `${child} is a child`);
    assert.match(registered.get("c-swarm-member-h1")?.script, mayStart, "h1 starts the swarm: the first manager by name");
    assert.match(registered.get("c-swarm-member-h10")?.script, joinsAny);
    assert.match(registered.get("c-overlay-network")?.script, /^HOST='h1'$/m);
  });

  it("starts no Docker provider unless asked, and one per live host when asked", async () => {
    cluster("plain", ["a"]);
    const asked = cluster("asked", ["a", "b"], { dockerProviders: true });
    await settled();
    const providers = [...registered.values()].filter((r) => r.type === "pulumi:providers:docker").map((r) => r.name).sort();
    assert.deepEqual(providers, ["asked-a-docker", "asked-b-docker"]);
    assert.equal(asked.dockerProvider("a")?.constructor.name, "Provider");
    assert.equal(asked.dockerProvider("nobody"), undefined);
  });

  it("keeps two clusters in one program apart", async () => {
    const one = cluster("one", ["x"]);
    const two = cluster("two", ["x"], { networkName: "other_network" });
    assert.equal(await valueOf(one.networkName), "clipper_network");
    assert.equal(await valueOf(two.networkName), "other_network");
    await settled();
    assert.ok(registered.has("one-x-dropin") && registered.has("two-x-dropin"));
  });

  it("keeps its machinery off its fields, which are its outputs", () => {
    const c = cluster("fields", ["f"]);
    const base = new Set(Object.keys(new pulumi.ComponentResource("test:index:Bare", "fields-bare")));
    assert.deepEqual(Object.keys(c).filter((k) => !base.has(k) && !k.startsWith("__")).sort(), [
      "clipperHostList", "dockerHosts", "engineTls", "networkId", "networkName", "nodeIds", "swarmId", "testCommand", "testImage",
    ]);
  });

  it("refuses bad arguments in one line naming the argument", () => {
    const host = (name: string, extra = {}) => ({ name, address: "198.51.100.9", privateKey: key, ...extra });
    const build = (args: Partial<ClipperSwarmArgs>) => () => new ClipperSwarm("bad", { hosts: [host("a")], daemonTls: false, ...args });
    assert.equal(refusal(build({ hosts: [] })), "ClipperSwarm: hosts: give at least one host");
    assert.match(refusal(build({ hosts: [host("A")] })), /^ClipperSwarm: hosts\[0\]\.name: "A" is not a valid name/);
    assert.match(refusal(build({ hosts: [host("a"), host("a")] })), /^ClipperSwarm: hosts\[1\]\.name: "a" is already the name of hosts\[0\]$/);
    assert.match(refusal(build({ hosts: [host("a", { address: "db.example.com" })] })), /^ClipperSwarm: hosts\[0\]\.advertiseAddress: address "db\.example\.com" is a host name/);
    assert.match(refusal(build({ hosts: [host("a", { advertiseAddress: "db" })] })), /^ClipperSwarm: hosts\[0\]\.advertiseAddress: "db" is not an IP address/);
    assert.match(refusal(build({ hosts: [host("a", { role: "worker" })] })), /^ClipperSwarm: hosts: no live host is a manager/);
    assert.match(refusal(build({ testHost: "zed" })), /^ClipperSwarm: testHost: "zed" is not a live host \(a\)$/);
    assert.match(refusal(build({ hosts: [host("a", { privateKey: undefined })] })), /^ClipperSwarm: hosts\[0\]\.privateKey: give the host's SSH key/);
    assert.match(refusal(build({ daemonTls: true })), /^ClipperSwarm: tlsCaKey: daemonTls is true, and needs it/);
    const keys = { tlsCaKey: pulumi.secret("A"), tlsClientKey: pulumi.secret("B"), tlsNextCaKey: pulumi.secret("C"), tlsPreviousCaKey: pulumi.secret("D") };
    assert.match(refusal(build({ daemonTls: true, ...keys })), /^ClipperSwarm: tlsNextCaKey: and tlsPreviousCaKey are both set, but a CA is replaced in one pass at a time/);
    assert.match(refusal(build({ hosts: [host("a", { address: "127.0.0.1" })] })), /^ClipperSwarm: hosts\[0\]\.address: "127\.0\.0\.1" is a loopback address, .*as no advertise address is given, it would be this host's/);
    assert.match(refusal(build({ hosts: [host("a", { advertiseAddress: "fe80::1%eth0" })] })), /^ClipperSwarm: hosts\[0\]\.advertiseAddress: "fe80::1%eth0" has a zone ID/);
    assert.match(refusal(build({ hosts: [host("a"), host("b", { advertiseAddress: "fd00::2" })] })),
      /^ClipperSwarm: hosts\[1\]\.advertiseAddress: "fd00::2" is IPv6, and hosts\[0\]'s is IPv4: a swarm's hosts advertise addresses of one IP family$/);
    assert.match(refusal(build({ bindAddress: "fe80::1%eth0" })), /^ClipperSwarm: bindAddress: "fe80::1%eth0" has a zone ID/);
  });

  it("refuses a key given in the clear, plain or as an output that is no secret", async () => {
    const plain = refusal(() => new ClipperSwarm("clear", { hosts: [{ name: "a", address: "198.51.100.9", privateKey: "KEY" }], daemonTls: false }));
    assert.match(plain, /^ClipperSwarm: hosts\[0\]\.privateKey: is not a secret, and would be stored in the clear/);
    const failure = await runFailure(() => {
      new ClipperSwarm("clear-out", { hosts: [{ name: "a", address: "198.51.100.9", privateKey: pulumi.output("KEY") }], daemonTls: false }, { transformations: [record] });
    });
    assert.match(failure, /^ClipperSwarm: hosts\[0\]\.privateKey: is not a secret/);
    const tls = await runFailure(() => {
      new ClipperSwarm("clear-ca", { hosts: [{ name: "a", address: "198.51.100.9", privateKey: key }], daemonTls: true, tlsCaKey: pulumi.output(ecKey()), tlsClientKey: pulumi.secret(ecKey()) });
    });
    assert.match(tls, /^ClipperSwarm: tlsCaKey: is not a secret/);
  });

  it("refuses an advertise address from another resource once it is known, naming the argument", async () => {
    const failure = await runFailure(() => {
      new ClipperSwarm("late", { hosts: [{ name: "a", address: pulumi.output("0.0.0.0"), privateKey: key }], daemonTls: false }, { transformations: [record] });
    });
    assert.match(failure, /^ClipperSwarm: hosts\[0\]\.address: "0\.0\.0\.0" is an unspecified address/);
  });

  it("touches no host when one has a network of the overlay's name that the stack did not make", async () => {
    checkAnswers.push({ address: "198.51.100.2", check: /network ls --format/, lines: ["foreign: bridge local"] });
    const failure = await runFailure(() => cluster("fo", ["a", "b"]));
    assert.match(failure, /^network clipper_network is there, and this stack \(clipper-swarm\/unit\) did not make it: b has one \(bridge, local\)/);
    await settled();
    for (const step of ["fo-a-dropin", "fo-b-dropin"]) assert.equal(registered.get(step)?.type, "", `${step} is not made`);
  });

  it("gives the certificates a client needs in mutual TLS mode", async () => {
    const c = cluster("tls", ["t"], { daemonTls: true, tlsCaKey: pulumi.secret(ecKey()), tlsClientKey: pulumi.secret(ecKey()) });
    const certs = await valueOf(c.engineTls!);
    assert.match(certs.caCert, /BEGIN CERTIFICATE/);
    assert.match(certs.clientCert, /BEGIN CERTIFICATE/);
    assert.equal(await valueOf(c.testCommand), "docker --tlsverify -H tcp://198.51.100.1:2376 run -it --rm --net clipper_network busybox:latest");
    await settled();
    assert.equal(registered.has("tls-client-files"), false, "no Docker providers, so no client files to write or remove");
  });

  it("writes the operator's client files where asked, with no Docker provider", async (t) => {
    const home = mkdtempSync(path.join(os.tmpdir(), "clipper-swarm-unit-home-"));
    const realHome = process.env.HOME;
    process.env.HOME = home;
    t.after(() => {
      process.env.HOME = realHome;
      rmSync(home, { recursive: true, force: true });
    });
    const clientKey = ecKey();
    const c = cluster("files", ["f"], { daemonTls: true, clientFiles: true, tlsCaKey: pulumi.secret(ecKey()), tlsClientKey: pulumi.secret(clientKey) });
    // The files are written once the client certificate is made.
    await valueOf(c.engineTls!);
    await settled();
    const folder = providerClientFolder(pulumi.getProject(), pulumi.getStack(), "files");
    assert.equal(registered.get("files-client-files")?.inputs.delete, `rm -rf -- '${folder}'`, "destroy removes them");
    assert.equal(readFileSync(path.join(folder, "key.pem"), "utf8"), clientKey);
    assert.deepEqual([...registered.values()].filter((r) => r.type === "pulumi:providers:docker"), []);
  });

  it("replaces the CA in two passes: engines trust both, then the new alone, and the operator both until the end", async () => {
    const [oldKey, newKey] = [ecKey(), ecKey()];
    const signers = (bundle: string) =>
      [...bundle.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) =>
        [oldKey, newKey].findIndex((k) => new X509Certificate(m[0]).verify(createPublicKey(k))),
      );
    const stages = {
      first: { tlsCaKey: pulumi.secret(oldKey), tlsNextCaKey: pulumi.secret(newKey) },
      second: { tlsCaKey: pulumi.secret(newKey), tlsPreviousCaKey: pulumi.secret(oldKey) },
    };
    for (const [stage, keys] of Object.entries(stages)) {
      const c = cluster(`rot-${stage}`, ["r"], { daemonTls: true, tlsClientKey: pulumi.secret(ecKey()), ...keys });
      // The certificates are made once their module is loaded.
      const client = await valueOf(c.engineTls!);
      const dropIn = `rot-${stage}-r-dropin`;
      for (let i = 0; i < 100 && typeof registered.get(dropIn)?.script !== "string"; i++) await settled();
      const engineCa = /^TLS_CA='([^']*)'$/m.exec(registered.get(dropIn)!.script)?.[1] ?? "";
      const signer = (cert: string) => signers(cert)[0];
      if (stage === "first") {
        assert.deepEqual(signers(engineCa), [0, 1], "the first pass: engines trust the old CA and the new");
        assert.equal(signer(client.clientCert), 0, "the old CA still signs");
      } else {
        assert.deepEqual(signers(engineCa), [1], "the second pass: engines trust the new CA alone");
        assert.equal(signer(client.clientCert), 1, "which signs every certificate again");
      }
      assert.deepEqual(signers(client.caCert).sort(), [0, 1], "the operator trusts both, as engines switch in turn");
    }
  });
});
