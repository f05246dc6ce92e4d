// An interrupted `pulumi up` converges on the next run, and a second `up`
// while one runs is refused. Each interruption is of a cold `up` on clean
// hosts, at the point its output names: Ctrl-C (SIGINT) during the engines'
// restarts; `kill -9` of the CLI during the restarts, as the swarm joins
// start, and while the network is made. After a kill, the README's recovery
// (`pulumi cancel`, `pulumi refresh --clear-pending-creates`) and one `up`
// leave a clean preview, three Ready managers, the network, and nothing in the
// backend for the next run; a network that the killed run made is kept.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { dockerAt, failureText, labHosts, leftovers, missingPlugins, Run, ssh, swarmMembers } from "../support/cli";
import { labStack, LabStack } from "../support/lab-stack";
import { endOrphans, interrupt, Interrupted, leftBehind, onOutput } from "../support/interrupt";

const hosts = labHosts();
const [first, second, third] = hosts;
const up = ["up", "--yes", "--skip-preview"];
/** What endpoint-create says once it has written the drop-in, as docker restarts. */
const restarting = /restarting docker/;
/** The first host has the swarm, and the others' joins start, all at once. */
const joinsStart = new RegExp(`swarm-member-${third.name} creating`);
const lockedOut = /the stack is currently locked by 1 lock\(s\)/;

/** A fresh stack on clean hosts; its runs' orphans are ended and the hosts cleaned when the suite is done. */
function coldStack(name: string): { lab: LabStack; killed: Interrupted[] } {
  const lab = labStack(name);
  const killed: Interrupted[] = [];
  before(() => assert.deepEqual(hosts.flatMap(leftovers), [], "the interrupted up starts on clean hosts"));
  after(() => {
    endOrphans(killed);
    lab.dispose();
  });
  return { lab, killed };
}

/** The README's recovery from a killed CLI: its lock removed, the creates it was waiting for dropped. */
function recover(lab: LabStack): void {
  const cancel = lab.stack.run(["cancel", "--yes"]);
  assert.equal(cancel.status, 0, cancel.stderr);
  const refresh = lab.cli(["refresh", "--clear-pending-creates", "--yes"]);
  assert.equal(refresh.status, 0, failureText(refresh));
}

/** Converged: a clean preview, every host a Ready manager, the network on each, nothing left for the next run. */
function assertConverged(lab: LabStack): void {
  const preview = lab.cli(["preview", "--expect-no-changes"]);
  assert.equal(preview.status, 0, failureText(preview));
  assert.deepEqual(
    swarmMembers(`tcp://${first.address}:2375`),
    hosts.map((h) => `${h.name} Ready manager`).sort(),
  );
  for (const h of hosts) {
    const net = dockerAt(`tcp://${h.address}:2375`, ["network", "inspect", "clipper_network", "--format", "{{.Driver}} {{.Attachable}}"]);
    assert.equal(net.stdout.trim(), "overlay true", `${h.name}: ${net.stderr}`);
  }
  assert.deepEqual(leftBehind(lab.stack), { locks: [], pending: [] });
}

/** The resources a stack's state records, by URN. */
function recorded(lab: LabStack): string[] {
  const exported = lab.stack.run(["stack", "export"]);
  assert.equal(exported.status, 0, exported.stderr);
  return (JSON.parse(exported.stdout).deployment.resources as { urn: string }[]).map((r) => r.urn).sort();
}

