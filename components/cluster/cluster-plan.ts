/**
 * The cluster's shape, planned once from plain facts: which hosts are live, in
 * what order, which manager may start the swarm, and which host the test
 * command targets. Everything that picks a host reads this plan.
 */
import { compareHostNames, Role } from "./host-rules";

/** What the plan needs of a host. */
export interface PlannedHost {
  /** The host's name. */
  name: string;
  /** Its part in the swarm. */
  role: Role;
  /** Gone for good: nothing reaches it, and its node is removed. */
  gone: boolean;
}

/** The cluster's shape. */
export interface ClusterPlan<H extends PlannedHost> {
  /** The hosts that are not gone, in name order. */
  live: H[];
  /** The live managers, in name order; never empty. */
  managers: H[];
  /** The first live manager by name: the one that may start the swarm, and audits the network. */
  firstManager: H;
  /** The host the test command targets. */
  testHost: H;
}

/** Why hosts cannot form a cluster: `field` names what is wrong, such as `testHost`. */
export class PlanError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = "PlanError";
  }
}

/** Plans the cluster of `hosts`, with the test command on `testHost` (default: the first live host by name). */
export function planCluster<H extends PlannedHost>(hosts: H[], testHost?: string): ClusterPlan<H> {
  const live = hosts.filter((h) => !h.gone).sort((x, y) => compareHostNames(x.name, y.name));
  if (live.length === 0) {
    throw new PlanError("hosts", "every host is marked gone; the swarm needs at least one live host (to take it all down, run pulumi destroy)");
  }
  const managers = live.filter((h) => h.role === "manager");
  if (managers.length === 0) {
    throw new PlanError("hosts", "no live host is a manager, and a swarm of workers only cannot exist; give at least one live host role: manager");
  }
  const test = testHost === undefined ? live[0] : live.find((h) => h.name === testHost);
  if (!test) {
    throw new PlanError("testHost", `"${testHost}" is not a live host (${live.map((h) => h.name).join(", ")})`);
  }
  return { live, managers, firstManager: managers[0], testHost: test };
}
