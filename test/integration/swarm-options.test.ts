// Options that a running cluster takes with one `up`: rotated join tokens,
// which change nothing else on the hosts; a renamed network, made before the
// old one goes; and an encrypted overlay, which needs IPsec ESP in every
// host's kernel and is refused, naming each host, where the kernel has none.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { engineAndNode, failureText, labHosts, missingPlugins, run, ssh } from "../support/cli";
import { labStack } from "../support/lab-stack";

describe("swarm options on a running cluster", { skip: missingPlugins() }, () => {
  const lab = labStack("options");
  const hosts = labHosts();
  /** A join token as a manager gives it; compared, never printed. */
  const token = (role: string) => ssh(hosts[0], `docker swarm join-token -q ${role}`).stdout.trim();
  const set = (key: string, value: string) => assert.equal(lab.cli(["config", "set", `clipper-swarm:${key}`, value]).status, 0);
  const clean = () => {
    const preview = lab.cli(["preview", "--expect-no-changes"]);
    assert.equal(preview.status, 0, failureText(preview));
  };
  before(() => lab.converge());
  after(() => lab.dispose());

  it("rotates the join tokens with one up, and changes nothing else on the hosts", () => {
    for (const rotation of ["first", "second"]) {
      const tokens = [token("worker"), token("manager")];
      const untouched = hosts.map(engineAndNode);
      set("joinTokenRotation", rotation);
      const up = lab.converge();
      assert.doesNotMatch(up.stdout + up.stderr, /SWMTKN/, "no token in the output");
      assert.match(up.stderr + up.stdout, /rotated the worker and manager join tokens/);
      const [worker, manager] = [token("worker"), token("manager")];
      assert.ok(worker !== tokens[0] && manager !== tokens[1], `rotation ${rotation}: both tokens are new`);
      assert.deepEqual(hosts.map(engineAndNode), untouched, "no engine restart, no membership change");
      assert.doesNotMatch(lab.stack.run(["stack", "export"]).stdout, /SWMTKN/, "no token in the state");
      clean();
    }
  });

  it("renames the network: makes the new one, then removes the old, and changes nothing else on the hosts", () => {
    const networks = () => ssh(hosts[0], "docker network ls --filter driver=overlay --format '{{.Name}} {{.Scope}}' | grep -v ingress | sort").stdout.trim();
    const untouched = hosts.map(engineAndNode);
    for (const [name, other] of [["clipper_renamed", "clipper_network"], ["clipper_network", "clipper_renamed"]]) {
      set("networkName", name);
      const up = lab.converge();
      assert.match(up.stdout, new RegExp(`made network ${name}`));
      assert.match(up.stdout, new RegExp(`removed network ${other}`));
      assert.equal(networks(), `${name} swarm`, "the new network alone");
      clean();
    }
    assert.deepEqual(hosts.map(engineAndNode), untouched, "no engine restart, no membership change");
  });

  it("encrypts the overlay where every kernel has IPsec ESP, and refuses it, naming each host, where none has", () => {
    const kernelConfig = run("sh", ["-c", "gzip -dc /proc/config.gz 2>/dev/null || cat /boot/config-$(uname -r)"]).stdout;
    const esp = /^CONFIG_INET_ESP=[ym]$/m.test(kernelConfig);
    const network = () => ssh(hosts[0], "docker network inspect clipper_network --format '{{.Id}} {{.Options}}'").stdout.trim();
    const before = network();
    set("networkEncrypted", "true");
    if (esp) {
      lab.converge();
      assert.match(network(), /encrypted/);
      const verify = run("node", ["build/bin/verify.js"], { env: { ...lab.stack.env, PULUMI_STACK: "options" } });
      assert.equal(verify.status, 0, failureText(verify));
    } else {
      // The lab's hosts share this machine's kernel.
      const refused = lab.cli(["up", "--yes", "--skip-preview"]);
      assert.notEqual(refused.status, 0);
      for (const h of hosts) {
        assert.match(refused.stdout + refused.stderr, new RegExp(`${h.name}: kernel \\S+ has no IPsec ESP \\(CONFIG_INET_ESP is not set\\)`));
      }
      assert.equal(network(), before, "the network is left as it was");
    }
    set("networkEncrypted", "false");
    lab.converge();
    clean();
  });
});
