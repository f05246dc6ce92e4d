// Drift made by hand on a converged cluster, with plain commands or a lab host
// rebuilt, one case at a time: `pulumi preview` names the host and what drifted and fails
// --expect-no-changes; `pulumi up` repairs it without restarting an engine or
// changing a node on any other host; the next preview is clean.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { dockerAt, engineAndNode, failureText, labHosts, missingPlugins, run, ssh } from "../support/cli";
import { labStack } from "../support/lab-stack";
import { driftCases } from "../support/drift-cases";

describe("drift on the lab: preview reports it, up repairs only it", { skip: missingPlugins() }, () => {
  const lab = labStack("drift");
  const hosts = labHosts();
  before(() => lab.converge());
  after(() => lab.dispose());

  for (const c of driftCases) {
    it(c.name, () => {
      const host = hosts[c.host];
      const healthy = c.spansHosts ? hosts : hosts.filter((h) => h !== host);
      const drift = c.drift === "reset" ? run("bash", ["lab/lab.sh", "reset", host.name]) : ssh(host, c.drift);
      assert.equal(drift.status, 0, drift.stderr);
      const untouched = healthy.map(engineAndNode);

      const preview = lab.cli(["preview", "--expect-no-changes"]);
      assert.notEqual(preview.status, 0, "preview --expect-no-changes must fail on drift:\n" + preview.stdout);
      const plan = preview.stdout + preview.stderr;
      assert.match(plan, new RegExp(`${host.name}: ${c.finds.source}`), plan);
      // It fails for the drift, not for an error: a silent engine's provider is not called.
      assert.doesNotMatch(plan, /errored|failed to connect/, plan);
      for (const h of hosts.filter((h) => h !== host)) {
        assert.doesNotMatch(plan, new RegExp(`${h.name}: (engine endpoint|swarm membership):`), `${h.name} is not reported`);
      }

      lab.converge();
      assert.deepEqual(healthy.map(engineAndNode), untouched, "no engine restart and no membership change on the healthy hosts");
      const clean = lab.cli(["preview", "--expect-no-changes"]);
      assert.equal(clean.status, 0, "the preview after the repair is clean:\n" + clean.stdout + clean.stderr);
    });
  }

  it("(h) every host rebuilt: a new swarm and network, every host a manager again", () => {
    for (const h of hosts) assert.equal(run("bash", ["lab/lab.sh", "reset", h.name]).status, 0);
    const preview = lab.cli(["preview", "--expect-no-changes"]);
    assert.notEqual(preview.status, 0);
    const plan = preview.stdout + preview.stderr;
    for (const h of hosts) assert.match(plan, new RegExp(`${h.name}: swarm membership: not in the swarm`));
    assert.match(plan, /overlay network: network clipper_network is missing/);
    lab.converge();
    const clean = lab.cli(["preview", "--expect-no-changes"]);
    assert.equal(clean.status, 0, failureText(clean));
  });

  it("leaves every host a Ready manager, and passes npm run verify", () => {
    const outputs = JSON.parse(lab.stack.run(["stack", "output", "--json"]).stdout);
    const nodes = dockerAt(outputs.dockerHosts[hosts[1].name], ["node", "ls", "--format", "{{.Status}} {{.ManagerStatus}}"]);
    assert.deepEqual(nodes.stdout.trim().split("\n").map((l) => l.split(" ")[0]), hosts.map(() => "Ready"), "no stale node entries");
    assert.equal(nodes.stdout.split("\n").filter((l) => / (Leader|Reachable)$/.test(l)).length, hosts.length);
    const verify = run("node", ["build/bin/verify.js"], { env: { ...lab.stack.env, PULUMI_STACK: "drift" } });
    assert.equal(verify.status, 0, failureText(verify));
  });
});
