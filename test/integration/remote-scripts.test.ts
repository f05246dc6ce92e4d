// The host-side steps of the stack, run on the lab's hosts exactly as
// remote.Command sends them (the script as the SSH command, the join request on
// standard input), but over OpenSSH: they must be idempotent, say what they
// found, and leave each host as they found it.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { labHosts, ssh, dockerAt, run, Run, swarmMembers } from "../support/cli";
import { renderScript } from "../../components/remote/remote-script";
import { scriptsFolder, scriptsInstall } from "../../components/remote/installed-scripts";
import { dropInPath, hostPort, probeAddress, tcpSocketPath } from "../../components/daemon-endpoint";
import { swarmPort } from "../../components/swarm";
import { memberLabel } from "../../components/cluster/swarm-quorum";
import { checkOverlay } from "../../bin/overlay-check";
import { asConfigured, observationOf, Observation } from "../../components/remote/host-probe";
import type { HostSpec } from "../../hosts/inventory";

const port = 2375;
const hosts = labHosts();
const [first, ...others] = hosts;
const url = (h: HostSpec) => `tcp://${hostPort(h.address, port)}`;

function script(host: HostSpec, name: string, params: Record<string, string>, input?: string): Run {
  return ssh(host, renderScript(name, { HOST: host.name, ...params }), input);
}
function ok(r: Run, what: string): Run {
  assert.equal(r.status, 0, `${what} failed:\n${r.stderr}${r.stdout}`);
  return r;
}
/** The run the steps record on the host, as the audit gives it. */
const GENERATION = "test-run";
const endpointFiles = { DROPIN: dropInPath, TCP_SOCKET: tcpSocketPath };
const endpoint = (h: HostSpec) => ({ LISTEN: hostPort(h.address, port), PROBE: hostPort(h.address, port), ...endpointFiles, SCRIPTS: scriptsFolder(), GENERATION });
const dockerStarted = (h: HostSpec) => ssh(h, "systemctl show -p ActiveEnterTimestampMonotonic --value docker").stdout.trim();
const networks = (h: HostSpec) => ok(ssh(h, "docker network ls --format '{{.Name}}' | sort"), "network ls").stdout;
const networksBefore = new Map<string, string>();
/** Where a test logs a host's docker calls, through a docker of its own first in PATH. */
const callLog = "/tmp/clipper-docker-calls";
let swarmId = "";

/** The engine URLs of every host but `h`. */
const peers = (h: HostSpec) => hosts.filter((p) => p !== h).map(url).join(" ");
/**
 * The swarm-member parameters of host `h`, a manager unless `role` says
 * otherwise, as the program gives them: the first host may start the swarm,
 * the others join the one it made.
 */
const member = (h: HostSpec, role = "manager") => ({
  ROLE: role,
  LABEL: memberLabel,
  ADVERTISE: h.address,
  LISTEN_ADDR: hostPort(h.address, swarmPort),
  PEERS: peers(h),
  GENERATION: memberRun(h),
});
const memberRun = (h: HostSpec) => `${GENERATION} swarm=${h === first ? "new" : swarmId}`;
/** The swarm-member parameters of host `h` as a worker: no peers to call, the swarm a manager joins it to. */
const asWorker = (h: HostSpec) => ({ ROLE: "worker", LABEL: memberLabel, ADVERTISE: h.address, LISTEN_ADDR: hostPort(h.address, swarmPort), SWARM: swarmId, GENERATION: memberRun(h) });
/** The swarm-admit parameters with which the first host, a manager, brings worker `h` in. */
const admission = (h: HostSpec) => ({
  HOST: h.name,
  LABEL: memberLabel,
  TARGET: url(h),
  ADVERTISE: h.address,
  LISTEN_ADDR: hostPort(h.address, swarmPort),
  ADMITTER: first.name,
  GENERATION: memberRun(h),
});
/** What the swarm check of a host as configured reports. */
const inSwarm = (h: HostSpec) => ({ found: asConfigured, lastRun: memberRun(h), swarmId, marked: swarmId });
/** What a check reports, as the probe reads it: its drift, and the run that the host records. */
function checked(h: HostSpec, name: string, params: Record<string, string> = { ROLE: "manager" }): Observation {
  return observationOf(ok(script(h, name, params), `${h.name} ${name}`).stdout.trim().split("\n").filter(Boolean));
}
/** Each node's name, status and role, as the first host's engine lists them. */
const nodeList = () => swarmMembers(url(first));
/**
 * The node list once every node's status is known: a new leader (the old one
 * was demoted) lists the others as Unknown until their next heartbeat, a few
 * seconds on.
 */
