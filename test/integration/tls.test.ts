// Mutual TLS on the lab (daemonTls: true): every engine answers only clients
// with a certificate of the stack's CA, on 2376, and nothing listens on 2375;
// the client files are the owner's only; verify passes; and a running cluster
// switches to plain TCP and back with one `up` each, keeping every node and the
// network, its managers' engines restarting one at a time and the leader's last;
// and its CA is replaced, after which no engine takes a certificate of the old one.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { failureText, labHosts, leftovers, missingPlugins, run, ssh } from "../support/cli";
import { labStack } from "../support/lab-stack";
import { providerClientFolder } from "../../components/tls/engine-client";
import { engineTlsFolder } from "../../components/daemon-endpoint";

describe("mutual TLS on the lab: only clients with the stack's certificate reach an engine", { skip: missingPlugins() }, () => {
  const lab = labStack("tls");
  const hosts = labHosts();
  const clientDir = path.join(mkdtempSync(path.join(os.tmpdir(), "clipper-swarm-tls-")), "client");
  const env = { ...lab.stack.env, PULUMI_STACK: "tls" };
  const helper = (args: string[]) => run("node", [`build/bin/${args[0]}.js`, ...args.slice(1)], { env });
  const tlsHelper = (args: string[]) => helper(["tls", ...args]);
  const docker = (host: (typeof hosts)[number], port: number, flags: string[], args: string[]) =>
    run("docker", [...flags, "-H", `tcp://${host.address}:${port}`, ...args], { timeoutMs: 60_000 });
  const withClient = ["--tlsverify", "--tlscacert", `${clientDir}/ca.pem`, "--tlscert", `${clientDir}/cert.pem`, "--tlskey", `${clientDir}/key.pem`];
  const setTls = (value: string) => assert.equal(lab.cli(["config", "set", "clipper-swarm:daemonTls", value]).status, 0);
  const clean = () => {
    const preview = lab.cli(["preview", "--expect-no-changes"]);
    assert.equal(preview.status, 0, failureText(preview));
  };
  const verify = () => {
    const r = helper(["verify"]);
    assert.equal(r.status, 0, failureText(r));
    return r.stdout;
  };
  const cluster = () => JSON.stringify(["nodeIds", "networkId"].map((o) => lab.stack.run(["stack", "output", o]).stdout.trim()));
  const leaderName = () => ssh(hosts[0], "docker node ls --filter role=manager --format '{{.Hostname}} {{.ManagerStatus}}'").stdout.match(/^(\S+) Leader$/m)?.[1];
  /**
   * Sets daemonTls to `value` and converges; checks that the engines restarted
   * one at a time, each after the one before was back among the swarm's
   * managers, and the leader's (the one before the up) last.
   */
  const switchTls = (value: string) => {
    setTls(value);
    const leader = leaderName();
    const out = lab.converge().stdout;
    const at = (text: string) => out.indexOf(text);
    const restarts = hosts
      .map((h) => ({ name: h.name, start: at(`${h.name}: writing `), back: at(`${h.name}: back among the swarm's managers`) }))
      .sort((x, y) => x.start - y.start);
    for (const r of restarts) assert.ok(r.start >= 0 && r.back > r.start, `${r.name} restarts and is back among the managers:\n${out}`);
    for (const [i, r] of restarts.slice(1).entries()) {
      assert.ok(r.start > restarts[i].back, `${r.name}'s engine restarts once ${restarts[i].name}'s is back:\n${out}`);
    }
    assert.equal(restarts.at(-1)?.name, leader, "the leader's engine restarts last");
  };

  before(() => {
    setTls("true");
    // Each host's provider reads the operator's client files, which the stack writes.
    assert.equal(lab.cli(["config", "set", "clipper-swarm:dockerProviders", "true"]).status, 0);
    const keys = tlsHelper(["keys", "--config-file", lab.configFile]);
    assert.equal(keys.status, 0, keys.stderr);
    assert.match(keys.stdout, /made clipper-swarm:tlsCaKey .*\n.*made clipper-swarm:tlsClientKey/);
    assert.match(tlsHelper(["keys", "--config-file", lab.configFile]).stdout, /tlsCaKey is already set .* kept/, "a second run keeps the keys");
    lab.converge();
    const client = tlsHelper(["client", clientDir]);
    assert.equal(client.status, 0, client.stderr);
  });
  after(() => {
    lab.dispose();
    rmSync(path.dirname(clientDir), { recursive: true, force: true });
    for (const h of hosts) assert.deepEqual(leftovers(h), [], `${h.name} is left as it was`);
  });

  it("every engine answers docker --tlsverify with the helper's files on 2376, and nothing answers on 2375", () => {
    for (const h of hosts) {
      const info = docker(h, 2376, withClient, ["info", "--format", "{{.Name}} {{.Swarm.ControlAvailable}}"]);
      assert.equal(info.stdout.trim(), `${h.name} true`, info.stderr);
      assert.notEqual(docker(h, 2375, [], ["version"]).status, 0, `${h.name}: 2375 is closed`);
    }
    clean();
  });

  it("an engine refuses a client without a certificate", () => {
    for (const h of hosts) {
      const refused = docker(h, 2376, ["--tlsverify", "--tlscacert", `${clientDir}/ca.pem`], ["version"]);
      assert.notEqual(refused.status, 0);
      assert.match(refused.stderr, /certificate required|bad certificate/, refused.stderr);
    }
  });

  it("keeps the client key readable by its owner only, and each engine's key on its host likewise", () => {
    assert.equal(statSync(path.join(clientDir, "key.pem")).mode & 0o777, 0o600);
    assert.equal(statSync(clientDir).mode & 0o777, 0o700);
    for (const h of hosts) assert.equal(ssh(h, "stat -c %a /etc/docker/clipper-swarm-tls /etc/docker/clipper-swarm-tls/key.pem").stdout.trim(), "700\n600");
  });

  it("passes npm run verify, whose docker commands use the stack's client certificate", () => {
    assert.match(verify(), new RegExp(`${hosts.length * (hosts.length - 1)} of ${hosts.length * (hosts.length - 1)} host pairs exchange bytes`));
  });

  it("switches to plain TCP and back with one up each, keeping every node and the network, restarting one engine at a time", () => {
    const before = cluster();
    switchTls("false");
    clean();
    for (const h of hosts) assert.equal(docker(h, 2375, [], ["version"]).status, 0, `${h.name} answers on 2375`);
    assert.equal(ssh(hosts[0], "test -e /etc/docker/clipper-swarm-tls || echo gone").stdout.trim(), "gone", "the key goes with TLS");
    verify();
    assert.equal(cluster(), before);

    switchTls("true");
    clean();
    for (const h of hosts) assert.notEqual(docker(h, 2375, [], ["version"]).status, 0, `${h.name}: 2375 is closed again`);
    // The hosts made new keys, so the client files are the same CA's: they still work.
    for (const h of hosts) assert.equal(docker(h, 2376, withClient, ["version"]).status, 0);
    verify();
    assert.equal(cluster(), before);
  });

  it("replaces the CA with npm run tls -- rotate, after which every certificate of the old one is refused", () => {
    const before = cluster();
    const [a, b] = hosts;
    const oldEngineCert = ssh(b, `cat ${engineTlsFolder}/cert.pem`).stdout;
    // A manager's client certificate of the old CA, kept aside on its host.
    assert.equal(ssh(a, `cp ${engineTlsFolder}/client.pem /root/old-client.pem`).status, 0);
    const rotated = tlsHelper(["rotate", "--config-file", lab.configFile]);
    assert.equal(rotated.status, 0, failureText(rotated));
    const passes = rotated.stdout.split(/^tls: /m);
    for (const pass of ["first pass", "second pass"]) {
      const out = passes.find((p) => p.startsWith(pass)) ?? "";
      for (const h of hosts) assert.match(out, new RegExp(`${h.name}: back among the swarm's managers`), `${h.name}'s engine restarts once in the ${pass}, keeping quorum`);
    }
    assert.match(rotated.stdout, /the CA is replaced/);
    clean();
    assert.equal(cluster(), before, "every node and the network stay");

    for (const h of hosts) {
      const refused = docker(h, 2376, withClient, ["version"]);
      assert.notEqual(refused.status, 0, `${h.name} refuses the operator's certificate of the old CA`);
      assert.match(refused.stderr, /bad certificate|unknown certificate authority|certificate signed by unknown authority/, refused.stderr);
    }
    const oldManager = ssh(a, `cd ${engineTlsFolder} && curl -sS -m 10 --cacert ca.pem --cert /root/old-client.pem --key key.pem https://${b.address}:2376/info; refused=$?; rm -f /root/old-client.pem; exit $refused`);
    assert.notEqual(oldManager.status, 0, `${b.name} refuses a manager's certificate of the old CA: ${oldManager.stdout}`);
    const newCa = ssh(a, `cat ${engineTlsFolder}/ca.pem`).stdout;
    const check = run("sh", ["-c", 'printf %s "$CA" >"$T/ca" && printf %s "$CERT" >"$T/c" && openssl verify -CAfile "$T/ca" "$T/c"'], {
      env: { ...process.env, CA: newCa, CERT: oldEngineCert, T: path.dirname(clientDir) },
    });
    assert.notEqual(check.status, 0, "a client of the new CA refuses an engine certificate of the old one");

    const client = tlsHelper(["client", clientDir]);
    assert.equal(client.status, 0, client.stderr);
    for (const h of hosts) assert.equal(docker(h, 2376, withClient, ["version"]).status, 0, `${h.name} takes the new client files`);
    verify();
  });

  it("destroy removes the operator's client files that the stack wrote for its providers", () => {
    const folder = providerClientFolder("clipper-swarm", "tls", "cluster");
    assert.ok(existsSync(path.join(folder, "key.pem")), `${folder} holds the client key while the stack is up`);
    const down = lab.cli(["destroy", "--yes", "--skip-preview"]);
    assert.equal(down.status, 0, failureText(down));
    assert.equal(existsSync(folder), false, `${folder} is gone with the stack`);
  });
});
