/**
 * The drift cases of the audit: each made by hand, with plain commands or a
 * lab host rebuilt, on a converged cluster.
 */
import { dropInPath, tcpSocketPath } from "../../components/daemon-endpoint";
import { scriptsHome } from "../../components/remote/installed-scripts";

export interface DriftCase {
  /** What is done by hand. */
  name: string;
  /** Which host it is done on: an index into the test hosts. */
  host: number;
  /** The shell commands that make the drift on that host, or `reset` for a fresh system there. */
  drift: string;
  /** What the plan must say about that host. */
  finds: RegExp;
  /** The drift is of no host's own setup, so no engine anywhere may restart and no node change. */
  spansHosts?: boolean;
  /** What destroy stops with, where the drift took what it needs: it names the host and the way out, an up first. */
  stopsDestroy?: RegExp;
}

const rebuilt = /engine endpoint: drop-in \S+ is missing/;

export const driftCases: DriftCase[] = [
  { name: "(a) the drop-in removed and docker restarted", host: 1, drift: `rm ${dropInPath}; systemctl daemon-reload; systemctl restart docker`, finds: /engine endpoint: drop-in \S+ is missing/ },
  { name: "(a) the same on the first host", host: 0, drift: `rm ${dropInPath}; systemctl daemon-reload; systemctl restart docker`, finds: /engine endpoint: drop-in \S+ is missing/ },
  { name: "(b) the socket unit edited to another port and docker restarted", host: 1, drift: `sed -i 's/:2375$/:2376/' ${tcpSocketPath}; systemctl daemon-reload; systemctl stop docker.service clipper-swarm-tcp.socket; systemctl start docker`, finds: /engine endpoint: socket unit \S+ is not tcp:\/\/\S+:2375; docker does not answer/ },
  { name: "(c) the engine stopped", host: 1, drift: "systemctl stop docker.socket docker", finds: /engine endpoint: docker is not running/ },
  { name: "(d) the node left the swarm", host: 1, drift: "docker swarm leave --force >/dev/null", finds: /swarm membership: not in the swarm/ },
  { name: "(d) the first host left the swarm", host: 0, drift: "docker swarm leave --force >/dev/null", finds: /swarm membership: not in the swarm/ },
  { name: "(e) the node demoted to a worker", host: 1, drift: "docker node demote $(docker info --format '{{.Swarm.NodeID}}') >/dev/null", finds: /swarm membership: a worker, not a manager/ },
  { name: "(f) clipper_network removed", host: 0, drift: "docker network rm clipper_network >/dev/null", finds: /overlay network: network clipper_network is missing/, spansHosts: true },
  { name: "(g) the host rebuilt: a fresh system at the same address", host: 1, drift: "reset", finds: rebuilt },
  { name: "(g) the first host rebuilt", host: 0, drift: "reset", finds: rebuilt },
  { name: "(i) the drop-in edited to hand docker no socket of ours, and docker restarted", host: 1, drift: `printf '[Service]\\n' >${dropInPath}; systemctl daemon-reload; systemctl stop docker.service clipper-swarm-tcp.socket; systemctl start docker`, finds: /engine endpoint: drop-in \S+ is not tcp:\/\/\S+:2375 over the packaged ExecStart; docker does not answer/ },
  { name: "(j) the scripts that the commands run removed", host: 1, drift: `rm -rf ${scriptsHome}`, finds: /engine endpoint: clipper-swarm's scripts \S+ are missing/, stopsDestroy: /: error: clipper-swarm's scripts are not in \S+; run pulumi up, which puts them there before any step, then run this again/ },
];