const settledNodeList = () => {
  for (let i = 0; i < 20; i++) {
    const listed = nodeList();
    if (!listed.some((l) => / Unknown /.test(l))) return listed;
    run("sleep", ["1"]);
  }
  return nodeList();
};
const allManagers = () => hosts.map((h) => `${h.name} Ready manager`).sort();

function tearDown() {
  // The others leave one by one through a manager; the last one dissolves the swarm.
  for (const h of [...[...others].reverse(), first]) script(h, "swarm-member-delete", { ROLE: "manager", LABEL: memberLabel, PEERS: peers(h) });
  for (const h of hosts) script(h, "endpoint-delete", endpointFiles);
}

describe("remote scripts on the lab hosts", () => {
  before(() => {
    for (const h of hosts) {
      const state = ssh(h, "docker info --format '{{.Swarm.LocalNodeState}}'; test -e " + dropInPath + " && echo dropin");
      assert.equal(state.stdout.trim(), "inactive", `${h.name} must start clean (no swarm, no drop-in): npm run lab -- down, then up`);
      networksBefore.set(h.name, networks(h));
      // The scripts as an update puts them there, which the endpoint's check looks for.
      assert.match(ok(ssh(h, "sh -s", scriptsInstall()), `${h.name}: scripts`).stdout, new RegExp(`^scripts: ${scriptsFolder()}$`, "m"));
    }
  });
  after(tearDown);

  it("exposes every engine on TCP through a socket of systemd's, leaving the packaged ExecStart as it is", () => {
    for (const h of hosts) {
      const r = ok(script(h, "endpoint-create", endpoint(h)), `${h.name} endpoint`);
      assert.match(r.stderr, new RegExp(`${h.name}: writing ${tcpSocketPath} \\(tcp://${h.address}:${port}\\) and ${dropInPath}`));
      const dropIn = ssh(h, `cat ${dropInPath}`).stdout;
      assert.match(dropIn, /^Sockets=clipper-swarm-tcp\.socket$/m);
      assert.doesNotMatch(dropIn, /^ExecStart=/m);
      assert.match(ssh(h, `cat ${tcpSocketPath}`).stdout, new RegExp(`^ListenStream=${h.address}:${port}$`, "m"));
      ok(dockerAt(url(h), ["version"]), `docker -H ${url(h)} version`);
      ok(ssh(h, "docker version"), `${h.name}: docker on its packaged socket`);
    }
  });

  it("finds a drop-in in place and restarts nothing", () => {
    for (const h of hosts) {
      const before = dockerStarted(h);
      const r = ok(script(h, "endpoint-create", endpoint(h)), `${h.name} endpoint again`);
      assert.match(r.stderr, /already in place/);
      assert.equal(dockerStarted(h), before, `${h.name}: docker was restarted`);
      assert.deepEqual(checked(h, "endpoint-check", endpoint(h)), { found: asConfigured, lastRun: GENERATION }, "the check reports the run the host records");
    }
  });

  it("starts a stopped engine when the drop-in is already in place", () => {
    const last = hosts[hosts.length - 1];
    ok(ssh(last, "systemctl stop docker.socket docker"), "stop docker");
    const r = ok(script(last, "endpoint-create", endpoint(last)), `${last.name} endpoint with docker stopped`);
    assert.match(r.stderr, /docker is not running; starting it/);
    ok(dockerAt(url(last), ["version"]), `docker -H ${url(last)} version`);
  });

  it("rewrites the drop-in when the bind address changes, and binds every interface on request", () => {
    const last = hosts[hosts.length - 1];
    const wildcard = { ...endpoint(last), LISTEN: hostPort("0.0.0.0", port), PROBE: hostPort(probeAddress("0.0.0.0"), port) };
    assert.match(ok(script(last, "endpoint-create", wildcard), "wildcard bind").stderr, /writing \S+ \(tcp:\/\/0\.0\.0\.0:2375\)/);
    ok(dockerAt(url(last), ["version"]), "answers on the host's address");
    assert.match(ok(script(last, "endpoint-create", endpoint(last)), "back to the advertise address").stderr, /writing/);
    ok(dockerAt(url(last), ["version"]), "answers again");
  });

  it("reports a hosts key in daemon.json as a conflict and changes nothing", () => {
    ok(ssh(first, `echo '{"hosts": ["unix:///var/run/docker.sock"]}' > /etc/docker/daemon.json`), "write daemon.json");
    try {
      const r = script(first, "endpoint-create", endpoint(first));
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, new RegExp(`^${first.name}: error: /etc/docker/daemon.json sets "hosts"`));
    } finally {
      ssh(first, "rm -f /etc/docker/daemon.json");
    }
  });

  it("initialises the swarm on the first host, once", () => {
    const r = ok(script(first, "swarm-member", member(first)), "swarm init");
    assert.match(r.stderr, /initialising a swarm/);
    swarmId = /^swarm-id=(\S+)$/m.exec(r.stdout)?.[1] ?? "";
    assert.match(swarmId, /^\w{25}$/);
    const again = ok(script(first, "swarm-member", member(first)), "swarm init again");
    assert.match(again.stderr, new RegExp(`a manager of swarm ${swarmId}`));
    assert.match(again.stdout, new RegExp(`^swarm-id=${swarmId}$`, "m"));
  });

  it("refuses to move a host that is in another swarm", () => {
    const last = hosts[hosts.length - 1];
    ok(ssh(last, `docker swarm init --advertise-addr ${last.address} >/dev/null`), "a foreign swarm");
    try {
      const r = script(last, "swarm-member", member(last));
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, new RegExp(`^${last.name}: error: in swarm \\w+, which clipper-swarm did not make, not the stack's swarm ${swarmId}; leave it first`, "m"));
    } finally {
      ssh(last, "docker swarm leave --force >/dev/null; docker network rm docker_gwbridge >/dev/null");
    }
  });

  it("joins the other hosts as managers through a peer, the token never in a process's arguments, once", () => {
    for (const h of others) {
      // Samples every process's arguments on the host while it joins.
      ok(ssh(h, "rm -f /tmp/clipper-ps.*; nohup sh -c 'for i in $(seq 150); do ps -eo args; sleep 0.02; done >/tmp/clipper-ps.log; touch /tmp/clipper-ps.done' >/dev/null 2>&1 &"), "sampler");
      const r = ok(script(h, "swarm-member", member(h)), `${h.name} join`);
      assert.match(r.stdout, new RegExp(`^swarm-id=${swarmId}$`, "m"));
      assert.match(r.stdout, /^node-id=\w+$/m);
      assert.doesNotMatch(r.stdout + r.stderr, /SWMTKN/);
      // Read only once sampling is over, or the sampler would see this very grep.
      ok(ssh(h, "until [ -e /tmp/clipper-ps.done ]; do sleep 0.2; done"), "sampling");
      const seen = ssh(h, "grep -c SWMTKN /tmp/clipper-ps.log; rm -f /tmp/clipper-ps.*");
      assert.equal(seen.stdout.trim(), "0", `${h.name}: the join token appeared in a process's arguments`);
      assert.match(ok(script(h, "swarm-member", member(h)), "join again").stderr, /a manager of swarm/);
    }
    assert.deepEqual(settledNodeList(), allManagers());
  });

  it("finds every host as configured; a host that left is reported, rejoins and removes its old entry", () => {
    for (const h of hosts) assert.deepEqual(checked(h, "swarm-check"), inSwarm(h));
    const [second] = others;
    ok(ssh(second, "docker swarm leave --force >/dev/null"), "leave by hand");
    assert.equal(checked(second, "swarm-check").found, `not in the swarm ${swarmId}`);
    const rejoin = ok(script(second, "swarm-member", member(second)), "rejoin");
    assert.match(rejoin.stderr, /joining the swarm as a manager through/);
    assert.match(rejoin.stderr, /removed node \w+, this host's entry before it rejoined/);
    assert.equal(checked(second, "swarm-check").found, asConfigured);
    assert.deepEqual(settledNodeList(), allManagers());
  });

  it("a rebuilt host's rejoin cut off after the join (its connection dropped) is finished by the next run", () => {
    const [second] = others;
    ok(ssh(second, "docker swarm leave --force >/dev/null; rm -rf /var/lib/clipper-swarm"), "rebuild by hand");
    // As when the CLI is killed: the script goes on until its next message,
    // which the closed pipe stops. Here the pipe closes after the first one.
    const cut = ssh(second, "sh -s 2>&1 | head -n 1", renderScript("swarm-member", { HOST: second.name, ...member(second) }));
    assert.match(cut.stdout, /joining the swarm as a manager/);
    const again = ok(script(second, "swarm-member", member(second)), "run again");
    assert.match(again.stderr, new RegExp(`a manager of swarm ${swarmId}`));
    assert.equal(checked(second, "swarm-check").found, asConfigured);
    assert.deepEqual(settledNodeList(), allManagers());
  });

  it("reports a demoted host and promotes it back", () => {
    const last = hosts[hosts.length - 1];
    ok(dockerAt(url(first), ["node", "demote", last.name]), "demote by hand");
    assert.equal(checked(last, "swarm-check").found, "a worker, not a manager");
    assert.match(ok(script(last, "swarm-member", member(last)), "promote").stderr, /promoted to manager/);
    assert.equal(checked(last, "swarm-check").found, asConfigured);
    assert.deepEqual(settledNodeList(), allManagers());
  });

  it("reports a leader that demoted itself as a worker, not as a manager of no swarm during the election", () => {
    ok(ssh(first, "docker node demote $(docker info --format '{{.Swarm.NodeID}}') >/dev/null"), "the leader demotes itself");
    assert.equal(checked(first, "swarm-check").found, "a worker, not a manager");
    assert.match(ok(script(first, "swarm-member", member(first)), "promote").stderr, /promoted to manager/);
    assert.deepEqual(settledNodeList(), allManagers());
  });

  it("joins a worker through a manager with the worker token, and changes roles in place, keeping the node", () => {
    const [second] = others;
    const nodeId = (r: Run) => /^node-id=(\w+)$/m.exec(r.stdout)?.[1];
    ok(ssh(second, "docker swarm leave --force >/dev/null"), "leave by hand");
    const recorded = ok(script(second, "swarm-member", asWorker(second)), "record the swarm to join");
    assert.match(recorded.stderr, new RegExp(`a manager joins it to swarm ${swarmId}`));
    const joined = ok(script(first, "swarm-admit", admission(second)), "join as a worker");
    assert.match(joined.stderr, new RegExp(`^${second.name}: joining the swarm as a worker through ${first.name}$`, "m"));
    assert.match(joined.stdout, new RegExp(`^swarm-id=${swarmId}$`, "m"));
    const worker = nodeId(joined);
    assert.ok(worker);
    assert.deepEqual(checked(second, "swarm-check", { ROLE: "worker" }), inSwarm(second), "a worker names its swarm from its certificate");
    assert.equal(checked(second, "swarm-check").found, "a worker, not a manager");
    assert.equal(ok(script(second, "swarm-nodes", {}), "nodes on a worker").stdout, "", "a worker lists no nodes");
    const listed = ok(script(first, "swarm-nodes", {}), "nodes on a manager").stdout;
    const nodes = JSON.parse(listed.replace(/^nodes: /, "")) as { Spec: { Role: string; Labels: Record<string, string> } }[];
    assert.deepEqual(nodes.map((n) => n.Spec.Role).sort(), ["manager", "manager", "worker"]);
    assert.deepEqual(nodes.map((n) => n.Spec.Labels["clipper-swarm.member"]).sort(), hosts.map((h) => h.name).sort(),
      "every node carries the member label with its host's inventory name, a worker's too");
    assert.equal(nodeId(ok(script(first, "swarm-admit", admission(second)), "admit again")), worker, "admitting a member changes nothing");

    const promoted = ok(script(second, "swarm-member", member(second)), "manager again");
    assert.match(promoted.stderr, /promoted to manager through/);
    assert.equal(nodeId(promoted), worker, "promoted in place, not re-joined");
    const demoted = ok(script(second, "swarm-member", asWorker(second)), "worker again");
    assert.match(demoted.stderr, /demoted to worker/);
    assert.equal(nodeId(ok(script(first, "swarm-admit", admission(second)), "seen Ready as a worker")), worker);
    assert.equal(checked(second, "swarm-check", { ROLE: "worker" }).found, asConfigured);
    assert.match(ok(script(second, "swarm-member", member(second)), "manager once more").stderr, /promoted to manager/);
    assert.deepEqual(settledNodeList(), allManagers());
  });

  it("refuses to adopt a swarm it did not make", () => {
    ok(ssh(first, "mv /var/lib/clipper-swarm/swarm-id /tmp/marker"), "hide marker");
    try {
      const r = script(first, "swarm-member", member(first));
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /already in a swarm that clipper-swarm did not create/);
    } finally {
      ssh(first, "mv /tmp/marker /var/lib/clipper-swarm/swarm-id");
    }
  });

  it("carries bytes between containers on every pair of hosts over an attachable overlay", () => {
    const network = "clipper_scripts_test";
    ok(dockerAt(url(first), ["network", "create", "-d", "overlay", "--attachable", network]), "network create");
    try {
      const results = checkOverlay(hosts.map((h) => ({ name: h.name, url: url(h) })), network, "clipper-lab/probe:latest", () => {});
      assert.equal(results.length, hosts.length * (hosts.length - 1));
      assert.deepEqual(results.filter((r) => !r.ok), []);
    } finally {
      dockerAt(url(first), ["network", "rm", network]);
    }
  });

  it("takes every host out of the swarm and off TCP, leaving it as it was", () => {
    tearDown();
    for (const h of hosts) {
      const state = ok(ssh(h, "docker info --format '{{.Swarm.LocalNodeState}}'; test -e /var/lib/clipper-swarm && echo state-folder; test -e " + dropInPath + " && echo dropin; true"), "state");
      assert.equal(state.stdout.trim(), "inactive", `${h.name} is clean`);
      assert.notEqual(dockerAt(url(h), ["version"]).status, 0, `${h.name} no longer answers on TCP`);
      assert.equal(networks(h), networksBefore.get(h.name), `${h.name} has the networks it had before`);
    }
    const again = script(first, "swarm-member-delete", { ROLE: "manager", LABEL: memberLabel, PEERS: peers(first) });
    assert.match(again.stderr, /not in a swarm that clipper-swarm joined; nothing to do/);
  });

  it("leaves at once where its peers have left the swarm, without asking the engine; another swarm is left alone", () => {
    for (const h of hosts) ok(script(h, "endpoint-create", endpoint(h)), `${h.name} endpoint`);
    const made = ok(script(first, "swarm-member", member(first)), "swarm init");
    // A new swarm: the others are told its ID.
    swarmId = /^swarm-id=(\S+)$/m.exec(made.stdout)?.[1] ?? "";
    const id = swarmId;
    for (const h of others) ok(script(h, "swarm-member", member(h)), `${h.name} join`);
    // The others leave, as their own destroy steps do at the same moment; the
    // last of them then makes a swarm of its own.
    for (const h of others) {
      ok(ssh(h, "docker swarm leave --force >/dev/null"), "leave by hand");
      // Tidying only: the bridge can keep an endpoint a moment after the leave.
      ssh(h, "docker network rm docker_gwbridge >/dev/null");
    }
    const last = others[others.length - 1];
    ok(ssh(last, `docker swarm init --advertise-addr ${last.address} >/dev/null`), "a foreign swarm");
    try {
      // The first host has no quorum left: asked which swarm it is in, its
      // engine answers 20 s on and holds a leave until then. Every docker call
      // of its step is logged.
      ok(ssh(first, `mkdir -p ${callLog} && printf '#!/bin/sh\\necho "$*" >>${callLog}/calls\\nexec /usr/bin/docker "$@"\\n' >${callLog}/docker && chmod +x ${callLog}/docker`), "docker call log");
      const left = ok(ssh(first, `PATH=${callLog}:$PATH\n` + renderScript("endpoint-delete", { HOST: first.name, ...endpointFiles })), "endpoint delete");
      assert.match(left.stderr, new RegExp(`left swarm ${id}`));
      const calls = ok(ssh(first, `cat ${callLog}/calls; rm -rf ${callLog}`), "calls").stdout;
      assert.match(calls, /^swarm leave --force$/m);
      assert.doesNotMatch(calls, /^info/m, "the step asked the engine which swarm it is in");
      const foreign = ok(script(last, "endpoint-delete", endpointFiles), "endpoint delete in another swarm");
      assert.match(foreign.stderr, new RegExp(`in a swarm that clipper-swarm did not make \\(its node certificate does not name ${id}\\); left alone`));
      assert.equal(ssh(last, "docker info --format '{{.Swarm.LocalNodeState}}'").stdout.trim(), "active");
    } finally {
      ssh(last, "docker swarm leave --force >/dev/null; docker network rm docker_gwbridge >/dev/null");
    }
  });
});
