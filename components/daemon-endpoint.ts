import { isIPv6 } from "net";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { remote, types } from "@pulumi/command";
import { isWildcardAddress } from "./cluster/host-rules";
import { audit, auditedRun } from "./remote/host-audit";
import { asConfigured, HostProbe, Observation } from "./remote/host-probe";
import type { RestartOrder } from "./cluster/restart-order";
import { EngineCa, subjectAltNames } from "./tls/engine-ca";
import { scriptsFolder } from "./remote/installed-scripts";
import { keepAsRecorded, remoteScript, remoteSteps } from "./remote/remote-script";

/** Where the drop-in lives: beside the packaged unit, never an edit of it. */
export const dropInPath = "/etc/systemd/system/docker.service.d/clipper-swarm-tcp.conf";

/**
 * Where the socket unit lives that opens dockerd's TCP listener in plain mode,
 * which the drop-in hands to docker.service (common.sh, wanted_dropin).
 */
export const tcpSocketPath = "/etc/systemd/system/clipper-swarm-tcp.socket";

/**
 * Where a host keeps its engine's key and certificates in mutual TLS mode:
 * `key.pem`, `cert.pem`, `ca.pem`, and a manager's `client.pem`.
 */
export const engineTlsFolder = "/etc/docker/clipper-swarm-tls";

export interface DaemonEndpointArgs {
  /** The host's name in the inventory; it names the host in every message. */
  hostName: string;
  /** How to reach the host over SSH. */
  connection: types.input.remote.ConnectionArgs;
  /** The address other hosts and clients use to reach this host's engine. */
  advertiseAddress: pulumi.Input<string>;
  /** The address dockerd listens on for TCP. Defaults to `advertiseAddress`. */
  bindAddress?: pulumi.Input<string>;
  /** The TCP port dockerd listens on. Defaults to defaultDaemonPort's for the mode. */
  port?: pulumi.Input<number>;
  /** The run's probe, which audits the drop-in and the engine with the host's other checks. */
  probe: HostProbe;
  /** The run's order of engine restarts, in which a swarm manager's waits its turn. */
  restartOrder: RestartOrder;
  /** The host is gone for good (`gone: true` in the inventory): nothing reaches it any more. */
  gone?: boolean;
  /**
   * Mutual TLS: the stack's CA, which signs the certificate of a key that the
   * host makes. Undefined: plain TCP.
   */
  tls?: EngineCa;
  /**
   * The host is a swarm manager: with mutual TLS, it also holds a client
   * certificate, for the calls it makes to its peers' engines. A worker holds none.
   */
  manager?: boolean;
  /** The address the host is reached at over SSH, named in its certificate beside its advertise address and name. */
  sshAddress?: pulumi.Input<string>;
  /** Give the engine a Docker provider, for resources placed on this host. */
  dockerProvider?: boolean;
  /** What the endpoint's step waits for before it touches the host, such as a check of the whole cluster that may refuse the run. */
  waitFor?: pulumi.Output<unknown>;
}

/**
 * One host's Docker engine exposed on TCP through a systemd drop-in, and a
 * Docker provider for it where asked. The seed procedure's first step, made
 * repeatable; the drop-in and the engine are audited on every run (see auditedRun).
 */
export class DaemonEndpoint extends pulumi.ComponentResource {
  /** `tcp://ADDRESS:PORT`, known once the engine answers there. */
  public readonly url: pulumi.Output<string>;
  /** A Docker provider for this engine, where asked for, for resources placed on this host; none for a host that is gone. */
  public readonly provider: docker.Provider | undefined;
  /**
   * The command that puts the drop-in in place and waits until the engine
   * answers: what a step that calls this engine waits for (waiting for the
   * whole component would also wait for its provider's plugin to start).
   */
  public readonly dropIn: remote.Command;

