import * as pulumi from "@pulumi/pulumi";
import { asConfigured, HostProbe, ProbeTarget } from "./host-probe";

export interface HostAuditArgs extends ProbeTarget {
  /** What is audited, for messages: `engine endpoint`, `swarm membership`. */
  concern: string;
  /**
   * A script that looks at the host and changes nothing. It prints one line per
   * difference from the configuration, and nothing when there is none. Made of
   * settled values only (see HostProbe).
   */
  check: pulumi.Input<string>;
  /** The run's probe, which runs this check with the host's others. */
  probe: HostProbe;
}

/** The audit's inputs as its provider sees them. */
interface AuditInputs {
  hostName: string;
  concern: string;
  found: string;
}

/**
 * What a host really is, in every plan. The program probes each host while it
 * runs (see HostProbe) and gives this resource what it found as the input
 * `found`. A difference shows in the plan as `found: "as configured" => "what
 * drifted"`, and the update that repairs it bumps `generation`, which the
 * commands that do the work take as an input, so that they run again.
 *
 * The provider's diff looks at what was found, not at the stored state, so the
 * preview after a repair is clean. It never touches a host, and it has no
 * delete: a repair never tears down what it came to fix.
 */
export class HostAudit extends pulumi.dynamic.Resource {
  /** Bumped by every update that found the host drifted; 0 when created. */
  declare public readonly generation: pulumi.Output<number>;
  /** What the last change found on the host: `as configured`, or the drift it repaired. */
  declare public readonly found: pulumi.Output<string>;

  constructor(name: string, args: HostAuditArgs, opts?: pulumi.CustomResourceOptions) {
    const found = args.probe.observe(args, args.concern, args.check);
    const inputs = { hostName: args.hostName, concern: args.concern, found, generation: undefined };
    super(auditProvider, name, inputs, opts, "clipper-swarm", "HostAudit");
    // The plan says what drifted, on which host, in words.
    found.apply((f) => f !== asConfigured && pulumi.log.info(`${args.hostName}: ${args.concern}: ${f}`, this));
  }
}

const auditProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, _olds: AuditInputs, news: AuditInputs) {
    return { changes: news.found !== asConfigured };
  },
  async create(inputs: AuditInputs) {
    return { id: `${inputs.hostName}/${inputs.concern}`, outs: outputs(inputs, 0) };
  },
  async update(_id: string, olds: { generation?: number }, news: AuditInputs) {
    return { outs: outputs(news, (olds.generation ?? 0) + 1) };
  },
};

function outputs(inputs: AuditInputs, generation: number) {
  return { hostName: inputs.hostName, concern: inputs.concern, found: inputs.found, generation };
}
