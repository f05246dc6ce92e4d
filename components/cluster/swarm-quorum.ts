/**
 * Whether the membership changes a run plans keep the swarm's raft quorum,
 * judged from the swarm's own list of nodes before anything changes.
 *
 * A manager is demoted or removed only when the managers left reachable are a
 * majority of those left (swarmkit's own rule, which refuses the step
 * otherwise, halfway through a run); joining needs a majority as it is now.
 */

/** A swarm node as the engine API's `GET /nodes` lists it: the fields read here. */
export interface ApiNode {
  Description?: { Hostname?: string };
  Spec: { Role: string; Labels?: Record<string, string> };
  Status: { Addr?: string; State?: string };
  ManagerStatus?: { Addr?: string; Reachability?: string };
}

/** A host as the inventory wants it in the swarm. */
export interface WantedMember {
  /** The host's name in the inventory. */
  hostName: string;
  /** Its advertise address: how the swarm lists its node. */
  address: string;
  /** Its role. */
  role: "manager" | "worker";
  /** Gone for good: its node is removed first. */
  gone?: boolean;
}

/** The label this tool puts on every node it adds, with the host's inventory name; the swarm steps get it as LABEL. */
export const memberLabel = "clipper-swarm.member";

/** A node of a host that left the inventory while its node was down: it is retired as `gone: true` retires a host. */
export interface DepartedNode {
  /** The host's inventory name, from the node's label. */
  hostName: string;
  /** The node's address. */
  address: string;
  /** Its role in the swarm. */
  role: "manager" | "worker";
}

/**
 * The nodes of former members (labelled with a name the inventory no longer
 * has, at an address no host of it has) that are down: nothing can reach
 * them to leave, so a live manager removes them. A former member that is up
 * leaves through its own engine, and a node without the label is a stranger's.
 */
export function departedNodes(nodes: ApiNode[], wanted: WantedMember[]): DepartedNode[] {
  const names = new Set(wanted.map((w) => w.hostName));
  const addresses = new Set(wanted.map((w) => w.address));
  return nodes.flatMap((node) => {
    const hostName = node.Spec.Labels?.[memberLabel];
    const address = addressOf(node);
    if (!hostName || names.has(hostName) || addresses.has(address) || node.Status.State !== "down") return [];
    return [{ hostName, address, role: node.Spec.Role === "manager" ? "manager" : "worker" }];
  });
}

/** Where to read how the majority rule works. */
const guidance = "https://docs.docker.com/engine/swarm/admin_guide/#maintain-the-quorum-of-managers";

/** A node's address without its port: `10.0.0.1:2377` and `[fd00::1]:2377` give the address. */
function addressOf(node: ApiNode): string {
  const addr = node.ManagerStatus?.Addr ?? node.Status.Addr ?? "";
  const bracketed = addr.match(/^\[(.*)\](:\d+)?$/);
  if (bracketed) return bracketed[1];
  return /^[^:]*:\d+$/.test(addr) ? addr.slice(0, addr.lastIndexOf(":")) : addr;
}

const majorityOf = (managers: number) => Math.floor(managers / 2) + 1;

/**
 * Why the changes from `nodes` (the swarm now) to `wanted` (the inventory)
 * would cost the swarm its quorum, or undefined when they would not. The steps
 * are taken in the order a run takes them: gone hosts' nodes are removed
 * first, then managers join or are promoted, then managers that become workers
 * are demoted, and hosts taken out of the inventory leave last.
 */
export function quorumLoss(nodes: ApiNode[], wanted: WantedMember[]): string | undefined {
  // Each manager's address, and whether it is reachable now.
  const managers = new Map<string, boolean>();
  for (const node of nodes) {
    if (node.Spec.Role === "manager") managers.set(addressOf(node), node.ManagerStatus?.Reachability === "reachable");
  }
  if (managers.size === 0) return undefined;
  const nameOf = (address: string) => {
    const listed = nodes.find((n) => addressOf(n) === address)?.Description?.Hostname;
    return wanted.find((w) => w.address === address)?.hostName ?? `${listed ?? "the node"} at ${address}`;
  };
  const unreachable = () => [...managers].filter(([, reachable]) => !reachable).map(([address]) => nameOf(address));

  const leave = (address: string, step: string): string | undefined => {
    if (!managers.has(address)) return undefined;
    const left = managers.size - 1;
    const reachableLeft = [...managers].filter(([a, reachable]) => reachable && a !== address).length;
    if (left > 0 && reachableLeft < majorityOf(left)) {
      return (
        `${nameOf(address)}: ${step} would leave ${reachableLeft} of ${left} managers reachable, and a swarm needs ` +
        `${majorityOf(left)} (a majority) to change its membership, so it would stop (${guidance}). ` +
        `Unreachable now: ${unreachable().join(", ")}. Bring them back, or mark them gone: true in the inventory ` +
        `so that their nodes are removed first (hosts/README.md); then run again.`
      );
    }
    managers.delete(address);
    return undefined;
  };

  for (const host of [...wanted.filter((w) => w.gone), ...departedNodes(nodes, wanted)]) {
    const problem = leave(host.address, "removing its node");
    if (problem) return problem;
  }
  for (const host of wanted.filter((w) => !w.gone && w.role === "manager")) {
    if (managers.has(host.address)) continue;
    const reachable = [...managers.values()].filter(Boolean).length;
    if (reachable < majorityOf(managers.size)) {
      return (
        `${host.hostName}: cannot join as a manager: ${reachable} of ${managers.size} managers are reachable, fewer than ` +
        `the ${majorityOf(managers.size)} a swarm needs (${guidance}). Bring ${unreachable().join(", ")} back first.`
      );
    }
    managers.set(host.address, true);
  }
  for (const host of wanted.filter((w) => !w.gone && w.role === "worker")) {
    const problem = leave(host.address, "demoting it to role: worker");
    if (problem) return problem;
  }
  // A host taken out of the inventory leaves through its own engine: an
  // unreachable one cannot, and still counts.
  const inInventory = new Set(wanted.map((w) => w.address));
  for (const node of nodes) {
    const address = addressOf(node);
    if (!node.Spec.Labels?.[memberLabel] || inInventory.has(address) || !managers.get(address)) continue;
    const problem = leave(address, "taking it out of the inventory");
    if (problem) return problem;
  }
  return undefined;
}
