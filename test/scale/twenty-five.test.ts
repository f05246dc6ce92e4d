// Twenty-five lab hosts, 5 managers and 20 workers, in one stack (`npm run
// test:scale`): up converges them, verify passes on a sample of the pairs,
// the preview after is clean, a second up changes nothing, and destroy leaves
// every host as it was.
import { describe, it, after } from "node:test";
import * as assert from "node:assert/strict";
import { failureText, labHosts, leftovers, missingPlugins, run, ssh } from "../support/cli";
import { labStack } from "../support/lab-stack";

const inventory = "test/fixtures/lab-hosts-25.yaml";

describe("twenty-five hosts: 5 managers and 20 workers", { skip: missingPlugins() }, () => {
  const lab = labStack("scale-25", { inventory });
  const hosts = labHosts(inventory);
  const managers = hosts.filter((h) => h.role === "manager");
  after(() => lab.dispose());

  it("converges, every node Ready in its role", () => {
    lab.converge();
    const listed = ssh(managers[0], "docker node ls --format '{{.Hostname}} {{.Status}} {{if .ManagerStatus}}manager{{else}}worker{{end}}'");
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(listed.stdout.trim().split("\n").sort(), hosts.map((h) => `${h.name} Ready ${h.role}`).sort());
  });

  it("passes npm run verify on a sample of the pairs", () => {
    const verify = run("node", ["build/bin/verify.js"], { env: { ...lab.stack.env, PULUMI_STACK: "scale-25" } });
    assert.equal(verify.status, 0, verify.stderr + verify.stdout);
    assert.match(verify.stdout, /75 of 75 host pairs exchange bytes over clipper_network \(a sample of the 600/);
  });

  it("previews clean, and a second up changes nothing", () => {
    const preview = lab.cli(["preview", "--expect-no-changes"]);
    assert.equal(preview.status, 0, failureText(preview));
    const again = lab.cli(["up", "--yes", "--expect-no-changes"]);
    assert.equal(again.status, 0, failureText(again));
  });

  it("destroys, leaving every host as it was", () => {
    const down = lab.cli(["destroy", "--yes", "--skip-preview"]);
    assert.equal(down.status, 0, failureText(down));
    for (const h of hosts) assert.deepEqual(leftovers(h), [], `${h.name} is left as it was`);
  });
});
