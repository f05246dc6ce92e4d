/**
 * The product end to end on a lab cluster, through the real CLI: up, verify, a
 * second look that changes nothing, destroy that leaves the hosts clean, up
 * again. test/integration/stack*.test.ts run it on each cluster of lab-clusters.ts.
 */
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { labHosts, dockerAt, leftovers, missingPlugins, run, ssh } from "./cli";
import { LabCluster, wrongReleases } from "./lab-clusters";
import { labStack } from "./lab-stack";

/** The whole-stack test as stack `name` on `cluster`. */
export function stackSuite(name: string, cluster: LabCluster): void {
  describe(`the cluster stack on ${cluster.title}`, { skip: missingPlugins() }, () => {
    const lab = labStack(name, { inventory: cluster.inventory });
    const { stack, cli, converge } = lab;
    after(() => lab.dispose());
    const hosts = labHosts(cluster.inventory);
    before(() => {
      const wrong = wrongReleases(cluster);
      if (wrong.length > 0) throw new Error(`${wrong.join(", ")}: prepare the lab as scripts/test.sh does`);
    });

    it("previews the whole cluster on fresh hosts, without calling engines that do not listen on TCP yet", () => {
      const preview = cli(["preview"]);
      assert.equal(preview.status, 0, preview.stdout + preview.stderr);
      assert.match(preview.stdout, /\+ \d+ to create/);
      assert.doesNotMatch(preview.stdout + preview.stderr, /failed to connect|errored/);
    });

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

    it("starts every engine on a TCP socket of systemd's, which spares it dockerd's pause for a -H tcp:// flag without TLS", () => {
      for (const h of hosts) {
        const log = ssh(h, "journalctl -u docker -o cat _PID=$(systemctl show -p MainPID --value docker)");
        assert.match(log.stdout, new RegExp(`API listen on ${h.address}:2375`), `${h.name}: ${log.stderr}`);
        // dockerd logs this, then sleeps 1 s (Docker 23 and later), for a TCP flag without --tlsverify.
        assert.doesNotMatch(log.stdout, /Binding to IP address without --tlsverify/, h.name);
        assert.doesNotMatch(log.stdout, /Startup is intentionally being slowed down/, h.name);
      }
    });

    it("passes npm run verify", () => {
      const verify = run("node", ["build/bin/verify.js"], { env: { ...stack.env, PULUMI_STACK: name } });
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
}
