// A host that dies (its address stops answering) does not trap the stack:
// preview fails fast naming it; left out of the inventory, or marked
// `gone: true`, it is retired and up converges the rest; it comes back by
// returning to the inventory; and destroy with a dead host still cleans every
// reachable host.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { failureText, labHosts, leftovers, missingPlugins, run, swarmMembers } from "../support/cli";
import { labStack } from "../support/lab-stack";

/** Seconds a run may take to give up on a dead host. */
const deadHostBudget = 60;

describe("a dead host", { skip: missingPlugins() }, () => {
  const lab = labStack("dead-host");
  const hosts = labHosts();
  const dead = hosts[2];
  const labCommand = (...args: string[]) => assert.equal(run("bash", ["lab/lab.sh", ...args]).status, 0, `lab ${args.join(" ")}`);

  const deadEntry = new RegExp(`  - name: ${dead.name}\\n    address: ${dead.address.replace(/\./g, "\\.")}\\n`);
  const timed = (args: string[]) => {
    const start = Date.now();
    const r = lab.cli(args);
    return { ...r, seconds: (Date.now() - start) / 1000 };
  };
  const members = () => swarmMembers(`tcp://${hosts[0].address}:2375`);
  /** The dead host starts again and returns to the inventory: it rejoins, though its engine still remembers the swarm. */
  const comesBack = () => {
    labCommand("start", dead.name);
    lab.inventory("all", (t) => t);
    lab.converge();
    assert.deepEqual(members(), hosts.map((h) => `${h.name} Ready manager`).sort());
    assert.equal(lab.cli(["preview", "--expect-no-changes"]).status, 0);
  };

  before(() => lab.converge());
  after(() => {
    if (run("bash", ["lab/lab.sh", "status"]).stdout.includes("stopped")) labCommand("start", dead.name);
    lab.inventory("all", (t) => t);
    lab.dispose();
  });

  it("fails a preview within a minute, naming the host and the way out", () => {
    labCommand("stop", dead.name);
    const preview = timed(["preview"]);
    assert.notEqual(preview.status, 0);
    assert.ok(preview.seconds < deadHostBudget, `gave up after ${preview.seconds} s:\n${failureText(preview)}`);
    assert.match(preview.stdout + preview.stderr, new RegExp(`${dead.name}: cannot look at the host: cannot reach ${dead.address}:22 over SSH after 6 attempt\\(s\\): .*mark it gone: true`));
  });

  it("is retired when left out of the inventory while down: one edit, its node removed through a live manager", () => {
    lab.inventory("left-out", (t) => t.replace(deadEntry, ""));
    const up = timed(["up", "--yes", "--skip-preview"]);
    assert.equal(up.status, 0, failureText(up));
    assert.match(up.stdout, new RegExp(`${dead.name}: left the inventory while its node is down: its node is removed through ${hosts[0].name}`));
    assert.deepEqual(members(), hosts.slice(0, 2).map((h) => `${h.name} Ready manager`).sort());
    // Its records go on the next run, without a login to the dead host.
    const forget = lab.cli(["up", "--yes", "--skip-preview"]);
    assert.equal(forget.status, 0, failureText(forget));
    assert.match(forget.stdout, new RegExp(`${dead.name}-dropin deleted .*\\[retain\\]`));
    assert.equal(lab.cli(["preview", "--expect-no-changes"]).status, 0);
  });

  it("rejoins when it comes back into the inventory, though its engine still remembers the swarm", comesBack);

  it("is retired by gone: true: up removes its node through a live manager and converges the rest", () => {
    labCommand("stop", dead.name);
    lab.inventory("gone", (t) => t.replace(deadEntry, (entry) => `${entry}    gone: true\n`));
    const up = timed(["up", "--yes", "--skip-preview"]);
    assert.equal(up.status, 0, failureText(up));
    assert.deepEqual(members(), hosts.slice(0, 2).map((h) => `${h.name} Ready manager`).sort());
    assert.equal(lab.cli(["preview", "--expect-no-changes"]).status, 0);
  });

  it("is forgotten without a login once it leaves the inventory", () => {
    lab.inventory("without", (t) => t.replace(deadEntry, ""));
    const up = lab.cli(["up", "--yes", "--skip-preview"]);
    assert.equal(up.status, 0, failureText(up));
    assert.match(up.stdout, new RegExp(`${dead.name}-dropin deleted .*\\[retain\\]`));
    assert.equal(lab.cli(["preview", "--expect-no-changes"]).status, 0);
  });

  it("rejoins once more after that", comesBack);

  it("does not stop destroy from cleaning every reachable host", () => {
    labCommand("stop", dead.name);
    const down = timed(["destroy", "--yes", "--skip-preview"]);
    assert.notEqual(down.status, 0);
    assert.ok(down.seconds < deadHostBudget, `gave up after ${down.seconds} s`);
    assert.match(down.stdout + down.stderr, new RegExp(`${dead.name}-dropin`));
    assert.deepEqual(hosts.slice(0, 2).flatMap(leftovers), []);
    // Back again, the host is cleaned by the next destroy.
    labCommand("start", dead.name);
    const again = lab.cli(["destroy", "--yes", "--skip-preview"]);
    assert.equal(again.status, 0, failureText(again));
    assert.deepEqual(hosts.flatMap(leftovers), []);
  });
});
