import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";

export interface OverlayNetworkArgs {
  /** The network's name; Clipper expects `clipper_network`. */
  networkName: pulumi.Input<string>;
  /** A swarm manager's Docker provider: swarm-scoped networks are made on a manager. */
  provider: docker.Provider;
  /** The swarm the network spans; the network is made once it exists. */
  swarm: pulumi.Resource;
}

/**
 * The attachable overlay network that Clipper's containers share across hosts;
 * attachable so that plain `docker run --net` containers, not only services, join it.
 */
export class OverlayNetwork extends pulumi.ComponentResource {
  /** The network's ID, the same on every host. */
  public readonly networkId: pulumi.Output<string>;
  /** The network's name. */
  public readonly networkName: pulumi.Output<string>;

  constructor(name: string, args: OverlayNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clipper-swarm:index:OverlayNetwork", name, {}, opts);
    const network = new docker.Network(
      `${name}-network`,
      {
        name: args.networkName,
        driver: "overlay",
        attachable: true,
      },
      { parent: this, provider: args.provider, dependsOn: [args.swarm] },
    );
    this.networkId = network.id;
    this.networkName = network.name;
    this.registerOutputs({ networkId: this.networkId, networkName: this.networkName });
  }
}
