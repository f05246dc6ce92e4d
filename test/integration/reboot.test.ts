// A host that reboots comes back into the cluster on its own: the drop-in and
// the swarm's state survive on disk, so no pulumi run is needed.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { dockerAt, failureText, labHosts, missingPlugins, run } from "../support/cli";
import { labStack } from "../support/lab-stack";

describe("a rebooted host", { skip: missingPlugins() }, () => {
  const lab = labStack("reboot");
  const [first, host] = labHosts();
  before(() => lab.converge());
  after(() => lab.dispose());

  it("comes back a Ready manager with its endpoint up, without pulumi, and the next preview is clean", () => {
    for (const step of ["stop", "start"]) assert.equal(run("bash", ["lab/lab.sh", step, host.name]).status, 0, `lab ${step}`);
    // The node rejoins the raft a few seconds after its engine starts.
    const node = () =>
      dockerAt(`tcp://${first.address}:2375`, ["node", "inspect", host.name, "--format", "{{.Status.State}} {{.ManagerStatus.Reachability}}"]).stdout.trim();
    for (let i = 0; i < 60 && node() !== "ready reachable"; i++) run("sleep", ["1"]);
    assert.equal(node(), "ready reachable");
    assert.equal(dockerAt(`tcp://${host.address}:2375`, ["version"]).status, 0, "the endpoint answers");
    const preview = lab.cli(["preview", "--expect-no-changes"]);
    assert.equal(preview.status, 0, failureText(preview));
  });
});
