import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { ApiNode, departedNodes, quorumLoss, WantedMember } from "../../components/cluster/swarm-quorum";

/** A node as the engine API lists it: `m` a manager (`m!` down and unreachable), `w` a worker (`w!` down). */
function node(hostname: string, address: string, kind: "m" | "m!" | "w" | "w!", ours = true): ApiNode {
  return {
    Description: { Hostname: hostname },
    Spec: { Role: kind.startsWith("w") ? "worker" : "manager", Labels: ours ? { "clipper-swarm.member": hostname } : {} },
    Status: { Addr: address, State: kind.endsWith("!") ? "down" : "ready" },
    ...(kind.startsWith("m") && { ManagerStatus: { Addr: `${address}:2377`, Reachability: kind === "m" ? "reachable" : "unreachable" } }),
  };
}

const want = (hostName: string, address: string, role: WantedMember["role"] = "manager", gone = false): WantedMember => ({
  hostName,
  address,
  role,
  gone,
});

const a = ["host1", "10.0.0.1"] as const;
const b = ["host2", "10.0.0.2"] as const;
const c = ["host3", "10.0.0.3"] as const;

describe("quorumLoss", () => {
  it("refuses to take out a healthy manager of 3 while another is down, and says what to do", () => {
    const problem = quorumLoss([node(...a, "m"), node(...b, "m"), node(...c, "m!")], [want(...a), want(...c)]);
    assert.equal(
      problem,
      "host2 at 10.0.0.2: taking it out of the inventory would leave 1 of 2 managers reachable, and a swarm needs 2 " +
        "(a majority) to change its membership, so it would stop " +
        "(https://docs.docker.com/engine/swarm/admin_guide/#maintain-the-quorum-of-managers). Unreachable now: host3. " +
        "Bring them back, or mark them gone: true in the inventory so that their nodes are removed first " +
        "(hosts/README.md); then run again.",
    );
  });

  it("removes a dead manager taken out of the inventory first, as if it were marked gone", () => {
    assert.equal(quorumLoss([node(...a, "m"), node(...b, "m"), node(...c, "m!")], [want(...a)]), undefined);
  });

  it("still keeps the quorum rule for dead managers taken out of the inventory", () => {
    const problem = quorumLoss([node(...a, "m"), node(...b, "m!"), node(...c, "m!")], [want(...a)]);
    assert.match(problem ?? "", /^host2 at 10\.0\.0\.2: removing its node would leave 1 of 2 managers reachable/);
  });

  it("allows it when the dead manager is marked gone, as its node goes first", () => {
    assert.equal(quorumLoss([node(...a, "m"), node(...b, "m"), node(...c, "m!")], [want(...a), want(...c, "manager", true)]), undefined);
  });

  it("refuses a demotion to worker that would cost the quorum", () => {
    const problem = quorumLoss([node(...a, "m"), node(...b, "m"), node(...c, "m!")], [want(...a), want(...b, "worker"), want(...c)]);
    assert.match(problem ?? "", /^host2: demoting it to role: worker would leave 1 of 2 managers reachable/);
  });

  it("allows removing a manager when all the others are reachable", () => {
    assert.equal(quorumLoss([node(...a, "m"), node(...b, "m"), node(...c, "m")], [want(...a), want(...b)]), undefined);
    assert.equal(quorumLoss([node(...a, "m"), node(...b, "m"), node(...c, "m")], [want(...a), want(...b, "worker"), want(...c)]), undefined);
  });

  it("counts new managers, which join before anyone leaves", () => {
    // 2 of 3 reachable; host4 joins (4 managers, 3 reachable), then host2 leaves (3, 2 reachable): still a majority.
    const nodes = [node(...a, "m"), node(...b, "m"), node(...c, "m!")];
    assert.equal(quorumLoss(nodes, [want(...a), want(...c), want("host4", "10.0.0.4")]), undefined);
  });

  it("demotes only after the new managers have joined, as a run does", () => {
    const nodes = [node(...a, "m"), node(...b, "m"), node(...c, "m!")];
    assert.equal(quorumLoss(nodes, [want(...a), want(...b, "worker"), want(...c), want("host4", "10.0.0.4")]), undefined);
  });

  it("refuses to add a manager to a swarm that has lost its majority", () => {
    const nodes = [node(...a, "m"), node(...b, "m!"), node(...c, "m!")];
    assert.match(quorumLoss(nodes, [want(...a), want(...b), want(...c), want("host4", "10.0.0.4")]) ?? "", /^host4: cannot join as a manager: 1 of 3 managers are reachable/);
  });

  it("leaves alone the nodes it did not add, and workers", () => {
    const nodes = [node(...a, "m"), node(...b, "m!"), node("other", "10.0.0.9", "m", false), node("w", "10.0.0.8", "w")];
    assert.equal(quorumLoss(nodes, [want(...a), want(...b)]), undefined);
  });

  it("finds nothing to guard without a swarm", () => {
    assert.equal(quorumLoss([], [want(...a)]), undefined);
  });

  it("reads IPv6 manager addresses", () => {
    const v6 = (name: string, address: string, kind: "m" | "m!") => ({
      ...node(name, address, kind),
      ManagerStatus: { Addr: `[${address}]:2377`, Reachability: kind === "m" ? "reachable" : "unreachable" },
    });
    const nodes = [v6("h1", "fd00::1", "m"), v6("h2", "fd00::2", "m"), v6("h3", "fd00::3", "m!")];
    assert.match(quorumLoss(nodes, [want("h1", "fd00::1"), want("h3", "fd00::3")]) ?? "", /^h2 at fd00::2: taking it out/);
  });
});

describe("departedNodes", () => {
  it("finds former members that are down, by the inventory name on their label", () => {
    const nodes = [node(...a, "m"), node(...b, "m!"), node("w1", "10.0.0.7", "w!"), node("w2", "10.0.0.8", "w")];
    assert.deepEqual(departedNodes(nodes, [want(...a)]), [
      { hostName: "host2", address: "10.0.0.2", role: "manager" },
      { hostName: "w1", address: "10.0.0.7", role: "worker" },
    ], "a former member that is up leaves through its own engine");
  });

  it("leaves strangers, and entries at an inventory host's address, alone", () => {
    const nodes = [node(...a, "m"), node("other", "10.0.0.9", "m!", false), node("old-name", "10.0.0.1", "w!")];
    assert.deepEqual(departedNodes(nodes, [want(...a)]), []);
    assert.deepEqual(departedNodes([node(...b, "m!")], [want(...a), want(...b, "manager", true)]), [], "a gone host is retired as such");
  });
});
