// A host that dies (its address stops answering) does not trap the stack:
// preview fails fast naming it; `gone: true` retires it and up converges the
// rest; it comes back by returning to the inventory; and destroy with a dead
// host still cleans every reachable host.
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
    assert.ok(preview.seconds < deadHostBudget, `gave up after ${preview.seconds} s`);
    assert.match(preview.stdout + preview.stderr, new RegExp(`${dead.name}: cannot look at the host: cannot log in over SSH to ${dead.address}:22 .*mark it gone: true`));
  });

  it("refuses to take out a healthy manager while the dead one still counts, saying what to do, and changes nothing", () => {
    const [first, healthy] = hosts;
    const esc = (text: string) => text.replace(/\./g, "\\.");
    lab.inventory("only-first", (t) => t.replace(/hosts:\n[\s\S]*$/, `hosts:\n  - name: ${first.name}\n    address: ${first.address}\n`));
    for (const command of [["preview"], ["up", "--yes", "--skip-preview"]]) {
      const refused = lab.cli(command);
      assert.notEqual(refused.status, 0, refused.stdout);
      const out = refused.stdout + refused.stderr;
      assert.match(out, new RegExp(
        `error: ${healthy.name} at ${esc(healthy.address)}: taking it out of the inventory would leave 1 of 2 managers reachable, ` +
          `and a swarm needs 2 \\(a majority\\) to change its membership.*Unreachable now: ${dead.name} at ${esc(dead.address)}\\. ` +
          `Bring them back, or mark them gone: true in the inventory`,
      ));
      assert.doesNotMatch(out, /error serializing/, "one message, as it is");
    }
    assert.deepEqual(members(), [`${first.name} Ready manager`, `${healthy.name} Ready manager`, `${dead.name} Down Unreachable`].sort());
  });

  it("is retired by gone: true: up removes its node through a live manager and converges the rest", () => {
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

  it("rejoins when it comes back into the inventory, though its engine still remembers the swarm", () => {
    labCommand("start", dead.name);
    lab.inventory("all", (t) => t);
    lab.converge();
    assert.deepEqual(members(), hosts.map((h) => `${h.name} Ready manager`).sort());
    assert.equal(lab.cli(["preview", "--expect-no-changes"]).status, 0);
  });

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
