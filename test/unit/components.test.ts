import { describe, it, beforeEach } from "node:test";
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { registered, record, valueOf, isSecret, settled, probe, restartOrder, probed, checkAnswers, engineRequest, runFailure, newHosts, mayStart, joinsAny } from "../support/mocks";
import { renderScript } from "../../components/remote/remote-script";
import { ecKey } from "../support/tls-keys";
import { DaemonEndpoint, dropInPath, engineTlsFolder, plainTcpWarning, tcpSocketPath } from "../../components/daemon-endpoint";
import { EngineCa } from "../../components/tls/engine-ca";
import { admissionLanes, Swarm, SwarmMemberArgs } from "../../components/swarm";
import { OverlayNetwork, ownerGate } from "../../components/overlay-network";
import { RestartOrder } from "../../components/cluster/restart-order";

const connection = (host: string) => ({ host, user: "root", privateKey: pulumi.secret("KEY") });

function get(name: string) {
  const r = registered.get(name);
  assert.ok(r, `no resource named ${name}; have: ${[...registered.keys()].join(", ")}`);
  return r;
}

function member(name: string, address: string, role: SwarmMemberArgs["role"] = "manager"): SwarmMemberArgs {
  const endpoint = new remote.Command(`${name}-endpoint`, { connection: connection(address), create: "true" });
  return { hostName: name, role, connection: connection(address), advertiseAddress: address, endpointUrl: `tcp://${address}:2375`, endpoint };
}

/** The names of the resources an option lists. */
async function namesOf(deps: pulumi.CustomResourceOptions["dependsOn"]): Promise<string[]> {
  const list = (await valueOf(deps ?? [])) as pulumi.Resource | pulumi.Resource[];
  const resources = Array.isArray(list) ? list : [list];
  return Promise.all(resources.map(async (r) => (await valueOf(r.urn)).split("::").pop() ?? ""));
}

beforeEach(() => {
  registered.clear();
  checkAnswers.length = 0;
});

/** A fresh run, as a drifted host gets one; a member's also says what it knows of the stack's swarm. */
const repairRun = /^GENERATION='repair-[0-9a-z]+( swarm=\w*)?'$/m;

