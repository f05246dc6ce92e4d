import * as pulumi from "@pulumi/pulumi";
import { remote, types } from "@pulumi/command";
import { auditedRun } from "./remote/host-audit";
import type { HostProbe, ProbeTarget } from "./remote/host-probe";
import { failRun } from "./outputs/run-failure";
import { remoteScript, remoteSteps, ScriptParams } from "./remote/remote-script";
import type { Swarm } from "./swarm";

export interface OverlayNetworkArgs {
  /** The network's name; Clipper expects `clipper_network`. */
  networkName: pulumi.Input<string>;
  /**
   * The swarm the network spans: the network is made once its first manager
   * is in place, while the other hosts join, and goes with the swarm.
   */
  swarm: Swarm;
  /** The host the network is audited from: its inventory name. */
  auditHostName: string;
  /** How to reach that host over SSH. */
  auditConnection: types.input.remote.ConnectionArgs;
  /** Engine endpoints of the other managers, asked when the audit host manages no swarm. */
  peerUrls: pulumi.Input<string>[];
  /**
   * What the network's label names as its maker (`PROJECT/STACK`): a network
   * of its name without it is never removed.
   */
  stack: string;
  /** What the network waits for: the owner gate (see ownerGate), which may refuse it. */
  owned: pulumi.Output<string>;
  /** The run's probe, which audits the network with the audit host's other checks. */
  probe: HostProbe;
  /**
   * Every host the network spans, when its data traffic is encrypted (IPsec,
   * `--opt encrypted`): each one's kernel must be able to; undefined: plain.
   */
  encryptedOn?: ProbeTarget[];
  /**
   * Where the audit host keeps its engine's key and certificates when the
   * engines take mutual TLS, to ask its peers. Undefined: plain TCP.
   */
  tlsFolder?: string;
}

/**
 * The attachable overlay network that Clipper's containers share across hosts;
 * attachable so that plain `docker run --net` containers, not only services, join it.
 * Audited on every run (see auditedRun): a network removed by hand is made again.
 *
 * It is made over SSH on the audit host, a manager, while the other hosts
 * join, rather than by Docker's provider, which waits after each network it
 * makes before it reads it back.
 */
export class OverlayNetwork extends pulumi.ComponentResource {
  /** The network's ID, the same on every host. */
  public readonly networkId: pulumi.Output<string>;
  /** The network's name. */
  public readonly networkName: pulumi.Output<string>;

  constructor(name: string, args: OverlayNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clipper-swarm:index:OverlayNetwork", name, {}, opts);
    const network = networkParams(args);
    const run = auditedRun(
      {
        hostName: args.auditHostName,
        concern: "overlay network",
        connection: args.auditConnection,
        check: remoteScript("network-check", {
          ...network,
          PEERS: args.peerUrls,
          ...(args.tlsFolder && { ENGINE_TLS: args.tlsFolder }),
        }),
        probe: args.probe,
      },
      this,
    );
    // The run waits for the kernels' answer, which may refuse it.
    const gatedRun = pulumi
      .all([run, args.encryptedOn ? encryptionGate(args.encryptedOn, args.probe) : "plain"])
      .apply(([r]) => r);
    const command = madeNetwork(`${name}-network`, args, { ...network, GENERATION: gatedRun }, this);
    this.networkId = command.stdout.apply(networkIdOf);
    this.networkName = pulumi.output(args.networkName);
    this.registerOutputs({ networkId: this.networkId, networkName: this.networkName });
  }
}

/** What every network script is told: the host, the network, whether it is encrypted, and the stack that makes it. */
function networkParams(args: OverlayNetworkArgs) {
  return { HOST: args.auditHostName, NETWORK: args.networkName, ENCRYPTED: args.encryptedOn ? "yes" : "no", STACK: args.stack };
}

/**
 * The network made over SSH by network-create.sh, which finds it as configured
 * or makes it (again), labelled with its run, and prints its ID. A new name
 * makes the new network first, then removes the old one. It is made once the
 * swarm's first manager is in place, and goes with the swarm: its own delete
 * would need the engine of one host, which may be the host that drifted or died.
 *
 * Its ID is not read back through a Docker provider: a preview would then ask
 * the engine of one host, which cannot answer while that host is out of the
 * swarm (drifted, rebuilt) and fails the whole preview. A run killed after the
 * script made the network leaves the state with the ID before; the next audit
 * finds the killed run's label, and the script runs again and prints it anew.
 */
function madeNetwork(name: string, args: OverlayNetworkArgs, params: ScriptParams, parent: pulumi.Resource): remote.Command {
  return new remote.Command(
    name,
    {
      ...remoteSteps(
        args.auditConnection,
        { create: "network-create", delete: "network-delete" },
        params,
        args.probe.scripts({ hostName: args.auditHostName, connection: args.auditConnection }),
      ),
      triggers: [args.networkName],
    },
    // It waits for the owner gate, which may refuse it; in a preview of a host
    // whose address is unknown, the gate is too, and holds nothing up.
    { parent, dependsOn: args.owned.apply(() => [args.swarm.founded]), deletedWith: args.swarm },
  );
}

/** The ID in network-create.sh's `network-id=ID` line. */
export function networkIdOf(stdout: string): string {
  const id = /^network-id=(\S+)$/m.exec(stdout)?.[1];
  if (id === undefined) throw new Error(`network-create.sh printed no network-id line: ${stdout}`);
  return id;
}

/**
 * Settles once no host of `spans` has a network named `networkName` that
 * stack `stack` did not make; fails the run, naming each such host and
 * network, otherwise. The first steps on every host wait for it, so a refused
 * run touches nothing; in a preview of a host whose address is unknown, it
 * is unknown too, and holds nothing up.
 */
export function ownerGate(spans: ProbeTarget[], networkName: pulumi.Input<string>, stack: string, probe: HostProbe): pulumi.Output<string> {
  const answers = spans.map((host) =>
    probe.read(host, "networks of the overlay's name", remoteScript("network-owner-check", { HOST: host.hostName, NETWORK: networkName, STACK: stack })),
  );
  return pulumi.all([pulumi.all(answers), networkName]).apply(async ([lines, network]): Promise<string> => {
    const foreign = spans.flatMap((host, i) =>
      lines[i].filter((l) => l.startsWith("foreign: ")).map((l) => `${host.hostName} has one (${l.slice("foreign: ".length).replace(" ", ", ")})`),
    );
    if (foreign.length === 0) return "this stack's, or none";
    return failRun(
      `network ${network} is there, and this stack (${stack}) did not make it: ${foreign.join("; ")}. Nothing removes a ` +
        `network it did not make: remove it (docker network rm ${network} on each), or set networkName to another name.`,
    );
  });
}

/**
 * Settles once every host's kernel can encrypt overlay traffic; fails the run,
 * naming the hosts that cannot, before the network is made otherwise (their
 * containers would lose every packet).
 */
function encryptionGate(hosts: ProbeTarget[], probe: HostProbe): pulumi.Output<string> {
  const answers = hosts.map((host) => probe.read(host, "kernel's IPsec", remoteScript("esp-check", { HOST: host.hostName })));
  return pulumi.all(answers).apply(async (lines): Promise<string> => {
    const unable = hosts.flatMap((host, i) => lines[i].map((line) => `${host.hostName}: ${line}`));
    if (unable.length === 0) return "every kernel can encrypt";
    return failRun(
      `clipper-swarm:networkEncrypted is true, but ${unable.join("; ")}. Docker's encrypted overlay drops every ` +
        `packet without it: set networkEncrypted to false, or use kernels built with IPsec ESP.`,
    );
  });
}
