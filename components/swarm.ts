import * as pulumi from "@pulumi/pulumi";
import { remote, types } from "@pulumi/command";
import { hostPort } from "./daemon-endpoint";
import { auditedRun } from "./host-audit";
import type { HostProbe } from "./host-probe";
import { keepAsRecorded, remoteScript, remoteSteps } from "./remote-script";

/** Swarm managers talk raft on this port. */
export const swarmPort = 2377;

/** A host that becomes a manager of the swarm. */
export interface SwarmManagerArgs {
  /** The host's name in the inventory; it names the host in every message. */
  hostName: string;
  /** How to reach the host over SSH. */
  connection: pulumi.Input<types.input.remote.ConnectionArgs>;
  /** The address the swarm advertises and listens on for this host. */
  advertiseAddress: pulumi.Input<string>;
  /** The host's engine endpoint (`tcp://ADDRESS:PORT`): its peers join, promote and remove nodes through it. */
  endpointUrl: pulumi.Input<string>;
  /**
   * What exposes that endpoint (the host's DaemonEndpoint). The host joins once
   * it is up, and a host taken out of the inventory leaves the swarm before it
   * goes.
   */
  endpoint: pulumi.Resource;
  /** The host is gone for good (`gone: true` in the inventory): a live manager removes its node. */
  gone?: boolean;
}

export interface SwarmArgs {
  /**
   * Every host of the swarm, all managers, as the seed procedure asks. The first
   * live one may initialise the swarm; the others join it one at a time, in
   * this order.
   */
  managers: SwarmManagerArgs[];
  /** The run's probe, which audits each host's membership with the host's other checks. */
  probe: HostProbe;
}

/**
 * A Docker swarm whose every node is a manager: `docker swarm init` on the first
 * host, then `docker swarm join` as a manager on each other host. Each host's
 * membership is audited on every run (see auditedRun); a host that left, was
 * demoted or rebuilt is brought back through any live manager.
 */
export class Swarm extends pulumi.ComponentResource {
  /** The swarm's ID. */
  public readonly swarmId: pulumi.Output<string>;
  /** Each host's node ID in the swarm, by host name. */
  public readonly nodeIds: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: SwarmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clipper-swarm:index:Swarm", name, {}, opts);
    const live = args.managers.filter((host) => !host.gone);
    if (live.length === 0) throw new Error(`${name}: a swarm needs at least one live host`);

    this.nodeIds = {};
    const members: remote.Command[] = [];
    // Taking the whole swarm down node by node needs a quorum at every step,
    // which a drifted or dead host breaks; so destroy skips the members' own
    // steps, and each host's endpoint leaves the swarm on its own.
    const memberOpts = { parent: this, deletedWith: this };
    for (const [i, host] of args.managers.entries()) {
      // Named by host, so that reordering the inventory renames nothing. The
      // names that earlier versions gave by position stay as aliases.
      const memberName = `${name}-member-${host.hostName}`;
      const aliases = [{ name: `${name}-join-${host.hostName}` }, ...(i === 0 ? [{ name: `${name}-init` }] : [])];
      if (host.gone) {
        keepAsRecorded(memberName, host.connection, { ...memberOpts, aliases });
        retire(`${name}-retire-${host.hostName}`, host, live[0], memberOpts);
        continue;
      }
      const peers = live.filter((other) => other !== host);
      // Raft changes its membership one node at a time: each join waits for the one before.
      const member = swarmMember(memberName, host, peers, host === live[0], args.probe, {
        ...memberOpts,
        aliases,
        dependsOn: [host.endpoint, ...members.slice(-1)],
      });
      this.nodeIds[host.hostName] = member.stdout.apply((out) => field(out, "node-id", memberName));
      members.push(member);
    }
    this.swarmId = members[0].stdout.apply((out) => field(out, "swarm-id", name));

    this.registerOutputs({ swarmId: this.swarmId, nodeIds: this.nodeIds });
  }
}

/** One host's membership: its audit, and the command that makes and repairs it. */
function swarmMember(
  name: string,
  host: SwarmManagerArgs,
  peers: SwarmManagerArgs[],
  first: boolean,
  probe: HostProbe,
  opts: pulumi.CustomResourceOptions & { parent: pulumi.Resource },
): remote.Command {
  const run = auditedRun(
    {
      hostName: host.hostName,
      concern: "swarm membership",
      connection: host.connection,
      check: remoteScript("swarm-check", { HOST: host.hostName }),
      probe,
    },
    opts.parent,
  );
  const peerUrls = peers.map((p) => p.endpointUrl);
  const steps = { create: "swarm-member", delete: "swarm-member-delete" };
  return new remote.Command(
    name,
    {
      connection: host.connection,
      ...remoteSteps(steps, {
        HOST: host.hostName,
        ADVERTISE: host.advertiseAddress,
        LISTEN_ADDR: pulumi.output(host.advertiseAddress).apply((a) => hostPort(a, swarmPort)),
        PEERS: peerUrls,
        MAY_INIT: first ? "yes" : "no",
        GENERATION: run,
      }),
    },
    opts,
  );
}

/** Removes the node of host `gone` through the live manager `via`; there is nothing to undo. */
function retire(name: string, gone: SwarmManagerArgs, via: SwarmManagerArgs, opts: pulumi.CustomResourceOptions): remote.Command {
  return new remote.Command(
    name,
    {
      connection: via.connection,
      ...remoteSteps(
        { create: "swarm-retire", delete: "swarm-retire-delete" },
        { HOST: via.hostName, GONE: gone.hostName, GONE_ADDR: gone.advertiseAddress },
      ),
    },
    opts,
  );
}

/** A `key=value` line that a remote script printed. */
export function field(stdout: string, key: string, source: string): string {
  const line = stdout.split("\n").find((l) => l.startsWith(`${key}=`));
  const value = line?.slice(key.length + 1).trim();
  if (!value) throw new Error(`${source}: the remote script printed no ${key}`);
  return value;
}
