// ClipperSwarm in a user's program whose hosts' addresses come from other
// resources' outputs (test/fixtures/hosts-from-resources): unknown in a
// preview until those resources exist. An empty stack previews, converges,
// verifies and destroys; a 4th host added to a converged cluster shows only
// its creation, beside drift made by hand on a known host in the same preview.
import { describe, it, after } from "node:test";
import * as assert from "node:assert/strict";
import { engineAndNode, failureText, labHosts, leftovers, missingPlugins, ssh } from "../support/cli";
import { scratchStack } from "../support/scratch-stack";
import { checkOverlay } from "../../bin/overlay-check";

const [first, second, third] = labHosts();
const [fourth] = labHosts("test/fixtures/lab-hosts-debian13.yaml");

/** A preview's steps that change something, as `OP NAME` (the resource's name, its URN's last part). */
function changes(json: string): string[] {
  const steps = (JSON.parse(json) as { steps?: { op: string; urn: string }[] }).steps ?? [];
  return steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn.split("::").pop()}`).sort();
}

describe("hosts whose addresses come from other resources", { skip: missingPlugins() }, () => {
  const stack = scratchStack("test/fixtures/hosts-from-resources", "from-resources");
  const setHosts = (hosts: { name: string; role?: string }[]) => {
    const set = stack.run(["config", "set", "hosts", JSON.stringify(hosts)]);
    assert.equal(set.status, 0, set.stderr);
  };
  after(() => {
    const down = stack.run(["destroy", "--yes", "--skip-preview"]);
    stack.dispose();
    assert.equal(down.status, 0, failureText(down));
  });

  it("previews an empty stack with every address unknown, then converges, verifies and previews clean", () => {
    setHosts([first, second, third].map(({ name }) => ({ name })));
    const preview = stack.run(["preview"]);
    assert.equal(preview.status, 0, failureText(preview));
    assert.match(preview.stdout, /\+ +\d+ to create/);
    const up = stack.run(["up", "--yes", "--skip-preview"]);
    assert.equal(up.status, 0, failureText(up));
    const outputs = JSON.parse(stack.run(["stack", "output", "--json"]).stdout);
    assert.deepEqual(Object.keys(outputs.dockerHosts).sort(), ["host4", "host5", "host6"]);
    const engines = Object.entries(outputs.dockerHosts as Record<string, string>).map(([name, url]) => ({ name, url }));
    const pairs = checkOverlay(engines, outputs.networkName, outputs.testImage, () => undefined);
    assert.deepEqual(pairs.filter((p) => !p.ok), [], "every pair exchanges bytes over the overlay");
    assert.equal(pairs.length, 6);
    const clean = stack.run(["preview", "--expect-no-changes"]);
    assert.equal(clean.status, 0, failureText(clean));
  });

  it("shows a new host's creation alone beside drift on a known host, then converges it", () => {
    const untouched = [first, third].map(engineAndNode);
    const stopped = ssh(second, "systemctl stop docker.socket docker");
    assert.equal(stopped.status, 0, stopped.stderr);
    setHosts([...[first, second, third].map(({ name }) => ({ name })), { name: fourth.name, role: "worker" }]);
    const preview = stack.run(["preview", "--json"]);
    assert.equal(preview.status, 0, failureText(preview));
    const planned = changes(preview.stdout);
    assert.deepEqual(planned.filter((c) => /host4|host6/.test(c)), [], `no change on the known hosts that did not drift: ${planned.join(", ")}`);
    assert.ok(planned.includes(`update fixture-${second.name}-dropin`), `the stopped engine shows: ${planned.join(", ")}`);
    const fourthSteps = planned.filter((c) => c.includes(fourth.name));
    assert.ok(fourthSteps.length > 0 && fourthSteps.every((c) => c.startsWith("create ")), `the new host is only created: ${fourthSteps.join(", ")}`);
    assert.deepEqual(planned.filter((c) => !c.includes(second.name) && !c.includes(fourth.name)), [], `nothing else changes: ${planned.join(", ")}`);

    const up = stack.run(["up", "--yes", "--skip-preview"]);
    assert.equal(up.status, 0, failureText(up));
    assert.deepEqual([first, third].map(engineAndNode), untouched, "no engine restart and no membership change on the hosts that did not drift");
    const clean = stack.run(["preview", "--expect-no-changes"]);
    assert.equal(clean.status, 0, failureText(clean));
  });

  it("destroys to clean hosts", () => {
    const down = stack.run(["destroy", "--yes", "--skip-preview"]);
    assert.equal(down.status, 0, failureText(down));
    assert.deepEqual([first, second, third, fourth].flatMap(leftovers), []);
  });
});
