// Destroy from every drifted state of the audit's cases, with no repair first
// (but where the drift took the scripts destroy runs: an up puts them back):
// each host ends as it was before the stack, and the stack is empty.
import { describe, it, after } from "node:test";
import * as assert from "node:assert/strict";
import { failureText, labHosts, leftovers, missingPlugins, run, ssh } from "../support/cli";
import { labStack } from "../support/lab-stack";
import { driftCases } from "../support/drift-cases";

describe("destroy under drift leaves every host clean", { skip: missingPlugins() }, () => {
  const lab = labStack("destroy-drift");
  const hosts = labHosts();
  after(() => lab.dispose());

  const cases = [
    ...driftCases,
    { name: "(h) every host rebuilt", host: -1, drift: "reset" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      lab.converge();
      const targets = c.host < 0 ? hosts : [hosts[c.host]];
      for (const host of targets) {
        const drift = c.drift === "reset" ? run("bash", ["lab/lab.sh", "reset", host.name]) : ssh(host, c.drift);
        assert.equal(drift.status, 0, drift.stderr);
      }
      if ("stopsDestroy" in c && c.stopsDestroy) {
        const stopped = lab.cli(["destroy", "--yes", "--skip-preview"]);
        assert.notEqual(stopped.status, 0, "destroy cannot take away what it has no script for");
        assert.match(stopped.stdout + stopped.stderr, new RegExp(`${hosts[c.host].name}${c.stopsDestroy.source}`));
        // The way out it names: an up puts the scripts back before any step,
        // though the rest of it may fail on a cluster that destroy half took down.
        lab.cli(["up", "--yes", "--skip-preview"]);
      }
      const down = lab.cli(["destroy", "--yes", "--skip-preview"]);
      assert.equal(down.status, 0, failureText(down));
      assert.deepEqual(hosts.flatMap(leftovers), []);
      const state = JSON.parse(lab.stack.run(["stack", "export"]).stdout);
      assert.deepEqual(state.deployment.resources ?? [], [], "the stack holds nothing");
    });
  }
});