describe("DaemonEndpoint", () => {
  it("writes a drop-in for the advertise address and points a provider at it once it answers", async () => {
    const ep = new DaemonEndpoint("host1", {
      hostName: "host1",
      connection: connection("10.0.0.1"),
      advertiseAddress: "10.0.0.1",
      probe,
      restartOrder,
      dockerProvider: true,
    }, { transformations: [record] });
    assert.equal(await valueOf(ep.url), "tcp://10.0.0.1:2375");
    await settled();

    const dropIn = get("host1-dropin");
    assert.equal(dropIn.type, "command:remote:Command");
    assert.equal(dropIn.opts.parent, ep);
    assert.equal(dropIn.inputs.create, "sh -s -- create", "a failure quotes a short command line, not the script");
    assert.equal(dropIn.inputs.update, "sh -s -- update");
    assert.equal(dropIn.inputs.delete, "sh -s -- delete");
    const create: string = dropIn.script;
    assert.match(create, /^HOST='host1'$/m);
    assert.match(create, /^LISTEN='10\.0\.0\.1:2375'$/m);
    assert.match(create, /^PROBE='10\.0\.0\.1:2375'$/m);
    assert.match(create, new RegExp(`^DROPIN='${dropInPath}'$`, "m"));
    assert.match(create, new RegExp(`^TCP_SOCKET='${tcpSocketPath}'$`, "m"));
    assert.match(create, /Sockets=%s/, "in plain mode, systemd opens the TCP socket and hands it to dockerd");
    assert.match(create, /flags=--tls=false/, "plain TCP must say --tls=false");
    assert.match(create, /systemctl show -p FragmentPath/, "the packaged ExecStart is read from the host");
    assert.match(create, /^GENERATION='0'$/m, "a host as configured with no record of a run: the first run");
    assert.match(create, /record_run endpoint/, "the script records its run on the host");

    const check = probed.get("10.0.0.1") ?? "";
    assert.match(check, /^LISTEN='10\.0\.0\.1:2375'$/m);
    assert.match(check, /drop-in \$DROPIN is missing/);
    assert.match(dropIn.inputs.stdin, /delete\) step=endpoint-delete ;;/, "its input names the delete script too");
    assert.doesNotMatch(dropIn.inputs.stdin, /record_run/, "which the host keeps: the state stores no script");
    assert.match(renderScript("endpoint-delete", {}), /leave_marked_swarm\n[\s\S]*docker_service restart/, "it leaves the swarm, which destroy takes down host by host, before its engine restarts");

    const provider = get("host1-docker");
    assert.equal(provider.type, "pulumi:providers:docker");
    assert.equal(provider.inputs.host, "tcp://10.0.0.1:2375");
    assert.equal(provider.opts.parent, ep);
  });

  it("with mutual TLS: the host makes its key, the CA signs it, and the provider reads the operator's files", async () => {
    const clientFolder = mkdtempSync(path.join(os.tmpdir(), "clipper-swarm-unit-client-"));
    const keys = { caKey: ecKey(), clientKey: ecKey() };
    const ca = new EngineCa({ caKey: pulumi.secret(keys.caKey), clientKey: pulumi.secret(keys.clientKey), clientFolder: { path: clientFolder, name: "t1-client-files" } });
    const ep = new DaemonEndpoint("t1", {
      hostName: "t1",
      connection: connection("192.0.2.9"),
      sshAddress: "192.0.2.9",
      advertiseAddress: "10.0.0.1",
      bindAddress: "0.0.0.0",
      port: 2376,
      probe,
      restartOrder,
      tls: ca,
      dockerProvider: true,
    }, { transformations: [record] });
    assert.equal(await valueOf(ep.url), "tcp://10.0.0.1:2376");
    await settled();

    const key = get("t1-tls-key");
    assert.equal(key.opts.parent, ep);
    assert.equal(key.inputs.logging, "stderr", "the request is for the CA, not for the progress display");
    assert.match(key.script, /^SUBJECT_ALT_NAMES='DNS:t1,IP:192\.0\.2\.9,IP:10\.0\.0\.1,IP:127\.0\.0\.1'$/m);
    assert.match(key.script, new RegExp(`^ENGINE_TLS='${engineTlsFolder}'$`, "m"));
    assert.match(probed.get("192.0.2.9") ?? "", /engine key \$ENGINE_TLS\/key\.pem is missing/, "the key is audited");

    const create: string = get("t1-dropin").script;
    const param = (name: string) => new X509Certificate(new RegExp(`^${name}='([^']*)'$`, "m").exec(create)?.[1] ?? "");
    const caCert = param("TLS_CA");
    const cert = param("TLS_CERT");
    assert.ok(cert.verify(caCert.publicKey), "the CA signed the engine's certificate");
    const check = probed.get("192.0.2.9") ?? "";
    assert.ok(check.includes(`TLS_CA='${caCert.toString()}`), "the audit compares the host's CA certificate with the stack's");
    assert.match(check, new RegExp(`^TLS_NOT_BEFORE='${new Date(cert.validFrom).getTime() / 1000}'$`, "m"), "and its certificate's start with this period's");
    assert.equal(cert.subjectAltName, "DNS:t1, IP Address:192.0.2.9, IP Address:10.0.0.1, IP Address:127.0.0.1");
    const requested = execFileSync("openssl", ["req", "-pubkey", "-noout"], { input: engineRequest, encoding: "utf8" });
    assert.equal(cert.publicKey.export({ type: "spki", format: "pem" }), requested, "for the key the host made");
    assert.doesNotMatch(create, /PRIVATE KEY/, "no key goes to a host");

    const provider = get("t1-docker");
    assert.equal(provider.inputs.certPath, clientFolder, "the provider reads the client's files");
    assert.equal(get("t1-client-files").inputs.delete, `rm -rf -- '${clientFolder}'`, "destroy removes them");
    for (const input of ["caMaterial", "certMaterial", "keyMaterial"]) assert.equal(provider.inputs[input], undefined, `no ${input}`);
    assert.equal(readFileSync(path.join(clientFolder, "key.pem"), "utf8"), keys.clientKey);
    assert.equal(statSync(path.join(clientFolder, "key.pem")).mode & 0o777, 0o600);
    assert.ok(new X509Certificate(readFileSync(path.join(clientFolder, "cert.pem"), "utf8")).verify(caCert.publicKey));
    assert.equal(readFileSync(path.join(clientFolder, "ca.pem"), "utf8"), caCert.toString());
    rmSync(clientFolder, { recursive: true });
  });

  it("with mutual TLS: a manager also holds a client certificate for its engine's key, and a worker none", async () => {
    const ca = new EngineCa({ caKey: pulumi.secret(ecKey()), clientKey: pulumi.secret(ecKey()) });
    for (const [name, address, manager] of [["tm", "192.0.2.21", true], ["tw", "192.0.2.22", false]] as const) {
      new DaemonEndpoint(name, { hostName: name, connection: connection(address), advertiseAddress: address, port: 2376, probe, restartOrder, tls: ca, manager },
        { transformations: [record] });
    }
    // The steps are registered once the CA has signed, after its module loads.
    for (let i = 0; i < 100 && !["tm-dropin", "tw-dropin"].every((r) => registered.get(r)?.script); i++) await settled();
    const param = (resource: string, name: string) => new RegExp(`^${name}='([^']*)'$`, "m").exec(get(resource).script)?.[1];
    const engine = new X509Certificate(param("tm-dropin", "TLS_CERT") ?? "");
    const client = new X509Certificate(param("tm-dropin", "TLS_CLIENT_CERT") ?? "");
    assert.deepEqual(engine.keyUsage, ["1.3.6.1.5.5.7.3.1"], "the engine's certificate serves, and is no client's");
    assert.deepEqual(client.keyUsage, ["1.3.6.1.5.5.7.3.2"], "the manager's calls its peers");
    assert.equal(client.subject, "CN=tm manager");
    assert.equal(param("tw-dropin", "TLS_CLIENT_CERT"), undefined, "a worker calls no other engine");
    assert.match(probed.get("192.0.2.21") ?? "", /^TLS_CLIENT='yes'$/m, "the audit looks for the manager's");
    assert.match(probed.get("192.0.2.22") ?? "", /^TLS_CLIENT='no'$/m, "and for none on a worker");
  });

  it("runs its steps as root through sudo for a login other than root, and as they always were for root", async () => {
    new DaemonEndpoint("s1", { hostName: "s1", connection: { ...connection("10.0.0.7"), user: "clipper" }, advertiseAddress: "10.0.0.7", probe, restartOrder },
      { transformations: [record] });
    new DaemonEndpoint("s2", { hostName: "s2", connection: connection("10.0.0.8"), advertiseAddress: "10.0.0.8", probe, restartOrder }, { transformations: [record] });
    await settled();
    const dropIn = get("s1-dropin");
    assert.deepEqual([dropIn.inputs.create, dropIn.inputs.update, dropIn.inputs.delete], ["sudo -n sh -s -- create", "sudo -n sh -s -- update", "sudo -n sh -s -- delete"]);
    assert.equal(get("s2-dropin").inputs.create, "sh -s -- create");
  });

  it("keeps the run that a host as configured records, and asks a drifted host for a new one", async () => {
    checkAnswers.push(
      { address: "10.0.0.1", check: /endpoint-check|drop-in \$DROPIN is missing/, lines: ["last-run: repair-kept"] },
      { address: "10.0.0.2", check: /drop-in \$DROPIN is missing/, lines: ["drop-in /x is missing", "last-run: repair-kept"] },
    );
    for (const n of [1, 2]) {
      new DaemonEndpoint(`r${n}`, { hostName: `r${n}`, connection: connection(`10.0.0.${n}`), advertiseAddress: `10.0.0.${n}`, probe, restartOrder },
        { transformations: [record] });
    }
    await settled();
    assert.match(get("r1-dropin").script, /^GENERATION='repair-kept'$/m, "nothing changes on a host as configured");
    assert.match(get("r2-dropin").script, repairRun, "a drifted host's script runs again");
  });

  it("restarts a live swarm's managers one at a time and its leader last, and every other engine at once", async () => {
    const drift = "drop-in /x is not tcp://a:2375 over the packaged ExecStart";
    const answer = (n: number, lines: string[]) => ({ address: `10.0.1.${n}`, check: /drop-in \$DROPIN/, lines });
    checkAnswers.push(
      answer(1, [drift, "swarm: leader"]),
      answer(2, [drift, "swarm: manager"]),
      answer(3, []), // as configured: no restart
      answer(4, [drift]), // in no swarm, or a worker
      answer(5, [drift, "swarm: manager"]),
    );
    const order = new RestartOrder();
    for (const n of [1, 2, 3, 4, 5]) {
      new DaemonEndpoint(`o${n}`, { hostName: `o${n}`, connection: connection(`10.0.1.${n}`), advertiseAddress: `10.0.1.${n}`, probe, restartOrder: order },
        { transformations: [record] });
    }
    await settled();
    const after = await Promise.all([1, 2, 3, 4, 5].map((n) => namesOf(get(`o${n}-dropin`).opts.dependsOn)));
    assert.deepEqual(after, [["o2-dropin", "o5-dropin"], [], [], [], ["o2-dropin"]]);
  });

  it("binds a wildcard address but checks it on loopback and advertises the host's address", async () => {
    const ep = new DaemonEndpoint("h", {
      hostName: "h",
      connection: connection("10.0.0.1"),
      advertiseAddress: "10.0.0.1",
      bindAddress: "0.0.0.0",
      port: 2400,
      probe,
      restartOrder,
    }, { transformations: [record] });
    assert.equal(await valueOf(ep.url), "tcp://10.0.0.1:2400");
    await settled();
    const create: string = get("h-dropin").script;
    assert.match(create, /^LISTEN='0\.0\.0\.0:2400'$/m);
    assert.match(create, /^PROBE='127\.0\.0\.1:2400'$/m);
  });

  it("brackets IPv6 addresses in URLs", async () => {
    const ep = new DaemonEndpoint("v6", {
      hostName: "v6",
      connection: connection("fd00::1"),
      advertiseAddress: "fd00::1",
      probe,
      restartOrder,
    }, { transformations: [record] });
    assert.equal(await valueOf(ep.url), "tcp://[fd00::1]:2375");
  });

  it("keeps the SSH key secret", async () => {
    new DaemonEndpoint("s", { hostName: "s", connection: connection("10.0.0.9"), advertiseAddress: "10.0.0.9", probe, restartOrder },
      { transformations: [record] });
    await settled();
    const conn = get("s-dropin").props.connection as { privateKey: unknown };
    assert.equal(await isSecret(conn.privateKey), true);
  });
});

