import * as pulumi from "@pulumi/pulumi";
import type { SwarmRole } from "../remote/host-probe";

/**
 * The order of a run's engine restarts. The engines of a live swarm's
 * managers restart one at a time, each once the managers' before it are back
 * in the swarm's raft (endpoint-create.sh waits for that), so that the swarm
 * keeps its quorum; the leader's restarts last, so that the swarm elects a
 * new leader once, not once per restart. The engines of hosts in no swarm, a
 * cold `up`'s, restart all at once.
 *
 * Only the restarts that a run makes are ordered: an order recorded in the
 * state would also make destroy, which takes the engines back one step each,
 * go one host at a time.
 */
export class RestartOrder {
  private readonly steps: { restarting: pulumi.Output<SwarmRole | undefined>; step: pulumi.Resource }[] = [];

  /**
   * Makes the step that may restart a host's engine, with `after` the steps it
   * waits for. `restarting` settles to the host's role where the host's engine
   * manages a swarm and the run restarts it: a manager waits for the managers
   * placed before it, the leader for every other manager.
   *
   * Every step is placed before any role settles: roles come from the probe,
   * which looks at the hosts once the program has asked for all its checks.
   * A role that is unknown (a preview of a host whose address another
   * resource gives) is no manager's of a live swarm: the host is new.
   */
  place<T extends pulumi.Resource>(restarting: pulumi.Output<SwarmRole | undefined>, make: (after: pulumi.Output<pulumi.Resource[]>) => T): T {
    const position = this.steps.length;
    const after = restarting.apply((role) =>
      role ? this.managersBefore(role, position) : pulumi.output<pulumi.Resource[]>([]),
    );
    const step = make(after);
    this.steps.push({ restarting, step });
    return step;
  }

  /** The steps of the managers that restart before a `role` placed at `position`: all of them for the leader. */
  private managersBefore(role: SwarmRole, position: number): pulumi.Output<pulumi.Resource[]> {
    const before = this.steps.filter((_, i) => role === "leader" || i < position);
    return pulumi.all(before.map((s) => s.restarting)).apply((roles) => before.filter((_, i) => roles[i] === "manager").map((s) => s.step));
  }
}
