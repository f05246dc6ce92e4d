import * as pulumi from "@pulumi/pulumi";
import { remote, types } from "@pulumi/command";
import { hostPort } from "./daemon-endpoint";
import { remoteScript } from "./remote-script";

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
  /** The host's engine endpoint (`tcp://ADDRESS:PORT`); the first manager's removes departing nodes. */
  endpointUrl: pulumi.Input<string>;
}

export interface SwarmArgs {
  /**
   * Every host of the swarm, all managers, as the seed procedure asks. The first
   * one initialises the swarm; the others join it one at a time, in this order.
   */
  managers: SwarmManagerArgs[];
}

/**
 * A Docker swarm whose every node is a manager: `docker swarm init` on the first
 * host, then `docker swarm join` as a manager on each other host.
 */
export class Swarm extends pulumi.ComponentResource {
  /** The swarm's ID. */
  public readonly swarmId: pulumi.Output<string>;
  /** Each host's node ID in the swarm, by host name. */
  public readonly nodeIds: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: SwarmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clipper-swarm:index:Swarm", name, {}, opts);
    const [first, ...others] = args.managers;
    if (!first) throw new Error(`${name}: a swarm needs at least one host`);

    const init = new remote.Command(
      `${name}-init`,
      {
        connection: first.connection,
        create: remoteScript("swarm-init", { HOST: first.hostName, ADVERTISE: first.advertiseAddress }),
        delete: remoteScript("swarm-init-delete", { HOST: first.hostName }),
      },
      { parent: this },
    );
    this.swarmId = init.stdout.apply((out) => field(out, "swarm-id", `${name}-init`));
    this.nodeIds = { [first.hostName]: init.stdout.apply((out) => field(out, "node-id", `${name}-init`)) };

    const token = new remote.Command(
      `${name}-token`,
      {
        connection: first.connection,
        create: remoteScript("join-token", { HOST: first.hostName }),
        // The token admits a manager: it stays out of logs and is encrypted in state.
        logging: "none",
      },
      { parent: this, dependsOn: [init], additionalSecretOutputs: ["stdout"] },
    );

    // Raft changes its membership one node at a time: each join waits for the one before.
    let previous: pulumi.Resource = token;
    for (const host of others) {
      const join = joinAsManager(
        `${name}-join-${host.hostName}`,
        host,
        {
          swarmId: this.swarmId,
          token: token.stdout,
          leader: first,
        },
        { parent: this, dependsOn: [previous] },
      );
      this.nodeIds[host.hostName] = join.stdout.apply((out) =>
        field(out, "node-id", `${name}-join-${host.hostName}`),
      );
      previous = join;
    }

    this.registerOutputs({ swarmId: this.swarmId, nodeIds: this.nodeIds });
  }
}

interface JoinTarget {
  /** The swarm to join. */
  swarmId: pulumi.Output<string>;
  /** The manager join token (secret). */
  token: pulumi.Output<string>;
  /** The first manager: the address to join and the endpoint that removes departing nodes. */
  leader: SwarmManagerArgs;
}

function joinAsManager(
  name: string,
  host: SwarmManagerArgs,
  target: JoinTarget,
  opts: pulumi.CustomResourceOptions,
): remote.Command {
  return new remote.Command(
    name,
    {
      connection: host.connection,
      create: remoteScript("swarm-join", { HOST: host.hostName, SWARM_ID: target.swarmId }),
      // The engine API's join request; the script hands it to the engine unchanged.
      stdin: pulumi.secret(joinRequest(host.advertiseAddress, target.leader.advertiseAddress, target.token)),
      delete: remoteScript("swarm-join-delete", {
        HOST: host.hostName,
        SWARM_ID: target.swarmId,
        LEADER: target.leader.endpointUrl,
      }),
    },
    { ...opts, deleteBeforeReplace: true },
  );
}

/** The body of the engine API's `POST /swarm/join` for a manager at `advertise` joining through `leader`. */
export function joinRequestBody(advertise: string, leader: string, token: string): string {
  return JSON.stringify({
    ListenAddr: hostPort(advertise, swarmPort),
    AdvertiseAddr: advertise,
    RemoteAddrs: [hostPort(leader, swarmPort)],
    JoinToken: token.trim(),
  });
}

/** `joinRequestBody` of values that are still outputs. */
export function joinRequest(
  advertise: pulumi.Input<string>,
  leader: pulumi.Input<string>,
  token: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.all([advertise, leader, token]).apply(([a, l, t]) => joinRequestBody(a, l, t));
}

/** A `key=value` line that a remote script printed. */
export function field(stdout: string, key: string, source: string): string {
  const line = stdout.split("\n").find((l) => l.startsWith(`${key}=`));
  const value = line?.slice(key.length + 1).trim();
  if (!value) throw new Error(`${source}: the remote script printed no ${key}`);
  return value;
}