  constructor(name: string, args: DaemonEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clipper-swarm:index:DaemonEndpoint", name, {}, opts);

    const port = args.port ?? defaultDaemonPort(!!args.tls);
    if (args.gone) {
      this.dropIn = keepAsRecorded(`${name}-dropin`, args.connection, { parent: this });
      if (args.tls) keepAsRecorded(`${name}-tls-key`, args.connection, { parent: this });
      this.url = engineUrlOf(args.advertiseAddress, port);
      this.provider = undefined;
      this.registerOutputs({ url: this.url });
      return;
    }
    const bind = args.bindAddress ?? args.advertiseAddress;
    const listen = pulumi.all([bind, port]);
    const params = {
      HOST: args.hostName,
      LISTEN: listen.apply(([b, p]) => hostPort(b, p)),
      PROBE: listen.apply(([b, p]) => hostPort(probeAddress(b), p)),
      DROPIN: dropInPath,
      TCP_SOCKET: tcpSocketPath,
      ...(args.tls && { ENGINE_TLS: engineTlsFolder }),
    };
    const scripts = args.probe.scripts({ hostName: args.hostName, connection: args.connection });
    const certificates = args.tls && engineCertificates(name, args, args.tls, bind, scripts, this);
    const { run, observation } = audit(
      {
        hostName: args.hostName,
        concern: "engine endpoint",
        connection: args.connection,
        // With TLS, what the host's certificates must be: the stack's CA's, of this run's period.
        check: remoteScript("endpoint-check", {
          ...params,
          SCRIPTS: scriptsFolder(),
          ...(args.tls && { TLS_CA: args.tls.caCert, TLS_NOT_BEFORE: args.tls.engineNotBefore, TLS_CLIENT: args.manager ? "yes" : "no" }),
        }),
        probe: args.probe,
      },
      this,
    );
    // A swarm manager's role, where the audit found a change to make: the change restarts its engine.
    const restarting = observation.apply((o) => (o.found === asConfigured ? undefined : o.swarmRole));
    this.dropIn = args.restartOrder.place(
      restarting,
      (after) =>
        new remote.Command(
          `${name}-dropin`,
          remoteSteps(args.connection, { create: "endpoint-create", delete: "endpoint-delete" }, { ...params, ...certificates, GENERATION: run }, scripts),
          { parent: this, dependsOn: args.waitFor ? pulumi.all([after, args.waitFor]).apply(([steps]) => steps) : after },
        ),
    );

    // Derived from the command's ID so that nothing uses the endpoint before it
    // first answers (providers do not wait for dependsOn). The ID, unlike the
    // output, stays known while a repair is planned, so a repair of this host
    // does not show as a change of its provider and its peers.
    this.url = pulumi.all([this.dropIn.id, engineUrlOf(args.advertiseAddress, port)]).apply(([, url]) => url);
    this.provider = args.dockerProvider
      ? new docker.Provider(
          `${name}-docker`,
          {
            host: providerHost(this.url, this.dropIn, observation),
            // The client's files, not its key: a key given to a provider would show in Pulumi's -v=9 trace.
            ...(args.tls && { certPath: args.tls.clientFolder }),
          },
          { parent: this },
        )
      : undefined;

    this.registerOutputs({ url: this.url });
  }
}

/**
 * The host of the engine's Docker provider: the endpoint, known once the
 * engine answers there. So the provider's plugin starts while the other
 * hosts' engines restart: Pulumi starts each provider's plugin while it
 * registers it, one at a time, which would hold up the joins' start if it
 * came after the swarm's first step.
 *
 * Docker's provider calls its host as soon as it is configured, and a
 * preview configures a provider whenever its host is known, as it is from the
 * drop-in command's ID (pulumi-command gives a planned create one). So in a
 * preview, an engine that the probe found silent on TCP, a fresh host's above
 * all, gets a host that waits for the drop-in command's output instead, which
 * a preview leaves unknown: the provider is planned, not called.
 */
