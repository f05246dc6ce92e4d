import * as pulumi from "@pulumi/pulumi";
import { remote, types } from "@pulumi/command";
import { hostPort } from "./daemon-endpoint";
import { runFor } from "./remote/host-audit";
import { asConfigured, HostProbe, Observation } from "./remote/host-probe";
import { knownValue } from "./outputs/known-value";
import { keepAsRecorded, remoteScript, remoteSteps, ScriptParams } from "./remote/remote-script";
import { ApiNode, DepartedNode, departedNodes, memberLabel, quorumLoss } from "./cluster/swarm-quorum";
import { failRun } from "./outputs/run-failure";
import { planCluster, PlanError } from "./cluster/cluster-plan";
import { splitFrom, SwarmCensus, swarmWord, takeCensus } from "./cluster/swarm-census";

/** Swarm managers talk raft on this port. */
export const swarmPort = 2377;

/**
 * Workers that the first manager admits at once, each over an SSH login of
 * its own: sshd refuses some of the logins beyond 10 that have yet to
 * authenticate (its default MaxStartups 10:30:100).
 */
export const admissionLanes = 8;

/** A host that becomes a member of the swarm. */
export interface SwarmMemberArgs {
  /** The host's name in the inventory; it names the host in every message. */
  hostName: string;
  /** Its role: `manager`, as the seed procedure makes every host, or `worker`. */
  role: "manager" | "worker";
  /** How to reach the host over SSH. */
  connection: types.input.remote.ConnectionArgs;
  /** The address the swarm advertises and listens on for this host. */
  advertiseAddress: pulumi.Input<string>;
  /**
   * The host's engine endpoint (`tcp://ADDRESS:PORT`): its peers join, promote
   * and remove nodes through it. A plain value: what a member waits for is
   * `endpoint`, and only where it needs it (see memberWaitsFor).
   */
  endpointUrl: pulumi.Input<string>;
  /**
   * What exposes that endpoint: the command of the host's DaemonEndpoint that
   * puts its drop-in in place (not the component, which would also wait for
   * its provider). The host joins once it is up, and a host taken out of the
   * inventory leaves the swarm before it goes.
   */
  endpoint: pulumi.CustomResource;
  /** The host is gone for good (`gone: true` in the inventory): a live manager removes its node. */
  gone?: boolean;
}

export interface SwarmArgs {
  /**
   * Every host of the swarm. The first live manager by name may initialise the
   * swarm; the other managers join it all at once, then the workers.
   */
  members: SwarmMemberArgs[];
  /** The run's probe, which audits each host's membership with the host's other checks. */
  probe: HostProbe;
  /** Any new value rotates the swarm's join tokens; undefined: they are never rotated. */
  tokenRotation?: pulumi.Input<string>;
  /**
   * Where each host keeps its engine's key and certificates when the engines
   * take mutual TLS: the hosts call their peers' engines with them. Undefined: plain TCP.
   */
  tlsFolder?: string;
}

/**
 * A Docker swarm: `docker swarm init` on the first manager, then `docker swarm
 * join` on each other host in its role. Each host's membership is audited on
 * every run (see auditedRun); a host that left, changed role or was rebuilt is
 * brought back through any live manager, and a plan that would cost the swarm
 * its quorum is refused before anything changes (see quorumLoss).
 */
export class Swarm extends pulumi.ComponentResource {
  /** The swarm's ID. */
  public readonly swarmId: pulumi.Output<string>;
  /** Each host's node ID in the swarm, by host name. */
  public readonly nodeIds: Record<string, pulumi.Output<string>>;
  /** The first manager's membership: once it is in place, the swarm exists. */
  public readonly founded: remote.Command;
  /** Former members that left the inventory while their nodes were down: retired as gone hosts are. */
  public readonly departed: pulumi.Output<DepartedNode[]>;

