// The product end to end on the lab, through the real CLI: up, verify, a second
// look that changes nothing, destroy that leaves the hosts clean, up again.
import { describe, it, after } from "node:test";
import * as assert from "node:assert/strict";
import { labHosts, dockerAt, leftovers, missingPlugins, run } from "../support/cli";
import { labStack } from "../support/lab-stack";

describe("the cluster stack on the lab", { skip: missingPlugins() }, () => {
  const lab = labStack("e2e");
  const { stack, cli, converge } = lab;
  after(() => lab.dispose());
  const hosts = labHosts();

  it("converges: every host a Ready manager, one Leader, clipper_network on all", () => {
    const up = converge();
    assert.doesNotMatch(up.stdout + up.stderr, /SWMTKN|PRIVATE KEY/);
    const outputs = JSON.parse(stack.run(["stack", "output", "--json"]).stdout);
    for (const h of hosts) {
      const nodes = dockerAt(outputs.dockerHosts[h.name], ["node", "ls", "--format", "{{.Status}} {{.ManagerStatus}}"]);
      assert.equal(nodes.status, 0, nodes.stderr);
      const states = nodes.stdout.trim().split("\n").sort();
      assert.deepEqual(states, ["Ready Leader", ...hosts.slice(1).map(() => "Ready Reachable")].sort());
      const net = dockerAt(outputs.dockerHosts[h.name], ["network", "inspect", "clipper_network", "--format", "{{.Id}} {{.Driver}} {{.Attachable}}"]);
      assert.equal(net.stdout.trim(), `${outputs.networkId} overlay true`);
    }
    assert.equal(outputs.clipperHostList, `${hosts.length}\n${hosts.map((h) => `${h.address}:2375`).join("\n")}\n`);
  });

  it("passes npm run verify", () => {
    const verify = run("node", ["build/bin/verify.js"], { env: { ...stack.env, PULUMI_STACK: "e2e" } });
    assert.equal(verify.status, 0, verify.stderr + verify.stdout);
  });

  it("then previews no changes, and a second up changes nothing", () => {
    assert.equal(cli(["preview", "--expect-no-changes"]).status, 0);
    converge();
    const [last] = JSON.parse(stack.run(["stack", "history", "--json"]).stdout) as { resourceChanges: Record<string, number> }[];
    assert.deepEqual(Object.keys(last.resourceChanges), ["same"], "a second up changes nothing");
  });

  it("keeps the join token and keys out of the state in plain text", () => {
    const state = stack.run(["stack", "export"]).stdout;
    assert.doesNotMatch(state, /SWMTKN|PRIVATE KEY/);
  });

  it("destroys to clean hosts and converges again", () => {
    const down = cli(["destroy", "--yes", "--skip-preview"]);
    assert.equal(down.status, 0, down.stderr + down.stdout);
    assert.deepEqual(hosts.flatMap(leftovers), []);
    converge();
  });
});
