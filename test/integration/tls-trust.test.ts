// Least trust between engines under mutual TLS: an engine's certificate is a
// server's only, so a manager's engine refuses a worker's as a client; only
// managers hold a client certificate, and a manager brings the workers in.
// Role changes and a worker's leave and return work without an engine restart.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { engineAndNode, failureText, labHosts, leftovers, missingPlugins, run, ssh } from "../support/cli";
import { labStack } from "../support/lab-stack";
import { engineTlsFolder } from "../../components/daemon-endpoint";
import type { HostSpec } from "../../hosts/inventory";

describe("mutual TLS: no engine takes a worker's certificate as a client", { skip: missingPlugins() }, () => {
  const lab = labStack("tls-trust");
  const hosts = labHosts();
  const [a, b, c] = hosts;
  const env = { ...lab.stack.env, PULUMI_STACK: "tls-trust" };
  /** The tests' inventory with these hosts and roles. */
  const use = (name: string, roles: HostSpec["role"][]) =>
    lab.inventory(name, (t) =>
      t.replace(/hosts:\n[\s\S]*$/, `hosts:\n${roles.map((role, i) => `  - name: ${hosts[i].name}\n    address: ${hosts[i].address}\n    role: ${role}\n`).join("")}`),
    );
  /** Each node as manager `via` lists it, through its own socket. */
  const roles = (via = a) =>
    ssh(via, "docker node ls --format '{{.Hostname}} {{.Status}} {{if .ManagerStatus}}manager{{else}}worker{{end}}'").stdout.trim().split("\n").sort();
  /** Calls engine `target`'s API from host `from` with a certificate there, beside the engine's key. */
  const call = (from: HostSpec, target: HostSpec, cert: string) =>
    ssh(from, `cd ${engineTlsFolder} && curl -sS -m 10 --cacert ca.pem --cert ${cert} --key key.pem https://${target.address}:2376/info -o /dev/null -w '%{http_code}'`);
  const holdsClientCert = (h: HostSpec) => ssh(h, `test -e ${engineTlsFolder}/client.pem`).status === 0;
  const clean = () => {
    const preview = lab.cli(["preview", "--expect-no-changes"]);
    assert.equal(preview.status, 0, failureText(preview));
  };
  const engineStartAndNode = (of: HostSpec[]) => of.map((h) => engineAndNode(h).split(" ").slice(0, 3).join(" "));

  before(() => {
    assert.equal(lab.cli(["config", "set", "clipper-swarm:daemonTls", "true"]).status, 0);
    const keys = run("node", ["build/bin/tls.js", "keys", "--config-file", lab.configFile], { env });
    assert.equal(keys.status, 0, keys.stderr);
    use("one-manager", ["manager", "worker", "worker"]);
    lab.converge();
  });
  after(() => {
    lab.dispose();
    for (const h of hosts) assert.deepEqual(leftovers(h), [], `${h.name} is left as it was`);
  });

  it("joins the workers through the manager, and a manager's engine refuses a worker's engine certificate", () => {
    assert.deepEqual(roles(), [`${a.name} Ready manager`, `${b.name} Ready worker`, `${c.name} Ready worker`]);
    assert.equal(holdsClientCert(a), true, "the manager holds a client certificate");
    assert.equal(holdsClientCert(b), false, "a worker holds none");
    assert.equal(call(a, b, "client.pem").stdout, "200", "a manager's client certificate opens a worker's engine");
    const refused = call(b, a, "cert.pem");
    assert.notEqual(refused.status, 0, `the worker's engine certificate opens no engine: ${refused.stdout}`);
    assert.match(refused.stderr, /bad certificate|unsupported certificate|certificate required/, refused.stderr);
    assert.notEqual(call(a, c, "cert.pem").status, 0, "nor does a manager's engine certificate");
    clean();
  });

  it("promotes a worker and demotes it again in place: it holds a client certificate only while a manager", () => {
    const before = engineStartAndNode(hosts);
    use("two-managers", ["manager", "manager", "worker"]);
    lab.converge();
    assert.deepEqual(roles(), [`${a.name} Ready manager`, `${b.name} Ready manager`, `${c.name} Ready worker`]);
    assert.equal(holdsClientCert(b), true);
    assert.deepEqual(engineStartAndNode(hosts), before, "no engine restart, no leave and re-join");
    clean();

    use("one-manager", ["manager", "worker", "worker"]);
    lab.converge();
    assert.deepEqual(roles(), [`${a.name} Ready manager`, `${b.name} Ready worker`, `${c.name} Ready worker`]);
    assert.equal(holdsClientCert(b), false);
    assert.deepEqual(engineStartAndNode(hosts), before);
    clean();
  });

  it("takes a worker out of the inventory and back: the manager makes it leave and removes its node, then joins it again", () => {
    use("without-c", ["manager", "worker"]);
    lab.converge();
    assert.deepEqual(roles(), [`${a.name} Ready manager`, `${b.name} Ready worker`], "its node is gone from the swarm's list");
    assert.deepEqual(leftovers(c), [], `${c.name} is left as it was`);
    clean();

    use("one-manager", ["manager", "worker", "worker"]);
    lab.converge();
    assert.deepEqual(roles(), [`${a.name} Ready manager`, `${b.name} Ready worker`, `${c.name} Ready worker`]);
    clean();
  });
});
