/**
 * The lab clusters that the whole-stack test runs on, and the Debian release
 * each of their hosts runs. `npm test` prepares the lab to match
 * (scripts/test.sh): host4..host6 on Debian 12, host7..host9 on Debian 13.
 */
import type { HostSpec } from "../../hosts/inventory";
import { labHosts, ssh, testInventory } from "./cli";

/** A set of lab hosts that one stack runs on. */
export interface LabCluster {
  /** What it is, for test titles. */
  title: string;
  /** Its inventory, relative to the repository. */
  inventory: string;
  /** The Debian release (major version) each of its hosts runs, by name. */
  debian: Record<string, string>;
}

export const debian12: LabCluster = {
  title: "three Debian 12 hosts",
  inventory: testInventory,
  debian: { host4: "12", host5: "12", host6: "12" },
};
export const debian13: LabCluster = {
  title: "three Debian 13 hosts",
  inventory: "test/fixtures/lab-hosts-debian13.yaml",
  debian: { host7: "13", host8: "13", host9: "13" },
};
export const mixed: LabCluster = {
  title: "two Debian 12 hosts and a Debian 13 one",
  inventory: "test/fixtures/lab-hosts-mixed.yaml",
  debian: { host5: "12", host6: "12", host7: "13" },
};
export const labClusters = [debian12, debian13, mixed];

/** The Debian release a host runs, as its /etc/os-release says, or what went wrong asking. */
export function debianOf(host: HostSpec): string {
  const r = ssh(host, ". /etc/os-release && echo \"$VERSION_ID\"");
  return r.status === 0 ? r.stdout.trim() : `unknown (${r.stderr.trim()})`;
}

/** The hosts of a cluster that run another release than it needs, as `host7 runs Debian 12, not 13`. */
export function wrongReleases(cluster: LabCluster): string[] {
  return labHosts(cluster.inventory)
    .map((h) => ({ name: h.name, want: cluster.debian[h.name], have: debianOf(h) }))
    .filter((h) => h.have !== h.want)
    .map((h) => `${h.name} runs Debian ${h.have}, not ${h.want}`);
}
