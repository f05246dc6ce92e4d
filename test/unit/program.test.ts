// The program as `pulumi up` runs it, under Pulumi's mocks: the procedure's
// resources for an inventory of three hosts, and the outputs a Clipper user reads.
import { after, describe, it, before } from "node:test";
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { registered, valueOf, settled } from "../support/mocks";

const dir = mkdtempSync(path.join(os.tmpdir(), "clipper-swarm-program-"));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(path.join(dir, "key"), "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n-----END OPENSSH PRIVATE KEY-----\n");
writeFileSync(path.join(dir, "hosts.yaml"), [
  "defaults: { privateKey: { path: key } }",
  "hosts:",
  "  - { name: alpha, address: 192.0.2.1 }",
  "  - { name: beta, address: 192.0.2.2 }",
  "  - { name: gamma, address: 192.0.2.3, port: 2222 }",
].join("\n"));

type Program = Record<string, pulumi.Output<unknown>>;
let program: Program;

describe("the program", () => {
  before(async () => {
    pulumi.runtime.setAllConfig({
      "clipper-swarm:inventory": path.join(dir, "hosts.yaml"),
      "clipper-swarm:daemonTls": "false",
      "clipper-swarm:testImage": "clipper-lab/probe:latest",
      "clipper-swarm:testHost": "beta",
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    program = require("../../index");
    await valueOf(program.clipperHostList);
    await settled();
  });

  it("registers the procedure: an endpoint per host, the swarm, the network, and no Docker provider unless asked", () => {
    const commands = [...registered.values()].filter((r) => r.type === "command:remote:Command").map((r) => r.name);
    assert.deepEqual(commands.sort(), [
      "cluster-alpha-dropin", "cluster-beta-dropin", "cluster-gamma-dropin",
      "cluster-overlay-network",
      "cluster-swarm-member-alpha", "cluster-swarm-member-beta", "cluster-swarm-member-gamma",
    ]);
    assert.deepEqual([...registered.values()].filter((r) => r.type.includes("dynamic")), [], "audits are no resources");
    assert.deepEqual([...registered.values()].filter((r) => r.type === "pulumi:providers:docker"), [], "nothing in the stack uses them");
    assert.match(registered.get("cluster-overlay-network")?.script, /^NETWORK='clipper_network'$/m);
  });

  it("connects over SSH with each host's port and user, the connection as a secret", () => {
    // How the engine's protocol marks a secret value.
    const secretSig = "4dabf18193072939515e22adb298388d";
    const wrapped = registered.get("cluster-gamma-dropin")?.inputs.connection;
    assert.equal(wrapped?.[secretSig], "1b47061264138c4ac30d75fd1eb44270", "the connection, with its key, is secret");
    const connection = wrapped.value;
    assert.equal(connection.host, "192.0.2.3");
    assert.equal(connection.port, 2222);
    assert.equal(connection.user, "root");
    assert.match(connection.privateKey, /BEGIN OPENSSH PRIVATE KEY/);
  });

  it("exports what Clipper needs: host_list, the test command, the endpoints", async () => {
    assert.equal(await valueOf(program.clipperHostList), "3\n192.0.2.1:2375\n192.0.2.2:2375\n192.0.2.3:2375\n");
    assert.equal(
      await valueOf(program.testCommand),
      "docker -H tcp://192.0.2.2:2375 run -it --rm --net clipper_network clipper-lab/probe:latest",
    );
    assert.deepEqual(await valueOf(program.dockerHosts), {
      alpha: "tcp://192.0.2.1:2375",
      beta: "tcp://192.0.2.2:2375",
      gamma: "tcp://192.0.2.3:2375",
    });
    assert.equal(await valueOf(program.swarmId), "swarm0000");
    assert.deepEqual(await valueOf(program.nodeIds), { alpha: "node-alpha", beta: "node-beta", gamma: "node-gamma" });
  });
});
