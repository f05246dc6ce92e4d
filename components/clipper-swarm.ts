import * as pulumi from "@pulumi/pulumi";
import type * as docker from "@pulumi/docker";
import type { types } from "@pulumi/command";
import { planCluster, PlanError } from "./cluster/cluster-plan";
import { DaemonEndpoint, defaultDaemonPort, engineTlsFolder, engineUrlOf, plainTcpWarning } from "./daemon-endpoint";
import { EngineCa } from "./tls/engine-ca";
import { providerClientFolder } from "./tls/engine-client";
import { HostProbe } from "./remote/host-probe";
import { trustedHostKey } from "./host-keys/host-key";
import { defaultKnownHostsFiles, readKnownHosts } from "./host-keys/known-hosts";
import { advertiseNeeded, advertiseProblem, addressProblem, bindProblem, impliedAdvertiseProblem, ipFamily, isIpAddress, nameProblem, Role, ROLES } from "./cluster/host-rules";
import { OverlayNetwork, ownerGate } from "./overlay-network";
import { RestartOrder } from "./cluster/restart-order";
import { failRun } from "./outputs/run-failure";
import { Swarm } from "./swarm";
import * as clipperAdmin from "./cluster/clipper-admin";

export { Role } from "./cluster/host-rules";

/** One machine of the cluster, and how to reach it over SSH. */
export interface ClipperHost {
  /**
   * The host's name: a lower-case DNS label, unique in the cluster. It names
   * the host in every message and in its resources' names, so it must not change.
   */
  name: string;
  /** Where SSH connects: an IP address or a DNS host name, such as a VM's output. */
  address: pulumi.Input<string>;
  /**
   * The IP address the swarm node advertises and listens on, and the engine's
   * endpoint. Defaults to `address`, which must then be an IP address.
   */
  advertiseAddress?: pulumi.Input<string>;
  /** The SSH port. Defaults to 22. */
  port?: pulumi.Input<number>;
  /**
   * The SSH login: root, or a user with passwordless sudo, through which every
   * step runs as root. Defaults to root.
   */
  user?: pulumi.Input<string>;
  /** The SSH private key (PEM or OpenSSH format). It must be a secret (`pulumi.secret`, or a secret config value). */
  privateKey?: pulumi.Input<string>;
  /** The passphrase of an encrypted private key; a secret. */
  privateKeyPassword?: pulumi.Input<string>;
  /** The socket of an SSH agent that holds the key, instead of `privateKey`. */
  agentSocketPath?: pulumi.Input<string>;
  /**
   * The host's SSH public host key (`TYPE BASE64`): every login refuses a host
   * that shows another. Unset, known_hosts vouches for the key the host shows,
   * or the stack records it on first contact (see `hostKeyChecking`).
   */
  hostKey?: pulumi.Input<string>;
  /**
   * Check the host's SSH host key, as OpenSSH does: against `hostKey`, then
   * known_hosts, then the stack's record of first contact. Defaults to true;
   * false trusts whatever answers at the address, as Ansible's
   * `host_key_checking: false` does.
   */
  hostKeyChecking?: boolean;
  /** The host's part in the swarm. Defaults to `manager`, as the seed procedure makes every host. */
  role?: Role;
  /**
   * The host is gone for good: nothing reaches it, its node is removed through
   * a live manager, and what the stack recorded for it is forgotten without a
   * login once the host leaves the list.
   */
  gone?: boolean;
}

