// A preview of a cluster one of whose hosts has an address that another
// resource has yet to give (a VM to be created): under Pulumi's mocks in
// preview mode, where a resource's outputs that the mocks leave out are
// unknown. The program completes, and the known host's steps are known.
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { local } from "@pulumi/command";
import { ClipperSwarm } from "../../components/clipper-swarm";
import { firstContact, registered, probed, useMocks } from "../support/mocks";

useMocks({ preview: true });

const key = pulumi.secret("-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n-----END OPENSSH PRIVATE KEY-----\n");

describe("a preview with hosts the stack has not met yet", () => {
  it("looks at the known hosts only, and their steps are what they would be alone", async () => {
    const vm = new local.Command("vm", { create: "echo 198.51.100.2" });
    new ClipperSwarm("u", {
      hosts: [
        { name: "known", address: "198.51.100.1", privateKey: key },
        { name: "known2", address: "198.51.100.3", privateKey: key },
        { name: "new", address: vm.stdout, privateKey: key, role: "worker" },
      ],
      daemonTls: false,
    });
    // Until every step is registered: the probe answers first.
    for (let waited = 0; !registered.has("u-overlay-network") && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    assert.ok(probed.has("198.51.100.1") && probed.has("198.51.100.3"), "the known hosts are looked at");
    assert.ok(!probed.has("198.51.100.2"), "the new host is not");
    for (const name of ["u-known-dropin", "u-known2-dropin", "u-swarm-member-known", "u-swarm-member-known2", "u-overlay-network"]) {
      const stdin = registered.get(name)?.script;
      assert.equal(typeof stdin, "string", `${name} is planned with known inputs`);
      assert.match(stdin, /^GENERATION='0'$/m, `${name}: as configured, as the probe found it`);
    }
    assert.equal(typeof registered.get("u-new-dropin")?.script, "object", "the new host's step is planned, its script unknown");
  });

  it("looks at a host met for the first time, with the key it shows, though its record is only planned", async () => {
    firstContact.add("fresh");
    new ClipperSwarm("f", { hosts: [{ name: "fresh", address: "198.51.100.9", privateKey: key }], daemonTls: false });
    for (let waited = 0; !probed.has("198.51.100.9") && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    assert.ok(probed.has("198.51.100.9"), "the host is looked at, so its preview tells the truth about it");
  });
});