describe("interrupted and concurrent runs", { skip: missingPlugins() }, () => {
  describe("Ctrl-C (SIGINT) during the engines' restarts", () => {
    const { lab } = coldStack("interrupted-sigint");

    it("lets the running steps finish, then stops, leaving no lock and nothing pending", async () => {
      const cut = await interrupt(lab.start(up), restarting, "SIGINT");
      assert.notEqual(cut.status, 0);
      assert.match(cut.stdout, /update canceled/);
      assert.deepEqual(leftBehind(lab.stack), { locks: [], pending: [] });
    });

    it("converges on the next up, with no recovery", () => {
      lab.converge();
      assertConverged(lab);
    });

    it("refuses a second up while one runs, by the backend's lock, and the state stays intact", async () => {
      const before = recorded(lab);
      const seconds: Run[] = [];
      // The lock is taken before "Updating" is printed and held until the run ends.
      const running = await onOutput(lab.start(up), /Updating \(/, () => seconds.push(lab.cli(up)));
      const [refused] = seconds;
      assert.notEqual(refused.status, 0, "the second up ran:\n" + refused.stdout);
      assert.match(refused.stdout + refused.stderr, lockedOut);
      assert.equal(running.status, 0, failureText(running));
      assert.deepEqual(recorded(lab), before);
      assertConverged(lab);
    });
  });

  describe("kill -9 of the CLI during the engines' restarts", () => {
    const { lab, killed } = coldStack("interrupted-restarts");

    it("leaves the backend's lock, which refuses the next up, and the restarts as pending creates", async () => {
      const cut = await interrupt(lab.start(up), restarting, "SIGKILL");
      killed.push(cut);
      assert.equal(cut.signal, "SIGKILL");
      const left = leftBehind(lab.stack);
      assert.equal(left.locks.length, 1);
      assert.ok(left.pending.length > 0, "the restart under way is pending");
      for (const op of left.pending) assert.match(op, /^creating cluster-host\d+-dropin$/);
      const next = lab.cli(up);
      assert.match(next.stdout + next.stderr, lockedOut);
    });

    it("converges after pulumi cancel and refresh --clear-pending-creates", () => {
      recover(lab);
      lab.converge();
      assertConverged(lab);
    });
  });

  describe("kill -9 of the CLI as the swarm joins start", () => {
    const { lab, killed } = coldStack("interrupted-joins");

    it("leaves the backend's lock and the joins pending", async () => {
      const joins = [second, third].map((h) => `creating cluster-swarm-member-${h.name}`);
      // The state records a step shortly after the output names it: killed once it has recorded one join or both.
      killed.push(await interrupt(lab.start(up), joinsStart, "SIGKILL", () => leftBehind(lab.stack).pending.some((p) => joins.includes(p))));
      const left = leftBehind(lab.stack);
      assert.equal(left.locks.length, 1);
      assert.ok(left.pending.some((p) => joins.includes(p)), `a join is pending: ${left.pending.join(", ")}`);
      // The providers were made as the engines answered, before the swarm's
      // first step; the network starts with the joins, if its step was recorded by then.
      const network = "creating cluster-overlay-network";
      assert.deepEqual(left.pending.filter((p) => !joins.includes(p) && p !== network), [], "only joins and the network are pending, which start together");
    });

    it("converges after pulumi cancel and refresh --clear-pending-creates", () => {
      recover(lab);
      lab.converge();
      assertConverged(lab);
    });

    it("while the network is made: the killed run makes it, and the next up keeps it", async () => {
      const removed = ssh(first, "docker network rm clipper_network");
      assert.equal(removed.status, 0, removed.stderr);
      // Killed once its script has made the network, mostly before the CLI records the step.
      const networkId = () => ssh(first, "docker network inspect clipper_network --format '{{.Id}}' 2>/dev/null").stdout.trim();
      killed.push(await interrupt(lab.start(up), /overlay-network updating/, "SIGKILL", () => networkId() !== ""));
      const made = networkId();
      assert.notEqual(made, "", "the killed run made the network");
      recover(lab);
      const kept = lab.cli(up);
      assert.equal(kept.status, 0, failureText(kept));
      assert.doesNotMatch(kept.stdout, /made network clipper_network/, "the next run finds it made, or has nothing left to do");
      assert.equal(networkId(), made, "the same network, not made again");
      // Read from the state: a killed run that recorded the step shows the new ID as a change of the output.
      assert.equal(lab.stack.run(["stack", "output", "networkId"]).stdout.trim(), made, "the stack's output names it");
      assertConverged(lab);
    });
  });
});
