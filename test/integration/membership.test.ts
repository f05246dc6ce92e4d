// Hosts added to, reordered in and removed from the inventory of a running
// cluster: only the host concerned changes, and the first host is no different.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { dockerAt, engineAndNode, failureText, labHosts, leftovers, missingPlugins } from "../support/cli";
import { labStack } from "../support/lab-stack";
import type { HostSpec } from "../../hosts/inventory";

describe("membership: hosts added, reordered and removed", { skip: missingPlugins() }, () => {
  const lab = labStack("membership");
  // The last test host is added, then moved to the front, then taken out.
  const all = labHosts();
  const [a] = all;
  const added = all[all.length - 1];
  const rest = all.slice(0, -1);
  const entry = (h: HostSpec) => `  - name: ${h.name}\n    address: ${h.address}\n`;
  /** The tests' inventory with these hosts, in this order. */
  const use = (name: string, hosts: HostSpec[]) =>
    lab.inventory(name, (t) => t.replace(/hosts:\n[\s\S]*$/, `hosts:\n${hosts.map(entry).join("")}`));
  const managers = (via: HostSpec) =>
    dockerAt(`tcp://${via.address}:2375`, ["node", "ls", "--format", "{{.Hostname}} {{.Status}} {{if .ManagerStatus}}manager{{end}}"])
      .stdout.trim().split("\n").sort();
  const clean = () => {
    const preview = lab.cli(["preview", "--expect-no-changes"]);
    assert.equal(preview.status, 0, failureText(preview));
  };
  /** What the last update did, by kind of change. */
  const lastChanges = () =>
    (JSON.parse(lab.stack.run(["stack", "history", "--json"]).stdout) as { resourceChanges: Record<string, number> }[])[0].resourceChanges;

  before(() => {
    use("without-last", rest);
    lab.converge();
  });
  after(() => lab.dispose());

  it("joins only the host that is added", () => {
    const untouched = rest.map(engineAndNode);
    use("all", all);
    lab.converge();
    assert.deepEqual(rest.map(engineAndNode), untouched, "no engine restart and no membership change elsewhere");
    assert.deepEqual(managers(a), all.map((h) => `${h.name} Ready manager`).sort());
    clean();
  });

  it("changes nothing on the hosts when the inventory is reordered", () => {
    const untouched = all.map(engineAndNode);
    use("reordered", [added, ...rest]);
    lab.converge();
    assert.deepEqual(Object.keys(lastChanges()), ["same"], "hosts are picked and listed by name, not by position");
    assert.deepEqual(all.map(engineAndNode), untouched);
    clean();
  });

  it("takes the first host out like any other: demoted, gone from the swarm's list, off TCP", () => {
    const untouched = rest.map(engineAndNode);
    use("without-first", rest);
    lab.converge();
    assert.deepEqual(leftovers(added), []);
    assert.deepEqual(managers(a), rest.map((h) => `${h.name} Ready manager`).sort());
    assert.deepEqual(rest.map(engineAndNode), untouched);
    clean();
  });
});
