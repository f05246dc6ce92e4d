import * as pulumi from "@pulumi/pulumi";
import type { types } from "@pulumi/command";
import { runOverSsh, SshLogin } from "./ssh-exec";

/** What an audit reports when the host is as the stack configured it. */
export const asConfigured = "as configured";

export interface HostAuditArgs {
  /** The host's name in the inventory; it names the host in every message. */
  hostName: string;
  /** What is audited, for messages: `engine endpoint`, `swarm membership`. */
  concern: string;
  /** How to reach the host over SSH. */
  connection: pulumi.Input<types.input.remote.ConnectionArgs>;
  /**
   * A script that looks at the host and changes nothing. It prints one line per
   * difference from the configuration, and nothing when there is none.
   */
  check: pulumi.Input<string>;
}

/** The audit's inputs as its provider sees them. */
interface AuditInputs {
  hostName: string;
  concern: string;
  connection: SshLogin;
  check: string;
  found: string;
}

/**
 * What a host really is, in every plan. Pulumi asks this resource's provider to
 * check its inputs on every `preview` and `up`; the check runs the audit script
 * on the host and puts what it found in the input `found`. A difference shows
 * in the plan as `found: "as configured" => "what drifted"`, and the update
 * that repairs it bumps `generation`, which the commands that do the work take
 * as an input, so that they run again.
 *
 * The provider's diff looks at what was found, not at the stored state, so the
 * preview after a repair is clean. It never changes the host itself, and it has
 * no delete: a repair never tears down what it came to fix.
 */
export class HostAudit extends pulumi.dynamic.Resource {
  /** Bumped by every update that found the host drifted; 0 when created. */
  declare public readonly generation: pulumi.Output<number>;
  /** What the last change found on the host: `as configured`, or the drift it repaired. */
  declare public readonly found: pulumi.Output<string>;

  constructor(name: string, args: HostAuditArgs, opts?: pulumi.CustomResourceOptions) {
    super(auditProvider, name, { ...args, found: asConfigured, generation: undefined }, opts, "clipper-swarm", "HostAudit");
  }
}

const auditProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: AuditInputs, news: AuditInputs) {
    const found = await observe(news);
    // Pulumi shows what a provider writes to stderr: the plan says what drifted.
    if (found !== asConfigured) console.error(`${news.hostName}: ${news.concern}: ${found}`);
    return { inputs: { ...news, found } };
  },
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

/** The outputs kept in state: never the connection, which holds the key. */
function outputs(inputs: AuditInputs, generation: number) {
  return { hostName: inputs.hostName, concern: inputs.concern, found: inputs.found, generation };
}

/** Runs the audit script on the host: what differs, or `as configured`. */
async function observe(inputs: AuditInputs): Promise<string> {
  const run = await runOverSsh(inputs.connection, inputs.check).catch((err: Error) => {
    throw new Error(`${inputs.hostName}: cannot audit the ${inputs.concern}: ${err.message}`);
  });
  if (run.code !== 0) {
    const said = run.stderr.trim().split("\n").pop() || `exit status ${run.code}`;
    throw new Error(`${inputs.hostName}: cannot audit the ${inputs.concern}: ${said}`);
  }
  const lines = run.stdout.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.length ? lines.join("; ") : asConfigured;
}