  constructor(name: string, args: SwarmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clipper-swarm:index:Swarm", name, {}, opts);
    // In name order, so that reordering the inventory changes no host's step.
    const { live, managers } = planOf(name, args.members);
    adviseOnManagerCount(managers.length, this);
    const outlook = quorumGuard(args.members, managers, args.probe);
    this.departed = outlook.apply((o) => o.departed);
    const sightings = new Map(live.map((host) => [host.hostName, observeMembership(host, args.probe)]));
    const census = censusOf(live, sightings);

    this.nodeIds = {};
    // Taking the whole swarm down node by node needs a quorum at every step,
    // which a drifted or dead host breaks; so destroy skips the members' own
    // steps, and each host's endpoint leaves the swarm on its own.
    const memberOpts = { parent: this, deletedWith: this };
    // The first manager retires, admits and rotates, from the scripts it keeps.
    const viaScripts = args.probe.scripts(managers[0]);
    // Gone hosts' nodes go first: a dead manager still counts in the quorum.
    const retired = args.members
      .filter((host) => host.gone)
      .map((host) => retire(`${name}-retire-${host.hostName}`, { hostName: host.hostName, address: host.advertiseAddress }, managers[0], viaScripts, memberOpts));
    const joinedManagers: remote.Command[] = [];
    // By host name, so that reordering the inventory renames nothing.
    const memberName = (hostName: string) => `${name}-member-${hostName}`;
    const admitName = (hostName: string) => `${name}-admit-${hostName}`;
    const keepRecords = (hostName: string, role: SwarmMemberArgs["role"], connection: types.input.remote.ConnectionArgs) => {
      keepAsRecorded(memberName(hostName), connection, memberOpts);
      if (role !== "manager") keepAsRecorded(admitName(hostName), managers[0].connection, memberOpts);
    };
    for (const host of args.members.filter((h) => h.gone)) keepRecords(host.hostName, host.role, host.connection);
    // Declared once the swarm's list names them: a host left out of the
    // inventory while down is found only there.
    const departedRetired = this.departed.apply((departed) =>
      departed.map((d) => {
        pulumi.log.info(
          `${d.hostName}: left the inventory while its node is down: its node is removed through ${managers[0].hostName}, ` +
            `as gone: true would, and what the stack recorded for it is forgotten on the next run, without a login`,
          this,
        );
        keepRecords(d.hostName, d.role, { host: d.address });
        return retire(`${name}-retire-${d.hostName}`, d, managers[0], viaScripts, memberOpts);
      }),
    );
    // The other managers join the first one all at once: swarmkit adds them to
    // raft one at a time on its own. Workers wait for every manager, as the
    // quorum guard takes demotions after joins; the first manager brings them
    // in (admit).
    let swarmId: pulumi.Output<string> | undefined;
    const admitted: remote.Command[] = [];
    for (const host of [...managers, ...live.filter((h) => h.role === "worker")]) {
      const after = host.role === "manager" ? joinedManagers.slice(0, 1) : joinedManagers;
      const peers = managers.filter((m) => m !== host);
      const run = memberRun(host, sightings.get(host.hostName)!, census, host === managers[0], this);
      const member = swarmMember(memberName(host.hostName), host, host.role === "manager" ? { peers } : { swarmId: swarmId! }, run, args, {
        ...memberOpts,
        dependsOn: memberWaitsFor([host.endpoint, ...retired, ...after], peers, outlook, departedRetired),
      });
      swarmId ??= member.stdout.apply((out) => field(out, "swarm-id", name));
      const [step, stepName] =
        host.role === "manager"
          ? [member, memberName(host.hostName)]
          : [admit(admitName(host.hostName), host, managers[0], run, args, { ...memberOpts, dependsOn: [member, ...laneBefore(admitted)] }), admitName(host.hostName)];
      if (host.role === "worker") admitted.push(step);
      this.nodeIds[host.hostName] = step.stdout.apply((out) => field(out, "node-id", stepName));
      if (host.role === "manager") joinedManagers.push(member);
    }
    this.founded = joinedManagers[0];
    this.swarmId = swarmId!;
    if (args.tokenRotation !== undefined) {
      rotateTokens(`${name}-tokens`, managers[0], args.tokenRotation, viaScripts, { parent: this, deletedWith: this, dependsOn: joinedManagers });
    }

    this.registerOutputs({ swarmId: this.swarmId, nodeIds: this.nodeIds });
  }
}

/** What the next admission waits for: the one `admissionLanes` before it, so that no more run at once. */
function laneBefore(admitted: remote.Command[]): remote.Command[] {
  return admitted.length >= admissionLanes ? [admitted[admitted.length - admissionLanes]] : [];
}

/** The cluster plan of the members: the live ones and the live managers, in name order. */
function planOf(name: string, members: SwarmMemberArgs[]) {
  try {
    return planCluster(members.map((m) => ({ ...m, name: m.hostName, gone: !!m.gone })));
  } catch (err) {
    if (err instanceof PlanError) throw new Error(`${name}: ${err.problem}`);
    throw err;
  }
}

/** Docker's guidance on how many managers a swarm should have. */
const managerGuidance = "https://docs.docker.com/engine/swarm/admin_guide/#add-manager-nodes-for-fault-tolerance";

