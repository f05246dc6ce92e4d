// SSH host keys are checked by default, as OpenSSH checks them: a host whose
// key neither a pin nor known_hosts knows is recorded in the stack on first
// contact, and a host that later shows another key is refused before any step
// runs there (in mutual TLS mode, before its engine's key is made and signed),
// with the command that accepts the new key. Pinned keys come first.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { engineAndNode, failureText, labHosts, missingPlugins, run, ssh } from "../support/cli";
import { labStack } from "../support/lab-stack";
import { engineTlsFolder } from "../../components/daemon-endpoint";
import type { HostSpec } from "../../hosts/inventory";

describe("SSH host keys", { skip: missingPlugins() }, () => {
  const lab = labStack("host-key");
  const hosts = labHosts();
  const rebuilt = hosts[hosts.length - 1];
  const knownHosts = path.join(mkdtempSync(path.join(os.tmpdir(), "clipper-swarm-known-hosts-")), "known_hosts");
  const originalKeys = () => ssh(rebuilt, "tar -C /etc/ssh -cf - ssh_host_ed25519_key ssh_host_ed25519_key.pub ssh_host_rsa_key ssh_host_rsa_key.pub ssh_host_ecdsa_key ssh_host_ecdsa_key.pub | base64 -w0").stdout;
  let saved = "";
  const restartSsh = "systemctl restart ssh";
  /** The host's ed25519 key line, as ssh-keyscan shows it, without the address in front. */
  const keyOf = (h: HostSpec) => {
    const scan = run("ssh-keyscan", ["-t", "ed25519", "-p", String(h.port), h.address]);
    const line = scan.stdout.split("\n").find((l) => l.includes(" ssh-ed25519 "));
    assert.ok(line, `ssh-keyscan found no ed25519 key on ${h.name}: ${scan.stderr}`);
    return line.slice(line.indexOf(" ") + 1);
  };
  /** The tests' inventory with each host pinned to the key of `pinOf(host)`. */
  const pin = (name: string, pinOf: (h: HostSpec) => HostSpec) =>
    lab.inventory(name, (t) =>
      t.replace(/hosts:\n[\s\S]*$/, `hosts:\n${hosts.map((h) => `  - name: ${h.name}\n    address: ${h.address}\n    hostKey: ${keyOf(pinOf(h))}\n`).join("")}`),
    );
  const clean = () => {
    const preview = lab.cli(["preview", "--expect-no-changes"]);
    assert.equal(preview.status, 0, failureText(preview));
  };
  const firstContact = (h: HostSpec) => new RegExp(`${h.name}: no known SSH host key; recorded ssh-ed25519 SHA256:\\S+, shown on first contact, in the stack`);

  before(() => {
    saved = originalKeys();
    assert.ok(saved.length > 0, "the host's keys are saved");
    writeFileSync(knownHosts, "");
    assert.equal(lab.cli(["config", "set", "clipper-swarm:knownHosts", knownHosts]).status, 0);
    assert.equal(lab.cli(["config", "set", "clipper-swarm:daemonTls", "true"]).status, 0);
    const keys = run("node", ["build/bin/tls.js", "keys", "--config-file", lab.configFile], { env: { ...lab.stack.env, PULUMI_STACK: "host-key" } });
    assert.equal(keys.status, 0, keys.stderr);
  });
  after(() => {
    // Destroyed first: its steps log in with the keys the stack last trusted, the rebuilt host's new ones.
    try {
      lab.dispose();
    } finally {
      ssh(rebuilt, `base64 -d | tar -C /etc/ssh -xf - && ${restartSsh}`, saved);
      rmSync(path.dirname(knownHosts), { recursive: true, force: true });
    }
  });

  it("records each host's key on first contact, in the stack, and says so once", () => {
    const up = lab.converge();
    for (const h of hosts) assert.match(up.stdout, firstContact(h));
    const again = lab.converge();
    for (const h of hosts) assert.doesNotMatch(again.stdout, firstContact(h), "recorded once");
    clean();
  });

  it("refuses a host that shows another key before any step there, with the command that accepts it", () => {
    const untouched = hosts.map(engineAndNode);
    // A rebuilt host's new keys; and no engine key, so a step there would make one and have it signed.
    const regenerate = ssh(rebuilt, `rm -f /etc/ssh/ssh_host_* && ssh-keygen -A >/dev/null && ${restartSsh} && rm -rf ${engineTlsFolder}`);
    assert.equal(regenerate.status, 0, regenerate.stderr);
    const refusal = new RegExp(
      `${rebuilt.name}: its SSH host key changed: it shows ssh-ed25519 SHA256:\\S+, and the stack recorded ssh-ed25519 SHA256:\\S+ on first contact\\. ` +
        `If the host was rebuilt on purpose, accept its new key into known_hosts, which comes before the record: ` +
        `ssh-keyscan -p 22 ${rebuilt.address.replace(/\./g, "\\.")} >> ~/\\.ssh/known_hosts`,
    );
    for (const command of [["preview"], ["up", "--yes", "--skip-preview"]]) {
      const refused = lab.cli(command);
      assert.notEqual(refused.status, 0, `${command[0]} must refuse`);
      assert.match(refused.stdout + refused.stderr, refusal);
    }
    assert.equal(ssh(rebuilt, `test -e ${engineTlsFolder} && echo made || echo none`).stdout.trim(), "none", "no key made, nothing signed");
    assert.deepEqual(hosts.slice(0, -1).map(engineAndNode), untouched.slice(0, -1), "the other hosts are left alone");
  });

  it("accepts the new key once known_hosts holds it, and repairs the host", () => {
    const scan = run("ssh-keyscan", ["-p", "22", rebuilt.address]);
    appendFileSync(knownHosts, scan.stdout);
    lab.converge();
    assert.equal(ssh(rebuilt, `test -e ${engineTlsFolder}/cert.pem && echo signed`).stdout.trim(), "signed");
    clean();
  });

  it("logs in where each host shows its pinned key, and stops at one that shows another, naming it", () => {
    pin("pinned", (h) => h);
    lab.converge();
    clean();
    const [first, second] = hosts;
    const untouched = hosts.map(engineAndNode);
    pin("swapped", (h) => (h === first ? second : h));
    const start = Date.now();
    const refused = lab.cli(["up", "--yes", "--skip-preview"]);
    assert.notEqual(refused.status, 0);
    assert.match(
      refused.stdout + refused.stderr,
      new RegExp(`${first.name}: SSH host key refused: it shows ssh-ed25519 SHA256:\\S+, not its pinned hostKey \\(ssh-ed25519 SHA256:\\S+\\); if the host was rebuilt on purpose, pin its new key`),
    );
    assert.ok(Date.now() - start < 30_000, "a wrong key is not retried like a host that does not answer");
    assert.deepEqual(hosts.map(engineAndNode), untouched);
  });
});
