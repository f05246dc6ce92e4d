// A network of the overlay's name that this stack did not make (a local
// bridge that a person made on one host) stops the run before any host is
// touched, naming the host, its driver and scope, and the ways out; it is
// never removed. Once it is gone, the stack converges.
import { describe, it, after } from "node:test";
import * as assert from "node:assert/strict";
import { failureText, labHosts, leftovers, missingPlugins, ssh } from "../support/cli";
import { labStack } from "../support/lab-stack";

describe("a network of the overlay's name that the stack did not make", { skip: missingPlugins() }, () => {
  const lab = labStack("foreign");
  const hosts = labHosts();
  const host = hosts[1];
  after(() => {
    ssh(host, "docker network rm clipper_network 2>/dev/null; true");
    lab.dispose();
    assert.deepEqual(hosts.flatMap(leftovers), []);
  });

  it("stops up before any step, naming the host, and leaves the network", () => {
    assert.equal(ssh(host, "docker network create clipper_network >/dev/null").status, 0);
    const up = lab.cli(["up", "--yes", "--skip-preview"]);
    assert.notEqual(up.status, 0, "up must refuse");
    assert.match(up.stdout + up.stderr, new RegExp(`network clipper_network is there, and this stack \\(clipper-swarm/foreign\\) did not make it: ${host.name} has one \\(bridge, local\\)\\. .*set networkName`));
    assert.equal(ssh(host, "docker network inspect clipper_network --format '{{.Driver}}'").stdout.trim(), "bridge", "the bridge is still there");
    assert.deepEqual(hosts.flatMap(leftovers).filter((l) => !l.endsWith(": network")), [], "no host was touched");
  });

  it("converges once it is gone", () => {
    assert.equal(ssh(host, "docker network rm clipper_network >/dev/null").status, 0);
    lab.converge();
    const clean = lab.cli(["preview", "--expect-no-changes"]);
    assert.equal(clean.status, 0, failureText(clean));
  });
});