/** Warns when the inventory asks for more managers than Docker advises, or an even count. */
function adviseOnManagerCount(count: number, reporter: pulumi.Resource): void {
  if (count > 7) {
    pulumi.log.warn(
      `${count} managers: "Docker recommends a maximum of seven manager nodes for a swarm", as raft slows down with ` +
        `more (${managerGuidance}). Give the other hosts role: worker in the inventory.`,
      reporter,
    );
  } else if (count % 2 === 0) {
    const tolerated = Math.floor((count - 1) / 2);
    pulumi.log.warn(
      `${count} managers: they tolerate the loss of ${tolerated}, as ${count - 1} would ("an odd number N of manager ` +
        `nodes in the cluster tolerates the loss of at most (N-1)/2 managers", ${managerGuidance}). ` +
        `Make one host role: worker, or add a manager.`,
      reporter,
    );
  }
}

/**
 * What a member's command waits for: `own` (its endpoint, the retirements,
 * the members before it) and, where the audit found a swarm, every peer's
 * endpoint, as a peer whose engine restarts in this run may be the manager to
 * join through, or the first manager's reason not to start a swarm. New hosts
 * wait for no peer: the first manager starts the swarm once its own engine
 * answers, and the others join through it as theirs answer.
 */
function memberWaitsFor(
  own: pulumi.Resource[],
  peers: SwarmMemberArgs[],
  outlook: pulumi.Output<SwarmOutlook>,
  departedRetired: pulumi.Output<pulumi.Resource[]>,
): pulumi.Output<pulumi.Resource[]> {
  return pulumi
    .all([outlook, departedRetired])
    .apply(([o, departed]) => [...own, ...departed, ...(o.inSwarm ? peers.map((p) => p.endpoint) : [])]);
}

/** What the quorum guard found: whether a manager of the inventory is in a swarm, and the former members to retire. */
interface SwarmOutlook {
  inSwarm: boolean;
  departed: DepartedNode[];
}

/**
 * Settles once the swarm, as its first answering manager lists it, keeps its
 * quorum through the run's membership changes, with its former members to
 * retire (see departedNodes); otherwise fails the run before any change.
 * Every member's command waits for it (memberWaitsFor). Unknown in a preview
 * of a host whose address another resource gives: its steps are new ones then.
 */
function quorumGuard(members: SwarmMemberArgs[], managers: SwarmMemberArgs[], probe: HostProbe): pulumi.Output<SwarmOutlook> {
  const lists = managers.map((host) =>
    probe.read(host, "swarm's nodes", remoteScript("swarm-nodes", { HOST: host.hostName })),
  );
  const addresses = pulumi.all(members.map((m) => m.advertiseAddress));
  return pulumi.all([pulumi.all(lists), addresses]).apply(async ([answers, addressList]): Promise<SwarmOutlook> => {
    const wanted = members.map((m, i) => ({ hostName: m.hostName, address: addressList[i], role: m.role, gone: m.gone }));
    for (const [i, lines] of answers.entries()) {
      const unavailable = lines.find((l) => l.startsWith("unavailable: "));
      if (unavailable) {
        return failRun(
          `${managers[i].hostName}: the swarm cannot change its membership: ${apiMessage(unavailable)}. ` +
            `Bring its unreachable managers back; if they are lost for good, see "A swarm that lost its quorum" in README.md.`,
        );
      }
      const listed = lines.find((l) => l.startsWith("nodes: "));
      if (!listed) continue;
      const nodes = JSON.parse(listed.slice("nodes: ".length)) as ApiNode[];
      const loss = quorumLoss(nodes, wanted);
      return loss ? failRun(loss) : { inSwarm: true, departed: departedNodes(nodes, wanted) };
    }
    return { inSwarm: false, departed: [] };
  });
}

/** The message of an engine API error body, `{"message": "..."}`, without the RPC wrapping, or the body itself. */
function apiMessage(line: string): string {
  const body = line.slice("unavailable: ".length);
  try {
    return String((JSON.parse(body) as { message?: string }).message ?? body).replace(/^rpc error: code = \w+ desc = /, "").trim().replace(/\.$/, "");
  } catch {
    return body;
  }
}

/** What the probe finds of a live host's membership: its drift, and the swarm it is in and records. */
function observeMembership(host: SwarmMemberArgs, probe: HostProbe): pulumi.Output<Observation> {
  return probe.observe(host, "swarm membership", remoteScript("swarm-check", { HOST: host.hostName, ROLE: host.role }));
}

/** The census of the live hosts' swarms, known where some host's is not (see knownValue). */
function censusOf(live: SwarmMemberArgs[], sightings: Map<string, pulumi.Output<Observation>>): pulumi.Output<SwarmCensus> {
  const seen = live.map(async (host) => {
    const observed = await knownValue(sightings.get(host.hostName)!);
    return observed && { hostName: host.hostName, role: host.role, swarmId: observed.swarmId, marked: observed.marked };
  });
  return pulumi.output(Promise.all(seen).then((all) => takeCensus(all.filter((s) => s !== undefined))));
}