describe("plainTcpWarning", () => {
  it("names each ADDRESS:PORT that takes any client", () => {
    const warning = plainTcpWarning(undefined, ["10.0.0.1", "fd00::2"], 2375);
    assert.match(warning, /^clipper-swarm:daemonTls is false: .* anyone who reaches 10\.0\.0\.1:2375, \[fd00::2\]:2375\. /);
    assert.match(plainTcpWarning("10.9.9.9", ["10.0.0.1"], 2380), /reaches 10\.9\.9\.9:2380\./);
  });

  it("names every interface for a wildcard bind", () => {
    assert.match(plainTcpWarning("::", ["10.0.0.1"], 2375), /reaches port 2375 on every interface of every host \(bindAddress ::\)/);
  });
});

describe("Swarm", () => {
  function threeManagers() {
    return new Swarm("swarm", {
      members: [member("host1", "10.0.0.1"), member("host2", "10.0.0.2"), member("host3", "10.0.0.3")],
      probe,
    }, { transformations: [record] });
  }

  it("initialises on the first host and reports the swarm and node IDs", async () => {
    newHosts("10.0.0.1", "10.0.0.2", "10.0.0.3");
    const swarm = threeManagers();
    assert.equal(await valueOf(swarm.swarmId), "swarm0000");
    assert.equal(await valueOf(swarm.nodeIds.host1), "node-host1");
    assert.equal(await valueOf(swarm.nodeIds.host3), "node-host3");
    await settled();
    const init = get("swarm-member-host1");
    assert.match(init.script, /^ADVERTISE='10\.0\.0\.1'$/m);
    assert.match(init.script, mayStart, "no host is in a swarm or records one: the first may start it");
    assert.match(init.script, /^PEERS='tcp:\/\/10\.0\.0\.2:2375 tcp:\/\/10\.0\.0\.3:2375'$/m);
    assert.equal(init.inputs.update, "sh -s -- update", "an input change reruns the idempotent script in place");
    assert.match(init.script, /docker swarm leave --force/);
    assert.deepEqual([...registered.keys()].filter((n) => n.startsWith("swarm-member-")),
      ["swarm-member-host1", "swarm-member-host2", "swarm-member-host3"], "named by host, not by position");
  });

  it("joins the other hosts as managers all at once, once the first is in place, through any live peer", async () => {
    threeManagers();
    await settled();
    const join2 = get("swarm-member-host2");
    const join3 = get("swarm-member-host3");
    assert.deepEqual(await namesOf(get("swarm-member-host1").opts.dependsOn), ["host1-endpoint"],
      "on new hosts, the first starts the swarm once its own engine answers, while the others' restart");
    assert.deepEqual(await namesOf(join2.opts.dependsOn), ["host2-endpoint", "swarm-member-host1"]);
    assert.deepEqual(await namesOf(join3.opts.dependsOn), ["host3-endpoint", "swarm-member-host1"],
      "a host joins once its endpoint is up, and leaves before its endpoint goes; raft orders concurrent joins itself");
    assert.doesNotMatch(join3.script, /swarm=new/, "only the first host may start a swarm");
    assert.match(join3.script, /^PEERS='tcp:\/\/10\.0\.0\.1:2375 tcp:\/\/10\.0\.0\.2:2375'$/m);
    assert.match(join3.script, /docker_within "\$SWARM_STEP_SECONDS" node demote/);
    for (const member of [get("swarm-member-host1"), join2, join3]) {
      assert.equal((member.opts.deletedWith as pulumi.Resource | undefined)?.constructor, Swarm, "destroy skips node-by-node leaves");
    }
    assert.match(join3.script, /^PEERS='tcp:\/\/10\.0\.0\.1:2375 tcp:\/\/10\.0\.0\.2:2375'$/m);
  });

  it("waits for every peer's engine where a swarm exists, as a peer restarting in the run may be the one to join through", async () => {
    const nodes = [["p1", "10.0.9.1"], ["p2", "10.0.9.2"]].map(([hostname, addr]) => ({
      Description: { Hostname: hostname },
      Spec: { Role: "manager", Labels: { "clipper-swarm.member": "true" } },
      Status: { Addr: addr },
      ManagerStatus: { Addr: `${addr}:2377`, Reachability: "reachable" },
    }));
    checkAnswers.push({ address: "10.0.9.1", check: /nodes: %s/, lines: [`nodes: ${JSON.stringify(nodes)}`] });
    new Swarm("found", { members: [member("p1", "10.0.9.1"), member("p2", "10.0.9.2"), member("p3", "10.0.9.3")], probe },
      { transformations: [record] });
    await settled();
    assert.deepEqual(await namesOf(get("found-member-p1").opts.dependsOn), ["p1-endpoint", "p2-endpoint", "p3-endpoint"],
      "the first manager starts no swarm while a peer that may hold one restarts");
    assert.deepEqual(await namesOf(get("found-member-p3").opts.dependsOn), ["p3-endpoint", "found-member-p1", "p1-endpoint", "p2-endpoint"]);
  });

  it("audits every host's membership, and re-runs its script on drift", async () => {
    checkAnswers.push({ address: "10.0.0.2", check: /if ! settled_swarm_state; then/, lines: ["not in the swarm s1"] });
    threeManagers();
    await settled();
    for (const host of ["host1", "host2", "host3"]) {
      assert.match(probed.get(`10.0.0.${host.slice(-1)}`) ?? "", /^if ! settled_swarm_state; then$/m);
    }
    assert.match(get("swarm-member-host1").script, /^GENERATION='0'$/m);
    assert.match(get("swarm-member-host2").script, repairRun);
    assert.match(get("swarm-member-host3").script, /^GENERATION='0'$/m);
    assert.match(get("swarm-member-host3").script, /record_run swarm/);
  });

  it("passes no join token through Pulumi: hosts fetch it from a peer's engine", async () => {
    threeManagers();
    await settled();
    for (const r of registered.values()) {
      assert.doesNotMatch(JSON.stringify(r.inputs), /SWMTKN/, `${r.name} carries no token`);
    }
    assert.match(get("swarm-member-host2").script, /join_token "\$1" "\$ROLE" \|/, "the token goes through a pipe");
  });

  it("refuses a host list without a live manager", () => {
    assert.throws(() => new Swarm("empty", { members: [], probe }), /^Error: empty: .*the swarm needs at least one live host/);
    assert.throws(() => new Swarm("workers", { members: [member("w", "10.0.0.9", "worker")], probe }), /^Error: workers: no live host is a manager/);
  });

  it("joins workers with the worker token, through managers only, once every manager has joined", async () => {
    newHosts("10.0.2.1", "10.0.2.2", "10.0.2.3", "10.0.2.4");
    new Swarm("mixed", {
      members: [member("w1", "10.0.2.1", "worker"), member("m1", "10.0.2.2"), member("m2", "10.0.2.3"), member("w2", "10.0.2.4", "worker")],
      probe,
    }, { transformations: [record] });
    await settled();
    const [w1, m1, m2, w2] = ["w1", "m1", "m2", "w2"].map((h) => get(`mixed-member-${h}`));
    assert.match(m1.script, mayStart, "the first manager starts the swarm, even after a worker in the list");
    assert.match(w1.script, joinsAny);
    assert.match(w1.script, /^ROLE='worker'$/m);
    assert.match(m2.script, /^ROLE='manager'$/m);
    assert.doesNotMatch(w1.script, /^PEERS=/m, "a worker calls no other engine");
    assert.match(w1.script, /^SWARM=/m, "it records the swarm that a manager joins it to");
    assert.match(m2.script, /^PEERS='tcp:\/\/10\.0\.2\.2:2375'$/m);
    for (const [host, address] of [["w1", "10.0.2.1"], ["w2", "10.0.2.4"]]) {
      const admitted = get(`mixed-admit-${host}`);
      assert.match(JSON.stringify(admitted.inputs.connection), /"host":"10\.0\.2\.2"/, `the first manager admits ${host}`);
      assert.match(admitted.script, new RegExp(`^TARGET='tcp://${address.replace(/\./g, "\\.")}:2375'$`, "m"), "through the worker's engine");
      assert.match(admitted.script, /join_token unix:\/\/\/var\/run\/docker.sock worker \|/, "with the worker token, through a pipe");
      assert.deepEqual(await namesOf(admitted.opts.dependsOn), [`mixed-member-${host}`]);
    }
    assert.equal(registered.has("mixed-admit-m2"), false, "a manager joins on its own");
    assert.deepEqual(await namesOf(m2.opts.dependsOn), ["m2-endpoint", "mixed-member-m1"]);
    assert.deepEqual(await namesOf(w1.opts.dependsOn), ["w1-endpoint", "mixed-member-m1", "mixed-member-m2"]);
    assert.deepEqual(await namesOf(w2.opts.dependsOn), ["w2-endpoint", "mixed-member-m1", "mixed-member-m2"],
      "workers do not count in raft, so they join side by side");
    assert.match(probed.get("10.0.2.1") ?? "", /^ROLE='worker'$/m, "the audit knows the role it checks");
    assert.doesNotMatch(probed.get("10.0.2.1") ?? "", /nodes: %s/, "only managers list the swarm's nodes");
    assert.match(probed.get("10.0.2.2") ?? "", /nodes: %s/);
  });

  it("admits at most admissionLanes workers at once through the first manager", async () => {
    const workers = Array.from({ length: admissionLanes + 2 }, (_, i) => member(`lw${String(i).padStart(2, "0")}`, `10.0.5.${i + 10}`, "worker"));
    newHosts("10.0.5.1", ...workers.map((w) => String(w.advertiseAddress)));
    new Swarm("lanes", { members: [member("lm", "10.0.5.1"), ...workers], probe }, { transformations: [record] });
    await settled();
    const waits = await Promise.all(workers.map((w) => namesOf(get(`lanes-admit-${w.hostName}`).opts.dependsOn)));
    assert.deepEqual(waits[admissionLanes - 1], [`lanes-member-lw0${admissionLanes - 1}`], "the first lanes start at once");
    assert.deepEqual(waits[admissionLanes], [`lanes-member-lw0${admissionLanes}`, "lanes-admit-lw00"], "the next waits for the first");
    assert.deepEqual(waits[admissionLanes + 1], [`lanes-member-lw0${admissionLanes + 1}`, "lanes-admit-lw01"]);
  });

  it("picks the managers by name, not by their place in the inventory", async () => {
    newHosts("10.0.5.10", "10.0.5.9");
    new Swarm("byname", { members: [member("node10", "10.0.5.10"), member("node9", "10.0.5.9")], probe }, { transformations: [record] });
    await settled();
    assert.match(get("byname-member-node9").script, mayStart, "node9 comes before node10");
    assert.deepEqual(await namesOf(get("byname-member-node10").opts.dependsOn), ["node10-endpoint", "byname-member-node9"]);
  });

  it("removes gone hosts' nodes before any member changes", async () => {
    const gone = { ...member("g", "10.0.3.9"), gone: true };
    new Swarm("g", { members: [member("m", "10.0.3.1"), gone, member("n", "10.0.3.2")], probe }, { transformations: [record] });
    await settled();
    assert.match(get("g-retire-g").script, /^GONE_ADDR='10\.0\.3\.9'$/m);
    assert.deepEqual(await namesOf(get("g-member-n").opts.dependsOn), ["n-endpoint", "g-retire-g", "g-member-m"]);
  });

  it("refuses a run that would cost the swarm its quorum, before any member changes", async () => {
    const nodes = [["host1", "10.0.4.1", "reachable"], ["host2", "10.0.4.2", "reachable"], ["host3", "10.0.4.3", "unreachable"]].map(
      ([hostname, addr, reachability]) => ({
        Description: { Hostname: hostname },
        Spec: { Role: "manager", Labels: { "clipper-swarm.member": "true" } },
        Status: { Addr: addr },
        ManagerStatus: { Addr: `${addr}:2377`, Reachability: reachability },
      }),
    );
    checkAnswers.push({ address: "10.0.4.1", check: /nodes: %s/, lines: [`nodes: ${JSON.stringify(nodes)}`] });
    // host2 leaves the inventory while host3 is down.
    const failure = await runFailure(() => {
      new Swarm("q", { members: [member("host1", "10.0.4.1"), member("host3", "10.0.4.3")], probe }, { transformations: [record] });
    });
    assert.match(failure, /^host2 at 10\.0\.4\.2: taking it out of the inventory would leave 1 of 2 managers reachable/);
    await settled();
    assert.equal(get("q-member-host1").type, "", "no member reaches the engine");
  });

  it("refuses every membership change while the swarm has no leader, saying what to do", async () => {
    const noLeader = "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online.";
    checkAnswers.push({ address: "10.0.8.1", check: /nodes: %s/, lines: [`unavailable: ${JSON.stringify({ message: noLeader })}`] });
    const failure = await runFailure(() => {
      new Swarm("nl", { members: [member("l1", "10.0.8.1"), member("l2", "10.0.8.2")], probe }, { transformations: [record] });
    });
    assert.equal(
      failure,
      "l1: the swarm cannot change its membership: The swarm does not have a leader. It's possible that too few managers are online. " +
        'Bring its unreachable managers back; if they are lost for good, see "A swarm that lost its quorum" in README.md.',
    );
  });

  it("rotates the join tokens through the first manager when asked, and only then", async () => {
    new Swarm("rot", { members: [member("r1", "10.0.6.1"), member("r2", "10.0.6.2")], probe, tokenRotation: "2026-11-26" }, { transformations: [record] });
    new Swarm("norot", { members: [member("n1", "10.0.6.3")], probe }, { transformations: [record] });
    await settled();
    const rotation = get("rot-tokens");
    assert.deepEqual(rotation.inputs.triggers, ["2026-11-26"], "a new value runs it again");
    assert.match(rotation.script, /^HOST='r1'$/m);
    assert.match(rotation.script, /docker_within "\$SWARM_STEP_SECONDS" swarm join-token --rotate -q "\$role" >\/dev\/null/, "the new tokens are never printed");
    assert.deepEqual(await namesOf(rotation.opts.dependsOn), ["rot-member-r1", "rot-member-r2"]);
    assert.ok(![...registered.keys()].some((n) => n.startsWith("norot-tokens")), "nothing to rotate unless asked");
  });

  it("warns past 7 managers and on an even count, quoting Docker's guidance", async () => {
    const warned: string[] = [];
    const warn = pulumi.log.warn;
    (pulumi.log as { warn: typeof warn }).warn = async (message: string) => void warned.push(message);
    try {
      const hosts = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => member(`${prefix}${i}`, `10.1.${n}.${i + 1}`));
      new Swarm("odd", { members: [...hosts(3, "o"), member("ow", "10.1.3.9", "worker")], probe });
      assert.deepEqual(warned, []);
      new Swarm("even", { members: hosts(4, "e"), probe });
      assert.match(warned[0], /^4 managers: they tolerate the loss of 1, as 3 would \("an odd number N of manager nodes/);
      new Swarm("many", { members: hosts(9, "m"), probe });
      assert.match(warned[1], /^9 managers: "Docker recommends a maximum of seven manager nodes for a swarm"/);
      assert.match(warned[1], /role: worker/);
    } finally {
      (pulumi.log as { warn: typeof warn }).warn = warn;
    }
  });

  it("brackets IPv6 swarm addresses", async () => {
    new Swarm("v6", { members: [member("a", "fd00::1")], probe }, { transformations: [record] });
    await settled();
    assert.match(get("v6-member-a").script, /^LISTEN_ADDR='\[fd00::1\]:2377'$/m);
  });
});

/** The network of a one-host cluster, with its endpoint and swarm, recorded under `NAME-overlay`. */
function oneHostNetwork(name: string, address: string, { encrypted = false } = {}): void {
  new DaemonEndpoint(name, { hostName: name, connection: connection(address), advertiseAddress: address, probe, restartOrder });
  const swarm = new Swarm(`${name}-sw`, { members: [member(name, address)], probe });
  new OverlayNetwork(`${name}-overlay`, {
    networkName: "clipper_network", swarm, auditHostName: name,
    auditConnection: connection(address), peerUrls: [], probe, stack: "clipper-swarm/unit",
    owned: ownerGate([{ hostName: name, connection: connection(address) }], "clipper_network", "clipper-swarm/unit", probe),
    ...(encrypted && { encryptedOn: [{ hostName: name, connection: connection(address) }] }),
  }, { transformations: [record] });
}

describe("OverlayNetwork", () => {
  it("makes an attachable overlay over SSH once the swarm's first manager is in place", async () => {
    new DaemonEndpoint("n1", { hostName: "n1", connection: connection("10.0.0.1"), advertiseAddress: "10.0.0.1", probe, restartOrder });
    const swarm = new Swarm("sw", { members: [member("n1", "10.0.0.1")], probe });
    const net = new OverlayNetwork("overlay", {
      networkName: "clipper_network",
      swarm,
      auditHostName: "n1",
      auditConnection: connection("10.0.0.1"),
      peerUrls: ["tcp://10.0.0.2:2375", "tcp://10.0.0.3:2375"],
      probe,
      stack: "clipper-swarm/unit",
      owned: ownerGate([{ hostName: "n1", connection: connection("10.0.0.1") }], "clipper_network", "clipper-swarm/unit", probe),
    }, { transformations: [record] });
    assert.equal(await valueOf(net.networkName), "clipper_network");
    assert.equal(await valueOf(net.networkId), "net0000", "the ID network-create.sh printed");
    await settled();
    const network = get("overlay-network");
    assert.equal(network.type, "command:remote:Command");
    assert.match(network.script, /^HOST='n1'$/m, "on the audit host, a manager");
    assert.match(network.script, /^NETWORK='clipper_network'$/m);
    assert.match(network.script, /^ENCRYPTED='no'$/m);
    assert.match(network.script, /^GENERATION='0'$/m, "a network as configured that records no run keeps that");
    assert.match(network.script, /docker network create "\$@" "\$NETWORK"/);
    assert.deepEqual(network.inputs.triggers, ["clipper_network"], "a new name makes a new network, then removes the old");
    assert.deepEqual(await valueOf(network.opts.dependsOn), [swarm.founded], "made while the other hosts join");
    assert.match(network.script, /^STACK='clipper-swarm\/unit'$/m);
    assert.match(network.script, /--label "clipper-swarm\.stack=\$STACK"/, "labelled with the stack that made it");
    assert.match(network.script, /refuse_foreign_network/, "another's network of the name is never removed");
    assert.equal(network.opts.deletedWith, swarm, "destroy takes the network down with the swarm, through no engine");

    const check = probed.get("10.0.0.1") ?? "";
    assert.match(check, /^NETWORK='clipper_network'$/m);
    assert.match(check, /^PEERS='tcp:\/\/10\.0\.0\.2:2375 tcp:\/\/10\.0\.0\.3:2375'$/m);
    assert.match(check, /^HOST='n1'$/m, "the endpoint's, the membership's and the network's checks share one session");
    assert.match(check, /drop-in \$DROPIN is missing[\s\S]*swarm_state[\s\S]*network inspect/);
    assert.match(check, /docker network ls --format/, "every host is looked at for a network of the name");
  });

  it("fails the run before the network, naming each host with a network of its name that the stack did not make", async () => {
    checkAnswers.push({ address: "10.0.9.1", check: /network ls --format/, lines: ["foreign: bridge local"] });
    const failure = await runFailure(() => oneHostNetwork("f9", "10.0.9.1"));
    assert.match(failure, /^network clipper_network is there, and this stack \(clipper-swarm\/unit\) did not make it: f9 has one \(bridge, local\)\. .*remove it .*or set networkName/);
    await settled();
    assert.equal(get("f9-overlay-network").type, "", "the network is not made");
  });

  it("encrypts the network when asked, once every host's kernel can, and fails the run naming those that cannot", async () => {
    const build = (name: string, address: string) => oneHostNetwork(name, address, { encrypted: true });
    build("e", "10.0.7.1");
    await settled();
    assert.match(get("e-overlay-network").script, /^ENCRYPTED='yes'$/m);
    assert.match(probed.get("10.0.7.1") ?? "", /^ENCRYPTED='yes'$/m);
    assert.match(probed.get("10.0.7.1") ?? "", /CONFIG_INET_ESP/);

    checkAnswers.push({ address: "10.0.7.2", check: /CONFIG_INET_ESP/, lines: ["kernel 6.1 has no IPsec ESP (CONFIG_INET_ESP is not set)"] });
    const failure = await runFailure(() => build("f", "10.0.7.2"));
    assert.match(failure, /^clipper-swarm:networkEncrypted is true, but f: kernel 6\.1 has no IPsec ESP \(CONFIG_INET_ESP is not set\)\. /);
    await settled();
    assert.equal(get("f-overlay-network").type, "", "the network is not made");
  });

  it("keeps the run its label records, and makes the network again when it drifted", async () => {
    checkAnswers.push(
      { address: "10.0.1.1", check: /network inspect/, lines: ["last-run: repair-kept"] },
      { address: "10.0.1.2", check: /network inspect/, lines: ["network clipper_network is missing", "last-run: repair-kept"] },
    );
    oneHostNetwork("k", "10.0.1.1");
    oneHostNetwork("m", "10.0.1.2");
    await settled();
    assert.match(get("k-overlay-network").script, /^GENERATION='repair-kept'$/m);
    assert.match(get("m-overlay-network").script, /^GENERATION='repair-[0-9a-z]+'$/m, "a new run makes it again");
    assert.doesNotMatch(get("m-overlay-network").script, /^GENERATION='repair-kept'$/m);
  });
});
