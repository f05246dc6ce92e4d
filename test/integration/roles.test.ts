// Workers beside managers: a worker joins with the worker token and carries
// Clipper's containers on clipper_network like any other host, and a change of
// role promotes or demotes the host in place, keeping its node.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { dockerAt, engineAndNode, failureText, labHosts, missingPlugins, run } from "../support/cli";
import { labStack } from "../support/lab-stack";
import type { HostSpec } from "../../hosts/inventory";

describe("roles: managers and workers", { skip: missingPlugins() }, () => {
  const lab = labStack("roles");
  const hosts = labHosts();
  const [a, b, c] = hosts;
  /** The tests' inventory with these roles, host by host. */
  const use = (name: string, roles: HostSpec["role"][]) =>
    lab.inventory(name, (t) =>
      t.replace(/hosts:\n[\s\S]*$/, `hosts:\n${hosts.map((h, i) => `  - name: ${h.name}\n    address: ${h.address}\n    role: ${roles[i]}\n`).join("")}`),
    );
  /** Each host's role, as a manager (`via`) lists them. */
  const roles = (via = a) =>
    dockerAt(`tcp://${via.address}:2375`, ["node", "ls", "--format", "{{.Hostname}} {{.Status}} {{if .ManagerStatus}}manager{{else}}worker{{end}}"])
      .stdout.trim().split("\n").sort();
  /** When each host's engine started, and its node: a change of role in place keeps both. */
  const engineStartAndNode = () => hosts.map((h) => engineAndNode(h).split(" ").slice(0, 3).join(" "));
  const clean = () => {
    const preview = lab.cli(["preview", "--expect-no-changes"]);
    assert.equal(preview.status, 0, failureText(preview));
  };

  before(() => use("one-manager", ["manager", "worker", "worker"]));
  after(() => lab.dispose());

  it("joins workers with the worker token, and they pass verify like any other host", () => {
    lab.converge();
    assert.deepEqual(roles(), [`${a.name} Ready manager`, `${b.name} Ready worker`, `${c.name} Ready worker`]);
    const verify = run("node", ["build/bin/verify.js"], { env: { ...lab.stack.env, PULUMI_STACK: "roles" } });
    assert.equal(verify.status, 0, failureText(verify));
    assert.match(verify.stdout, /6 of 6 host pairs exchange bytes over clipper_network/);
    clean();
  });

  it("promotes a worker in place, and warns that 2 managers tolerate no more loss than 1", () => {
    const before = engineStartAndNode();
    use("two-managers", ["manager", "manager", "worker"]);
    const up = lab.converge();
    assert.match(up.stdout + up.stderr, /2 managers: they tolerate the loss of 0, as 1 would/);
    assert.deepEqual(roles(), [`${a.name} Ready manager`, `${b.name} Ready manager`, `${c.name} Ready worker`]);
    assert.deepEqual(engineStartAndNode(), before, "no engine restart, no leave and re-join");
    clean();
  });

  it("demotes a manager in place", () => {
    const before = engineStartAndNode();
    use("first-a-worker", ["worker", "manager", "manager"]);
    lab.converge();
    assert.deepEqual(roles(b), [`${a.name} Ready worker`, `${b.name} Ready manager`, `${c.name} Ready manager`]);
    assert.deepEqual(engineStartAndNode(), before);
    clean();
  });
});
