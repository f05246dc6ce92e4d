/**
 * Which swarm is the stack's, told from what the probe saw on every live host:
 * of the swarms this tool made (some host records one), the one that holds
 * most of the inventory's managers. A new swarm may be started only where no
 * host is in a swarm or records one, so that a first manager cut off from its
 * peers never starts a second swarm beside theirs.
 */
import type { Role } from "./host-rules";

/** One host's swarm, as the probe saw it. */
export interface SwarmSighting {
  /** The host's name in the inventory. */
  hostName: string;
  /** Its role in the inventory. */
  role: Role;
  /** The swarm its engine is in, where it is in one. */
  swarmId?: string;
  /** The swarm this tool recorded on the host, where it did. */
  marked?: string;
}

/** What the hosts say about the stack's swarm. */
export interface SwarmCensus {
  /** The stack's swarm, where one is in sight. */
  swarmId?: string;
  /** No host is in a swarm or records one: the first manager may start one. */
  mayStart: boolean;
  /** The hosts in each swarm in sight, by the swarm's ID (a plain record: it travels in an Output). */
  hostsIn: Record<string, string[]>;
}

/** The census of the hosts seen; a host that could not be seen (a preview of a new VM) is left out. */
export function takeCensus(sightings: SwarmSighting[]): SwarmCensus {
  const hostsIn = new Map<string, SwarmSighting[]>();
  for (const s of sightings) if (s.swarmId) hostsIn.set(s.swarmId, [...(hostsIn.get(s.swarmId) ?? []), s]);
  const recorded = new Set(sightings.flatMap((s) => (s.marked ? [s.marked] : [])));
  const managers = (id: string) => hostsIn.get(id)!.filter((s) => s.role === "manager").length;
  const ours = [...hostsIn.keys()]
    .filter((id) => recorded.has(id))
    .sort((a, b) => managers(b) - managers(a) || hostsIn.get(b)!.length - hostsIn.get(a)!.length || (a < b ? -1 : 1));
  return {
    swarmId: ours[0],
    mayStart: hostsIn.size === 0 && recorded.size === 0,
    hostsIn: Object.fromEntries([...hostsIn].map(([id, seen]) => [id, seen.map((s) => s.hostName)])),
  };
}

/**
 * What a member's step is told of the stack's swarm: its ID; `new` where the
 * host is the first manager and may start it; nothing where no swarm of this
 * tool's is in sight (the step joins whichever its peers manage).
 */
export function swarmWord(census: SwarmCensus, firstManager: boolean): string {
  return census.swarmId ?? (firstManager && census.mayStart ? "new" : "");
}

/** How a host seen in swarm `swarmId` differs from the stack's swarm, or undefined where it does not. */
export function splitFrom(census: SwarmCensus, swarmId: string | undefined): string | undefined {
  if (!swarmId || !census.swarmId || swarmId === census.swarmId) return undefined;
  const holders = census.hostsIn[census.swarmId].join(", ");
  return `in swarm ${swarmId}, not the stack's swarm ${census.swarmId} (${holders})`;
}