/** The arguments of a ClipperSwarm. */
export interface ClipperSwarmArgs {
  /** Every host of the cluster. At least one that is not gone must be a manager. */
  hosts: ClipperHost[];
  /**
   * Mutual TLS on port 2376, only for clients with a certificate of the
   * cluster's CA (`tlsCaKey`, `tlsClientKey`); or, when false, plain TCP on
   * port 2375, as Clipper's admin client speaks it, which gives root on the
   * host to anyone who reaches that port.
   */
  daemonTls: boolean;
  /** The TCP port of every engine. Defaults to 2376 with TLS, else 2375. */
  daemonPort?: pulumi.Input<number>;
  /** The address every engine binds, such as `0.0.0.0`. Defaults to each host's advertise address. */
  bindAddress?: pulumi.Input<string>;
  /** The overlay network's name. Defaults to `clipper_network`, which Clipper expects. */
  networkName?: pulumi.Input<string>;
  /** Encrypt the overlay's data traffic (IPsec); every host's kernel must be able to. Defaults to false. */
  networkEncrypted?: boolean;
  /** The image of the seed's test container, in `testCommand`. Defaults to `busybox:latest`. */
  testImage?: pulumi.Input<string>;
  /** The host `testCommand` targets. Defaults to the first live host by name. */
  testHost?: string;
  /** Any new value rotates the swarm's join tokens; unset, they are never rotated. */
  joinTokenRotation?: pulumi.Input<string>;
  /** With `daemonTls`: the CA's private key (PEM, EC P-256), a secret. Make it once, and keep it. */
  tlsCaKey?: pulumi.Input<string>;
  /** With `daemonTls`: the operator's client key (PEM, EC P-256), a secret. */
  tlsClientKey?: pulumi.Input<string>;
  /**
   * With `daemonTls`, to replace the CA, first pass: the new CA's key, a
   * secret. Every engine and client trusts it beside `tlsCaKey`'s, which still
   * signs; each engine restarts once, in turn.
   */
  tlsNextCaKey?: pulumi.Input<string>;
  /**
   * With `daemonTls`, to replace the CA, second pass: the key that `tlsCaKey`
   * replaces, a secret. Every certificate is made again by `tlsCaKey`'s CA and
   * engines trust it alone, each restarting once, in turn; the operator still
   * trusts both, until this is unset. Certificates of the old CA are then
   * refused everywhere: this revokes a removed host's.
   */
  tlsPreviousCaKey?: pulumi.Input<string>;
  /** Give each live host a Docker provider (see `dockerProvider`), to place containers there. Defaults to false. */
  dockerProviders?: boolean;
  /**
   * With `daemonTls`, write the operator's client files (`ca.pem`, `cert.pem`
   * and `key.pem`, mode 600) on the machine that runs Pulumi, in
   * `~/.clipper-swarm/engine-clients/PROJECT.STACK.NAME`, for docker clients
   * (`DOCKER_CERT_PATH`); destroy removes them. Defaults to false;
   * `dockerProviders` writes them too, as the providers read them there.
   */
  clientFiles?: boolean;
  /** The known_hosts files that vouch for hosts' keys. Defaults to OpenSSH's: `~/.ssh/known_hosts`, then `/etc/ssh/ssh_known_hosts`. */
  knownHostsFiles?: string[];
}

/** What a client of the engines needs in mutual TLS mode, besides the client key. */
export interface EngineTlsCertificates {
  /** The CA certificates (PEM) that a client trusts: one, or two while the CA is replaced. */
  caCert: string;
  /** The operator's client certificate (PEM), for the key given as `tlsClientKey`. */
  clientCert: string;
}

/** Each ClipperSwarm's Docker providers, kept off the class, whose fields are its outputs. */
const providersOf = new WeakMap<ClipperSwarm, Map<string, docker.Provider>>();

/**
 * Clipper's multi-host cluster, as its documentation prepares it by hand: each
 * host's Docker engine on TCP through systemd, a swarm of the hosts (managers
 * unless told otherwise), and the attachable overlay network Clipper's
 * containers share. Every host is looked at over SSH on every `preview` and
 * `up`, so the plan shows drift, and `up` repairs it.
 */
