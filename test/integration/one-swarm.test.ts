// One swarm per stack: a first manager cut off from its peers starts no swarm
// of its own beside theirs; a host in another swarm that this tool made is
// drift, which up repairs by moving it to the stack's swarm; and a host whose
// join was cut off before it was recorded is recognised by its swarm's ID.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { engineAndNode, failureText, labHosts, missingPlugins, run, ssh, swarmMembers } from "../support/cli";
import { labStack } from "../support/lab-stack";

describe("one swarm", { skip: missingPlugins() }, () => {
  const lab = labStack("one-swarm");
  const hosts = labHosts();
  const [first, second, third] = hosts;
  const peers = [second, third];
  const blackhole = (verb: "add" | "del") => peers.map((p) => `ip route ${verb} blackhole ${p.address}/32`).join("; ");
  const swarmOf = (h: typeof first) => ssh(h, "docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.Cluster.ID}}'").stdout.trim();
  const members = () => swarmMembers(`tcp://${second.address}:2375`);
  const allManagers = () => hosts.map((h) => `${h.name} Ready manager`).sort();
  const clean = () => {
    const preview = lab.cli(["preview", "--expect-no-changes"]);
    assert.equal(preview.status, 0, failureText(preview));
  };

  before(() => lab.converge());
  after(() => {
    ssh(first, `${blackhole("del")}; true`);
    lab.dispose();
  });

  it("a rebuilt first manager that cannot reach its peers starts no swarm, and says which peers it tried", () => {
    const stackSwarm = swarmOf(second);
    assert.equal(run("bash", ["lab/lab.sh", "reset", first.name]).status, 0);
    assert.equal(ssh(first, blackhole("add")).status, 0, "routes");
    const up = lab.cli(["up", "--yes", "--skip-preview"]);
    assert.notEqual(up.status, 0, "up must fail");
    const id = stackSwarm.split(" ")[1];
    assert.match(
      up.stdout + up.stderr,
      new RegExp(`${first.name}: error: no live manager of the stack's swarm ${id} answers: tcp://${second.address.replace(/\./g, "\\.")}:2375 \\(no answer on TCP\\)`),
    );
    assert.match(swarmOf(first), /^inactive/, "no swarm of its own");
  });

  it("joins the stack's swarm once it reaches its peers again", () => {
    assert.equal(ssh(first, blackhole("del")).status, 0, "routes");
    lab.converge();
    assert.deepEqual(members(), allManagers());
    assert.equal(new Set(hosts.map(swarmOf)).size, 1, "every host in one swarm");
    clean();
  });

  it("sees a host in a swarm of its own that this tool recorded as drift, and moves it to the stack's swarm", () => {
    // As a first manager cut off from its peers made one before this check.
    const split = ssh(first, [
      "docker swarm leave --force >/dev/null",
      `docker swarm init --advertise-addr ${first.address} >/dev/null`,
      "docker info --format '{{.Swarm.Cluster.ID}}' > /var/lib/clipper-swarm/swarm-id",
    ].join(" && "));
    assert.equal(split.status, 0, split.stderr);
    const own = swarmOf(first).split(" ")[1];
    const stackSwarm = swarmOf(second).split(" ")[1];
    const preview = lab.cli(["preview"]);
    assert.equal(preview.status, 0, failureText(preview));
    assert.match(preview.stdout + preview.stderr, new RegExp(`${first.name}: swarm membership: in swarm ${own}, not the stack's swarm ${stackSwarm} \\(${second.name}, ${third.name}\\)`));
    const up = lab.converge();
    assert.match(up.stdout + up.stderr, new RegExp(`in swarm ${own}, which clipper-swarm made, not the stack's swarm ${stackSwarm}`));
    assert.deepEqual(members(), allManagers());
    assert.equal(swarmOf(first), `active ${stackSwarm}`);
    clean();
  });

  it("recognises a host whose join was cut off before it was recorded by its swarm's ID, and keeps its node", () => {
    const before = engineAndNode(third);
    assert.equal(ssh(third, "rm /var/lib/clipper-swarm/swarm-id").status, 0);
    const up = lab.converge();
    assert.match(up.stdout + up.stderr, /the stack's, which this host did not record; recording it/);
    assert.equal(engineAndNode(third), before, "no engine restart, the same node");
    clean();
  });
});
