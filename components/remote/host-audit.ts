import * as pulumi from "@pulumi/pulumi";
import { asConfigured, HostProbe, Observation, ProbeTarget } from "./host-probe";

/**
 * The run of a concern found as configured that no run recorded, such as one
 * made by hand: adopted as it is, with no change.
 */
export const neverRecorded = "0";

/** A fresh run, the same for every repair that this program run asks for. */
const repairRun = `repair-${Date.now().toString(36)}`;

export interface HostAuditArgs extends ProbeTarget {
  /** What is audited, for messages: `engine endpoint`, `swarm membership`. */
  concern: string;
  /**
   * A script that looks at the host and changes nothing. It prints one line per
   * difference from the configuration, nothing when there is none, and
   * `last-run: RUN` when the host records the run that last made the concern.
   * Its values may be outputs: an unknown one leaves what the probe finds unknown (see HostProbe).
   */
  check: pulumi.Input<string>;
  /** The run's probe, which runs this check with the host's others. */
  probe: HostProbe;
}

/**
 * One concern of one host, audited on every `preview` and `up`: the run that
 * the command doing the work must have as its `GENERATION` input.
 *
 * A host as configured gives back the run it records, which is the one that
 * command last ran with, so nothing changes. A drifted host gets a fresh run:
 * the command's input changes, the plan shows it as an update, and `up`
 * re-runs its idempotent script, which records the new run on the host. The
 * record lives on the host, not in the stack's state: what the plan says
 * comes from what the host is, a failed run leaves no stale record behind, and
 * a rebuilt host, which lost its record, is repaired like any other.
 *
 * `reporter` carries the message that names the host and the drift in the plan.
 */
export function auditedRun(args: HostAuditArgs, reporter: pulumi.Resource): pulumi.Output<string> {
  return audit(args, reporter).run;
}

/** A concern's audit: the run for its command (see auditedRun), and what the probe found. */
export interface Audit {
  /** The run that the command doing the work must have as its `GENERATION` input. */
  run: pulumi.Output<string>;
  /** What the probe found; unknown where the host's address is (see HostProbe). */
  observation: pulumi.Output<Observation>;
}

/** auditedRun, with what the probe found for a component that acts on it besides. */
export function audit(args: HostAuditArgs, reporter: pulumi.Resource): Audit {
  const observed = args.probe.observe(args, args.concern, args.check);
  const run = observed.apply((o) => runFor(o, o.found === asConfigured ? undefined : o.found, `${args.hostName}: ${args.concern}`, reporter));
  return {
    run,
    observation: observed,
  };
}

/**
 * The run for a concern's command: the one its host records where nothing
 * drifted, else a fresh one, with `drift` logged after `subject` on `reporter`.
 */
export function runFor(observation: Observation, drift: string | undefined, subject: string, reporter: pulumi.Resource): string {
  if (drift === undefined) return observation.lastRun ?? neverRecorded;
  pulumi.log.info(`${subject}: ${drift}`, reporter);
  return repairRun;
}
