import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import type { types } from "@pulumi/command";
import { auditedRun, neverRecorded } from "./host-audit";
import type { HostProbe } from "./host-probe";
import { remoteScript } from "./remote-script";

export interface OverlayNetworkArgs {
  /** The network's name; Clipper expects `clipper_network`. */
  networkName: pulumi.Input<string>;
  /** A swarm manager's Docker provider: swarm-scoped networks are made on a manager. */
  provider: docker.Provider;
  /** The swarm the network spans; the network is made once it exists. */
  swarm: pulumi.Resource;
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
    const run = auditedRun(
      {
        hostName: args.auditHostName,
        concern: "overlay network",
        connection: args.auditConnection,
        check: remoteScript("network-check", {
          HOST: args.auditHostName,
          NETWORK: args.networkName,
          PEERS: args.peerUrls,
        }),
        probe: args.probe,
      },
      this,
    );
    const network = new docker.Network(
      `${name}-network`,
      {
        name: args.networkName,
        driver: "overlay",
        attachable: true,
        // The network records its run in a label, which cannot change in
        // place: a new run (the audit found the network missing or changed)
        // makes the network again. A network never repaired carries none.
        labels: run.apply((r) => (r === neverRecorded ? [] : [{ label: "clipper-swarm.generation", value: r }])),
      },
      // The network goes with the swarm; its own delete would need the engine
      // of one host, which may be the host that drifted or died.
      { parent: this, provider: args.provider, dependsOn: [args.swarm], deletedWith: args.swarm },
    );
    this.networkId = network.id;
    this.networkName = network.name;
    this.registerOutputs({ networkId: this.networkId, networkName: this.networkName });
  }
}