function providerHost(url: pulumi.Output<string>, dropIn: remote.Command, observation: pulumi.Output<Observation>): pulumi.Output<string> {
  if (!pulumi.runtime.isDryRun()) return url;
  return observation.apply((o) => (o.engineSilent ? pulumi.all([url, dropIn.stdout]).apply(([u]) => u) : url));
}

/**
 * The engine's certificates in mutual TLS mode: the host makes its key (once,
 * audited like every concern) and a request naming it, and the CA signs it,
 * as a server's, and for a manager as a client's too. Gives the parameters
 * that put them in place.
 */
function engineCertificates(
  name: string,
  args: DaemonEndpointArgs,
  ca: EngineCa,
  bind: pulumi.Input<string>,
  scripts: pulumi.Output<string>,
  parent: pulumi.Resource,
) {
  const keyParams = { HOST: args.hostName, ENGINE_TLS: engineTlsFolder };
  const run = auditedRun(
    { hostName: args.hostName, concern: "engine key", connection: args.connection, check: remoteScript("tls-key-check", keyParams), probe: args.probe },
    parent,
  );
  // Every name a client may dial: the inventory name, the SSH and advertise
  // addresses, the bind address, and loopback, where a wildcard bind is checked.
  const altNames = pulumi
    .all([args.advertiseAddress, bind, args.sshAddress])
    .apply(([advertise, b, ssh]) => [args.hostName, ...(ssh ? [ssh] : []), advertise, probeAddress(b), ...(isWildcardAddress(b) ? [] : [b])]);
  const key = new remote.Command(
    `${name}-tls-key`,
    {
      ...remoteSteps(args.connection, { create: "tls-key-create", delete: "tls-key-delete" }, { ...keyParams, SUBJECT_ALT_NAMES: altNames.apply(subjectAltNames), GENERATION: run }, scripts),
      // Its output is the certificate request, for the CA, not for people.
      logging: "stderr",
    },
    { parent },
  );
  return {
    TLS_CA: ca.caCert,
    TLS_CERT: ca.engineCert(key.stdout, altNames),
    ...(args.manager && { TLS_CLIENT_CERT: ca.managerCert(key.stdout, args.hostName) }),
  };
}

/** The port an engine listens on unless told: Docker's own, 2376 for TLS and 2375 for plain TCP. */
export function defaultDaemonPort(tls: boolean): number {
  return tls ? 2376 : 2375;
}

/** The engine's endpoint on `address`: `tcp://ADDRESS:PORT`. */
export function engineUrl(address: string, port: number): string {
  return `tcp://${hostPort(address, port)}`;
}

/** engineUrl of an address and port that may be outputs. */
export function engineUrlOf(address: pulumi.Input<string>, port: pulumi.Input<number>): pulumi.Output<string> {
  return pulumi.all([address, port]).apply(([a, p]) => engineUrl(a, p));
}

/** `address:port`, with an IPv6 address in brackets as URLs need it. */
export function hostPort(address: string, port: number): string {
  return isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * The warning of every plain-TCP run, naming where the engines take any client:
 * each `ADDRESS:PORT` they listen on, or every interface for a wildcard bind.
 */
export function plainTcpWarning(bindAddress: string | undefined, advertiseAddresses: string[], port: number): string {
  const where =
    bindAddress !== undefined && isWildcardAddress(bindAddress)
      ? `port ${port} on every interface of every host (bindAddress ${bindAddress})`
      : advertiseAddresses.map((address) => hostPort(bindAddress ?? address, port)).join(", ");
  return (
    `clipper-swarm:daemonTls is false: the Docker engines take unauthenticated, root-level API calls from anyone ` +
    `who reaches ${where}. Allow only Clipper's and the other hosts' addresses there (firewall), or set ` +
    `clipper-swarm:daemonTls true for mutual TLS (README, "Security").`
  );
}

/** Where the host itself checks that the engine answers: a wildcard bind is checked on loopback. */
export function probeAddress(bind: string): string {
  if (bind === "0.0.0.0") return "127.0.0.1";
  if (bind === "::") return "::1";
  return bind;
}