/**
 * The run of a member's command (see auditedRun): the recorded one where the
 * host is as configured and in the stack's swarm, else a fresh one, which
 * carries what the member's step must know of the stack's swarm (swarmWord).
 */
function memberRun(
  host: SwarmMemberArgs,
  observed: pulumi.Output<Observation>,
  census: pulumi.Output<SwarmCensus>,
  firstManager: boolean,
  reporter: pulumi.Resource,
): pulumi.Output<string> {
  return pulumi.all([observed, census]).apply(([o, c]) => {
    const drift = o.found === asConfigured ? splitFrom(c, o.swarmId) : o.found;
    const run = runFor(o, drift, `${host.hostName}: swarm membership`, reporter);
    return drift === undefined ? run : `${run} swarm=${swarmWord(c, firstManager)}`;
  });
}

/** What a member's step knows of the others: a manager, its peers to join through; a worker, the swarm a manager joins it to. */
type MemberContext = { peers: SwarmMemberArgs[] } | { swarmId: pulumi.Output<string> };

/** The parameters that name a member in its swarm steps: its name and swarm addresses. */
function memberParams(host: SwarmMemberArgs, { tlsFolder }: SwarmArgs) {
  return {
    HOST: host.hostName,
    LABEL: memberLabel,
    ADVERTISE: host.advertiseAddress,
    LISTEN_ADDR: pulumi.output(host.advertiseAddress).apply((address) => hostPort(address, swarmPort)),
    ...(tlsFolder && { ENGINE_TLS: tlsFolder }),
  };
}

/** One host's membership on the host itself: the command that makes and repairs it, for the run its audit gives. */
function swarmMember(
  name: string,
  host: SwarmMemberArgs,
  context: MemberContext,
  run: pulumi.Output<string>,
  args: SwarmArgs,
  opts: pulumi.CustomResourceOptions & { parent: pulumi.Resource },
): remote.Command {
  const steps = { create: "swarm-member", delete: "swarm-member-delete" };
  const known: ScriptParams = "peers" in context ? { PEERS: context.peers.map((p) => p.endpointUrl) } : { SWARM: context.swarmId };
  const params = { ...memberParams(host, args), ROLE: host.role, ...known, GENERATION: run };
  return new remote.Command(name, remoteSteps(host.connection, steps, params, args.probe.scripts(host)), opts);
}

/**
 * A worker's admission, by manager `via` (the first manager by name), for the
 * same run as its membership: a worker calls no other engine, so the manager
 * joins it through the worker's engine, labels its node and removes its stale
 * entries, and takes it out when it leaves the inventory. A worker that
 * becomes a manager loses its admission, whose delete then finds a manager,
 * which it leaves alone.
 */
function admit(
  name: string,
  host: SwarmMemberArgs,
  via: SwarmMemberArgs,
  run: pulumi.Output<string>,
  args: SwarmArgs,
  opts: pulumi.CustomResourceOptions & { parent: pulumi.Resource },
): remote.Command {
  const steps = { create: "swarm-admit", delete: "swarm-admit-delete" };
  const params = { ...memberParams(host, args), TARGET: host.endpointUrl, ADMITTER: via.hostName, GENERATION: run };
  return new remote.Command(name, remoteSteps(via.connection, steps, params, args.probe.scripts(via)), opts);
}

/**
 * Rotates the join tokens through manager `via` whenever `rotation` changes
 * (a new value replaces the command, which runs again); nothing to undo. No
 * token is kept anywhere: a joining host asks a manager for the current one.
 */
function rotateTokens(
  name: string,
  via: SwarmMemberArgs,
  rotation: pulumi.Input<string>,
  scripts: pulumi.Output<string>,
  opts: pulumi.CustomResourceOptions,
): remote.Command {
  return new remote.Command(
    name,
    { ...remoteSteps(via.connection, { create: "swarm-rotate-tokens" }, { HOST: via.hostName, ROTATION: rotation }, scripts), triggers: [rotation] },
    opts,
  );
}

/** Removes the node of host `gone` through the live manager `via`, which keeps its scripts in `scripts`; there is nothing to undo. */
function retire(
  name: string,
  gone: { hostName: string; address: pulumi.Input<string> },
  via: SwarmMemberArgs,
  scripts: pulumi.Output<string>,
  opts: pulumi.CustomResourceOptions,
): remote.Command {
  return new remote.Command(
    name,
    remoteSteps(
      via.connection,
      { create: "swarm-retire", delete: "swarm-retire-delete" },
      { HOST: via.hostName, GONE: gone.hostName, GONE_ADDR: gone.address },
      scripts,
    ),
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
