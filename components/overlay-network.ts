import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import type { types } from "@pulumi/command";
import { adoptable, audit, neverRecorded } from "./host-audit";
import type { HostProbe, ProbeTarget } from "./host-probe";
import { failRun } from "./run-failure";
import { remoteScript } from "./remote-script";
import type { Swarm } from "./swarm";

export interface OverlayNetworkArgs {
  /** The network's name; Clipper expects `clipper_network`. */
  networkName: pulumi.Input<string>;
  /** A swarm manager's Docker provider: swarm-scoped networks are made on a manager. */
  provider: docker.Provider;
  /**
   * The swarm the network spans: the network is made once its first manager
   * is in place, while the other hosts join, and goes with the swarm.
   */
  swarm: Swarm;
  /** The host the network is audited from: its inventory name. */
  auditHostName: string;
  /** How to reach that host over SSH. */
  auditConnection: pulumi.Input<types.input.remote.ConnectionArgs>;
  /**
   * Engine endpoints of the other managers, asked when the audit host manages
   * no swarm: settled values, as every check's (see HostProbe).
   */
  peerUrls: string[];
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
 */
export class OverlayNetwork extends pulumi.ComponentResource {
  /** The network's ID, the same on every host. */
  public readonly networkId: pulumi.Output<string>;
  /** The network's name. */
  public readonly networkName: pulumi.Output<string>;

  constructor(name: string, args: OverlayNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clipper-swarm:index:OverlayNetwork", name, {}, opts);
    const { run, observation } = audit(
      {
        hostName: args.auditHostName,
        concern: "overlay network",
        connection: args.auditConnection,
        check: remoteScript("network-check", {
          HOST: args.auditHostName,
          NETWORK: args.networkName,
          PEERS: args.peerUrls,
          ENCRYPTED: args.encryptedOn ? "yes" : "no",
          ...(args.tlsFolder && { ENGINE_TLS: args.tlsFolder }),
        }),
        probe: args.probe,
      },
      this,
    );
    const labels = pulumi
      .all([run, args.encryptedOn ? encryptionGate(args.encryptedOn, args.probe) : "plain"])
      .apply(([r]) => (r === neverRecorded ? [] : [{ label: "clipper-swarm.generation", value: r }]));
    // Registered once the probe has looked: a network this stack made that its
    // state does not record is adopted, not refused as a duplicate name.
    const network = observation.then((seen) =>
      makeNetwork(`${name}-network`, args, labels, { adopt: adoptable(seen), missing: isMissing(seen.found) }, this),
    );
    this.networkId = pulumi.output(network.then((n) => n.id));
    this.networkName = pulumi.output(network.then((n) => n.name));
    this.registerOutputs({ networkId: this.networkId, networkName: this.networkName });
  }
}

/** What the audit found of the network on its host. */
interface FoundNetwork {
  /**
   * The ID of the network of that name that the audit found as configured and
   * labelled by a run of this stack; imported when the state has no record of it.
   */
  adopt: string | undefined;
  /** The audit found no network of that name. */
  missing: boolean;
}

/** Whether network-check.sh found no network of that name. */
function isMissing(found: string): boolean {
  return /^network \S+ is missing/.test(found);
}

/** The network itself, through the manager's provider. */
function makeNetwork(
  name: string,
  args: OverlayNetworkArgs,
  labels: pulumi.Input<{ label: string; value: string }[]>,
  { adopt, missing }: FoundNetwork,
  parent: pulumi.Resource,
): docker.Network {
  return new docker.Network(
    name,
    {
      name: args.networkName,
      driver: "overlay",
      attachable: true,
      // The network records its run in a label, which cannot change in
      // place: a new run (the audit found the network missing or changed)
      // makes the network again. A network never repaired carries none.
      labels,
      ...(args.encryptedOn && { options: { encrypted: "" } }),
    },
    // The network goes with the swarm; its own delete would need the engine
    // of one host, which may be the host that drifted or died.
    {
      parent,
      provider: args.provider,
      dependsOn: [args.swarm.founded],
      deletedWith: args.swarm,
      ...(adopt && { import: adopt }),
      // A missing network is made again before its record goes, not after, as
      // Docker's provider asks for a fixed name: its delete has nothing to
      // remove, and a run killed between the two would leave the record
      // pending replacement, which Pulumi 3.248 keeps for good once the next
      // run adopts the network that the killed run made; every destroy after
      // that fails its snapshot check.
      ...(missing && { deleteBeforeReplace: false }),
    },
  );
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