export class ClipperSwarm extends pulumi.ComponentResource {
  /** Each live host's engine endpoint (`tcp://ADDRESS:PORT`), by host name. */
  public readonly dockerHosts: pulumi.Output<Record<string, string>>;
  /** The swarm's ID. */
  public readonly swarmId: pulumi.Output<string>;
  /** Each live host's node ID in the swarm, by host name. */
  public readonly nodeIds: pulumi.Output<Record<string, string>>;
  /** The overlay network's ID. */
  public readonly networkId: pulumi.Output<string>;
  /** The overlay network's name. */
  public readonly networkName: pulumi.Output<string>;
  /** The text of clipper_admin's `host_list` file: the number of hosts, then one `ADDRESS:PORT` per line. */
  public readonly clipperHostList: pulumi.Output<string>;
  /** The seed's test step: a container on the overlay network, on the test host's engine. */
  public readonly testCommand: pulumi.Output<string>;
  /** The image of the test container. */
  public readonly testImage: pulumi.Output<string>;
  /** With mutual TLS, the certificates a client needs besides its key; unset over plain TCP. */
  public readonly engineTls?: pulumi.Output<EngineTlsCertificates>;

  constructor(name: string, args: ClipperSwarmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clipper-swarm:index:ClipperSwarm", name, {}, opts);
    const hosts = withTrustedHostKeys(name, checkedHosts(args), args.knownHostsFiles, this);
    const plan = planned(hosts, args.testHost);
    const port = args.daemonPort ?? defaultDaemonPort(args.daemonTls);
    if (!args.daemonTls) warnOfPlainTcp(args.bindAddress, plan.live.map((h) => h.advertiseAddress), port, this);
    const ca = args.daemonTls ? engineCa(name, args, !!(args.clientFiles || args.dockerProviders), this) : undefined;

    // One look at each host per run, and one order of engine restarts, for this cluster alone.
    const probe = new HostProbe();
    const restartOrder = new RestartOrder();
    const networkName = args.networkName ?? "clipper_network";
    const stack = `${pulumi.getProject()}/${pulumi.getStack()}`;
    // The live hosts as the probe reaches them: every host the network spans.
    const liveTargets = plan.live.map((h) => ({ hostName: h.name, connection: h.connection }));
    // A network of the overlay's name that this stack did not make, on any host, refuses the run before any step.
    const owned = ownerGate(liveTargets, networkName, stack, probe);
    const endpoints = new Map(
      hosts.map((host) => [
        host.name,
        new DaemonEndpoint(
          `${name}-${host.name}`,
          {
            hostName: host.name,
            connection: host.connection,
            advertiseAddress: host.advertiseAddress,
            bindAddress: args.bindAddress,
            port,
            probe,
            restartOrder,
            gone: host.gone,
            tls: ca,
            manager: host.role === "manager",
            sshAddress: host.address,
            dockerProvider: args.dockerProviders,
            waitFor: owned,
          },
          { parent: this },
        ),
      ]),
    );
    const endpointOf = (host: CheckedHost) => endpoints.get(host.name)!;
    const urlOf = (host: CheckedHost) => engineUrlOf(host.advertiseAddress, port);
    const tlsFolder = ca && engineTlsFolder;

    const swarm = new Swarm(
      `${name}-swarm`,
      {
        members: hosts.map((host) => ({
          hostName: host.name,
          role: host.role,
          connection: host.connection,
          advertiseAddress: host.advertiseAddress,
          endpointUrl: urlOf(host),
          endpoint: endpointOf(host).dropIn,
          gone: host.gone,
        })),
        probe,
        tokenRotation: args.joinTokenRotation,
        tlsFolder,
      },
      { parent: this },
    );

    // A run that the owner gate or the quorum guard refuses touches no host.
    probe.holdChangesUntil(pulumi.all([owned, swarm.departed]));

    // A host left out of the inventory while its node was down keeps its
    // endpoint's records as a gone host's, until they are forgotten (Swarm.departed).
    swarm.departed.apply((departed) =>
      departed.map(
        (d) =>
          new DaemonEndpoint(
            `${name}-${d.hostName}`,
            { hostName: d.hostName, connection: { host: d.address }, advertiseAddress: d.address, port, probe, restartOrder, gone: true, tls: ca },
            { parent: this },
          ),
      ),
    );

    const network = new OverlayNetwork(
      `${name}-overlay`,
      {
        networkName,
        swarm,
        auditHostName: plan.firstManager.name,
        auditConnection: plan.firstManager.connection,
        peerUrls: plan.managers.slice(1).map(urlOf),
        stack,
        owned,
        probe,
        tlsFolder,
        ...(args.networkEncrypted && { encryptedOn: liveTargets }),
      },
      { parent: this },
    );

    const liveUrls = plan.live.map((host) => endpointOf(host).url);
    this.dockerHosts = pulumi.all(liveUrls).apply((urls) => Object.fromEntries(plan.live.map((h, i) => [h.name, urls[i]])));
    this.swarmId = swarm.swarmId;
    this.nodeIds = pulumi.all(swarm.nodeIds);
    this.networkId = network.networkId;
    this.networkName = network.networkName;
    this.testImage = pulumi.output(args.testImage ?? "busybox:latest");
    this.clipperHostList = pulumi.all(liveUrls).apply((urls) => clipperAdmin.hostList(urls.map((u) => u.replace(/^tcp:\/\//, ""))));
    this.testCommand = pulumi
      .all([endpointOf(plan.testHost).url, network.networkName, this.testImage])
      .apply(([url, networkName, image]) => clipperAdmin.testCommand(url, networkName, image, args.daemonTls));
    if (ca) this.engineTls = pulumi.all([ca.clientCaCert, ca.clientCert]).apply(([caCert, clientCert]) => ({ caCert, clientCert }));
    providersOf.set(this, new Map(plan.live.flatMap((h) => (endpointOf(h).provider ? [[h.name, endpointOf(h).provider!]] : []))));

    this.registerOutputs({
      dockerHosts: this.dockerHosts,
      swarmId: this.swarmId,
      nodeIds: this.nodeIds,
      networkId: this.networkId,
      networkName: this.networkName,
      clipperHostList: this.clipperHostList,
      testCommand: this.testCommand,
      testImage: this.testImage,
      engineTls: this.engineTls,
    });
  }

  /** The Docker provider of live host `hostName`'s engine, where `dockerProviders` asked for them. */
  public dockerProvider(hostName: string): docker.Provider | undefined {
    return providersOf.get(this)?.get(hostName);
  }
}

/** A host with its defaults applied and its connection made. */
interface CheckedHost {
  name: string;
  role: Role;
  gone: boolean;
  hostKeyChecking: boolean;
  address: pulumi.Input<string>;
  advertiseAddress: pulumi.Input<string>;
  connection: types.input.remote.ConnectionArgs;
}

/** Bad arguments: one line naming the argument's path, before anything is planned. */
function argsError(field: string, problem: string): pulumi.RunError {
  const err = new pulumi.RunError(`ClipperSwarm: ${field}: ${problem}`);
  err.stack = err.message;
  return err;
}

/** The hosts, checked where their values are plain, with their defaults and connections. */
function checkedHosts(args: ClipperSwarmArgs): CheckedHost[] {
  if (!Array.isArray(args.hosts) || args.hosts.length === 0) throw argsError("hosts", "give at least one host");
  if (typeof args.bindAddress === "string" && bindProblem(args.bindAddress)) throw argsError("bindAddress", bindProblem(args.bindAddress)!);
  const names = new Map<string, number>();
  const hosts = args.hosts.map((host, i) => {
    const at = `hosts[${i}]`;
    const problem = nameProblem(String(host.name));
    if (problem) throw argsError(`${at}.name`, problem);
    const prior = names.get(host.name);
    if (prior !== undefined) throw argsError(`${at}.name`, `"${host.name}" is already the name of hosts[${prior}]`);
    names.set(host.name, i);
    const role = host.role ?? "manager";
    if (!ROLES.includes(role)) throw argsError(`${at}.role`, `"${role}" is not ${ROLES.join(" or ")}`);
    if (typeof host.address === "string" && addressProblem(host.address)) throw argsError(`${at}.address`, addressProblem(host.address)!);
    if (host.advertiseAddress === undefined && typeof host.address === "string" && !isIpAddress(host.address)) {
      throw argsError(`${at}.advertiseAddress`, advertiseNeeded(host.address));
    }
    if (host.privateKey === undefined && host.agentSocketPath === undefined) {
      throw argsError(`${at}.privateKey`, "give the host's SSH key (a secret), or agentSocketPath for an SSH agent that holds it");
    }
    return {
      name: host.name,
      role,
      gone: !!host.gone,
      hostKeyChecking: host.hostKeyChecking ?? true,
      address: host.address,
      advertiseAddress: host.advertiseAddress === undefined ? checkedAdvertise(host.address, `${at}.address`) : checkedAdvertise(host.advertiseAddress, `${at}.advertiseAddress`),
      connection: sshConnection(host, at),
    };
  });
  checkOneFamily(hosts);
  return hosts;
}

/**
 * An advertise address that the other hosts can reach: a plain one is checked
 * at once, another resource's output once it is known. `field` names it.
 */
function checkedAdvertise(address: pulumi.Input<string>, field: string): pulumi.Input<string> {
  const refusal = field.endsWith(".address") ? impliedAdvertiseProblem : advertiseProblem;
  if (typeof address === "string") {
    const problem = refusal(address);
    if (problem) throw argsError(field, problem);
    return address;
  }
  return pulumi.output(address).apply(async (a) => {
    const problem = refusal(a);
    return problem ? failRun(`ClipperSwarm: ${field}: ${problem}`) : a;
  });
}

/** Refuses plain advertise addresses of two IP families: a swarm's nodes speak one. */
function checkOneFamily(hosts: CheckedHost[]): void {
  const plain = hosts.flatMap((h, i) => (typeof h.advertiseAddress === "string" ? [{ i, address: h.advertiseAddress }] : []));
  const [first] = plain;
  const other = plain.find((p) => ipFamily(p.address) !== ipFamily(first.address));
  if (other) {
    throw argsError(
      `hosts[${other.i}].advertiseAddress`,
      `"${other.address}" is ${ipFamily(other.address)}, and hosts[${first.i}]'s is ${ipFamily(first.address)}: a swarm's hosts advertise addresses of one IP family`,
    );
  }
}

/** How `remote.Command` and the probe reach a host. */
function sshConnection(host: ClipperHost, at: string): types.input.remote.ConnectionArgs {
  return {
    host: host.address,
    port: host.port ?? 22,
    user: host.user ?? "root",
    // A host that is restarting sshd or rebooting answers a little later, so
    // refused dials are retried; a dead address still fails the run within a
    // minute, naming the host.
    dialErrorLimit: 6,
    perDialTimeout: 5,
    ...(host.hostKey !== undefined && { hostKey: host.hostKey }),
    ...(host.agentSocketPath !== undefined && { agentSocketPath: host.agentSocketPath }),
    ...(host.privateKey !== undefined && { privateKey: mustBeSecret(host.privateKey, `${at}.privateKey`) }),
    ...(host.privateKeyPassword !== undefined && { privateKeyPassword: mustBeSecret(host.privateKeyPassword, `${at}.privateKeyPassword`) }),
  };
}

/**
 * `value`, which must be a secret: a key given in the clear would be stored in
 * the clear in the stack's state. A plain value is refused at once; an output
 * that is no secret fails the run before anything uses it.
 */
function mustBeSecret(value: pulumi.Input<string>, field: string): pulumi.Output<string> {
  const refusal = `is not a secret, and would be stored in the clear in the stack's state; pass it as one (pulumi.secret(...), or a secret config value: pulumi config set --secret)`;
  if (!pulumi.Output.isInstance(value)) throw argsError(field, refusal);
  const secretValue = pulumi.output(value);
  return pulumi
    .output(pulumi.isSecret(secretValue))
    .apply((secret): pulumi.Output<string> => (secret ? secretValue : pulumi.output(failRun(`ClipperSwarm: ${field}: ${refusal}`))));
}

/**
 * The hosts, each live one's connection pinned to the host key that its pin,
 * known_hosts or the stack's record vouches for (see trustedHostKey); where
 * checking is off, to its pin, if any, with a warning.
 */
function withTrustedHostKeys(name: string, hosts: CheckedHost[], knownHostsFiles: string[] | undefined, parent: pulumi.Resource): CheckedHost[] {
  const knownHosts = readKnownHosts(knownHostsFiles ?? defaultKnownHostsFiles());
  return hosts.map((host) => {
    if (host.gone) return host;
    if (!host.hostKeyChecking) {
      pulumi.log.warn(`${host.name}: SSH host key checking is off (hostKeyChecking: false): whatever answers at its address gets the stack's SSH sessions`, parent);
      return host;
    }
    const { host: address, port, user, hostKey, dialErrorLimit, perDialTimeout } = host.connection;
    const target = { hostName: host.name, address, port: port ?? 22, user: user ?? "root", pinned: hostKey, dialErrorLimit, perDialTimeout };
    return { ...host, connection: { ...host.connection, hostKey: trustedHostKey(`${name}-${host.name}`, target, knownHosts, parent) } };
  });
}

/** The cluster's plan, or a one-line refusal naming the argument. */
function planned(hosts: CheckedHost[], testHost: string | undefined) {
  try {
    return planCluster(hosts, testHost);
  } catch (err) {
    if (err instanceof PlanError) throw argsError(err.field, err.problem);
    throw err;
  }
}

/** The warning of every plain-TCP run, once the addresses it names are known. */
function warnOfPlainTcp(bind: pulumi.Input<string> | undefined, addresses: pulumi.Input<string>[], port: pulumi.Input<number>, reporter: pulumi.Resource): void {
  pulumi.all([bind, pulumi.all(addresses), port]).apply(([b, list, p]) => pulumi.log.warn(plainTcpWarning(b, list, p), reporter));
}

/** The cluster's CA in mutual TLS mode, from the keys the arguments give. */
function engineCa(name: string, args: ClipperSwarmArgs, clientFiles: boolean, parent: pulumi.Resource): EngineCa {
  const key = (field: "tlsCaKey" | "tlsClientKey") => {
    const value = args[field];
    if (value === undefined) throw argsError(field, "daemonTls is true, and needs it: make the CA and client keys once (npm run tls -- keys) and keep them as secrets");
    return mustBeSecret(value, field);
  };
  if (args.tlsNextCaKey !== undefined && args.tlsPreviousCaKey !== undefined) {
    throw argsError("tlsNextCaKey", "and tlsPreviousCaKey are both set, but a CA is replaced in one pass at a time: unset one (README, \"Revoking certificates\")");
  }
  const replacing = (field: "tlsNextCaKey" | "tlsPreviousCaKey") => {
    const value = args[field];
    return value === undefined ? undefined : mustBeSecret(value, field);
  };
  return new EngineCa({
    caKey: key("tlsCaKey"),
    clientKey: key("tlsClientKey"),
    nextCaKey: replacing("tlsNextCaKey"),
    previousCaKey: replacing("tlsPreviousCaKey"),
    ...(clientFiles && { clientFolder: { path: providerClientFolder(pulumi.getProject(), pulumi.getStack(), name), name: `${name}-client-files`, parent } }),
  });
}
