import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { errorOf } from "../support/inventory-error";
import { loadInventory } from "../../hosts/inventory";

// Compiled to build/test/unit; fixtures stay in the source tree.
const ROOT = path.resolve(__dirname, "../../..");
const FIXTURES = "test/fixtures/ansible";
const FAKE_KEY = path.join(ROOT, "test/fixtures/inventory/keys/fake_id_ed25519");
const LAB_KEY = path.join(ROOT, ".lab/id_ed25519");

/** An environment of its own, so the caller's user and agent never leak in. */
const ENV = { HOME: "/home/tester", USER: "tester" };


/**
 * Writes an inventory (inventory.yaml) and its vars files into a folder of
 * their own, with a key file at key; returns a loader for it.
 */
function lab(t: { after(fn: () => void): void }, files: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ansible-inventory-test-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.copyFileSync(FAKE_KEY, path.join(dir, "key"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return {
    load: (opts: { group?: string; env?: NodeJS.ProcessEnv } = {}) =>
      loadInventory("inventory.yaml", { cwd: dir, env: opts.env ?? ENV, ...(opts.group && { group: opts.group }) }),
    /** Asserts loading fails with exactly FILE:LINE: FIELD: and a problem matching `problem`. */
    rejects(file: string, line: number | undefined, field: string | undefined, problem: RegExp, opts: { group?: string; env?: NodeJS.ProcessEnv } = {}) {
      const err = errorOf(() => this.load(opts));
      assert.deepEqual({ file: err.file, line: err.line, field: err.field }, { file, line, field }, err.message);
      assert.match(err.problem, problem);
      const where = line === undefined ? file : `${file}:${line}`;
      assert.equal(err.message, field === undefined ? `${where}: ${err.problem}` : `${where}: ${field}: ${err.problem}`);
    },
  };
}

/** One host on 192.0.2.11 as root with the key, plus what `extra` adds to its entry. */
const oneHost = (extra = "") => `all:\n  hosts:\n    node1:\n      ansible_host: 192.0.2.11\n      ansible_user: root\n      ansible_ssh_private_key_file: key\n${extra}`;

describe("an Ansible inventory", () => {
  test("gives the same hosts as the same machines in this stack's own format", () => {
    const ansible = loadInventory(`${FIXTURES}/inventory.yaml`, { cwd: ROOT, env: ENV, group: "swarm" });
    const native = loadInventory(`${FIXTURES}/native.yaml`, { cwd: ROOT, env: ENV });
    assert.deepEqual(ansible.hosts, native.hosts);
  });

  test("merges variables as Ansible does: all, parent, child group, group_vars/, host vars, host_vars/", () => {
    const hosts = loadInventory(`${FIXTURES}/inventory.yaml`, { cwd: ROOT, env: ENV }).hosts;
    const port = Object.fromEntries(hosts.map((h) => [h.name, h.port]));
    // all's 2200 < swarm's 22 < node2's own 2201 < its host_vars 2222; bastion is in all only.
    assert.deepEqual(port, { bastion: 2200, node1: 22, node2: 2222, node3: 22 });
    assert.deepEqual(hosts.map((h) => h.name), ["bastion", "node1", "node2", "node3"], "the order the file names them");
    assert.deepEqual(hosts.map((h) => h.role), ["manager", "manager", "manager", "worker"]);
    assert.ok(hosts.every((h) => h.user === "deploy" && h.privateKey.kind === "path" && h.privateKey.path === FAKE_KEY));
  });

  test("the lab's hosts/dev.ansible.yaml describes the hosts of hosts/dev.yaml", { skip: !fs.existsSync(LAB_KEY) && "no lab key in .lab/ (npm run lab -- up makes it)" }, () => {
    const ansible = loadInventory("hosts/dev.ansible.yaml", { cwd: ROOT, env: ENV });
    assert.deepEqual(ansible.hosts, loadInventory("hosts/dev.yaml", { cwd: ROOT, env: ENV }).hosts);
  });

  test("reaches a host without a key file through the SSH agent, and as the local user without ansible_user", (t) => {
    const inv = lab(t, { "inventory.yaml": "all:\n  hosts:\n    node1:\n      ansible_host: 192.0.2.11\n      ansible_become: true\n" });
    const [host] = inv.load({ env: { ...ENV, SSH_AUTH_SOCK: "/run/agent.sock" } }).hosts;
    assert.deepEqual(host.privateKey, { kind: "agent", socketPath: "/run/agent.sock" });
    assert.equal(host.user, "tester");
  });

  test("takes this stack's own variables: name, role, advertise address, gone, host key, key passphrase", (t) => {
    const inv = lab(t, {
      "inventory.yaml": oneHost(),
      "host_vars/node1.yaml": [
        "clipper_swarm_name: first",
        "clipper_swarm_role: manager",
        "clipper_swarm_advertise_address: 10.0.0.11",
        "clipper_swarm_gone: no",
        "clipper_swarm_host_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
        "clipper_swarm_private_key_passphrase_secret: node1KeyPassphrase",
        "",
      ].join("\n"),
    });
    const [host] = inv.load().hosts;
    assert.equal(host.name, "first");
    assert.equal(host.role, "manager");
    assert.equal(host.advertiseAddress, "10.0.0.11");
    assert.equal(host.gone, false);
    assert.match(host.hostKey ?? "", /^ssh-ed25519 /);
    assert.equal(host.privateKey.kind === "path" && host.privateKey.passphraseSecret, "node1KeyPassphrase");
  });

  test("checks host keys unless Ansible's host key checking is off, by a host's variable or ANSIBLE_HOST_KEY_CHECKING", (t) => {
    const checking = (extra: string, env: NodeJS.ProcessEnv = ENV) => lab(t, { "inventory.yaml": oneHost(extra) }).load({ env }).hosts[0].hostKeyChecking;
    assert.equal(checking(""), true);
    assert.equal(checking("      ansible_host_key_checking: false\n"), false);
    assert.equal(checking('      ansible_ssh_host_key_checking: "False"\n'), false);
    assert.equal(checking("", { ...ENV, ANSIBLE_HOST_KEY_CHECKING: "False" }), false);
    assert.equal(checking("      ansible_host_key_checking: yes\n", { ...ENV, ANSIBLE_HOST_KEY_CHECKING: "False" }), true, "the host's own variable wins");
    lab(t, { "inventory.yaml": oneHost("      ansible_host_key_checking: sometimes\n") })
      .rejects("inventory.yaml", 7, "all.hosts.node1.ansible_host_key_checking", /must be true or false, not "sometimes"/);
  });

  test("a file of this stack's own format is read as before, and refuses a group", () => {
    const err = errorOf(() => loadInventory(`${FIXTURES}/native.yaml`, { cwd: ROOT, env: ENV, group: "swarm" }));
    assert.match(err.message, /native\.yaml: is not an Ansible inventory.*unset clipper-swarm:inventoryGroup/);
  });
});

describe("an Ansible inventory is refused, naming file, line and field, when", () => {
  test("the group is not in it, listing those that are", (t) => {
    lab(t, { "inventory.yaml": oneHost() }).rejects("inventory.yaml", undefined, undefined, /has no group "swarm" \(clipper-swarm:inventoryGroup\); its groups: all/, { group: "swarm" });
  });

  test("a connection variable would reach the host some other way, even from group_vars/", (t) => {
    const inv = lab(t, { "inventory.yaml": oneHost(), "group_vars/all.yml": "ntp_server: pool.ntp.org\nansible_ssh_common_args: -o ProxyJump=bastion\n" });
    inv.rejects(path.join("group_vars", "all.yml"), 2, "ansible_ssh_common_args", /changes how Ansible reaches the host, which this stack cannot follow/);
  });

  test("a password is given", (t) => {
    lab(t, { "inventory.yaml": oneHost("      ansible_become_password: hunter2\n") })
      .rejects("inventory.yaml", 7, "all.hosts.node1.ansible_become_password", /logs in with a key .* passwordless sudo/);
  });

  test("ansible_connection is not SSH", (t) => {
    lab(t, { "inventory.yaml": oneHost("      ansible_connection: local\n") })
      .rejects("inventory.yaml", 7, "all.hosts.node1.ansible_connection", /"local" cannot be followed: this stack reaches hosts over SSH/);
  });

  test("a login user is not root and ansible_become is not set", (t) => {
    lab(t, { "inventory.yaml": "all:\n  hosts:\n    node1:\n      ansible_host: 192.0.2.11\n      ansible_ssh_private_key_file: key\n" })
      .rejects("inventory.yaml", 3, "all.hosts.node1.ansible_become", /missing; user "tester" is not root, .* set ansible_become: true/);
  });

  test("a variable of this stack's own is misspelt", (t) => {
    lab(t, { "inventory.yaml": oneHost("      clipper_swarm_rol: worker\n") })
      .rejects("inventory.yaml", 7, "all.hosts.node1.clipper_swarm_rol", /unknown variable of this stack; known: clipper_swarm_name, clipper_swarm_role/);
  });

  test("a value is a Jinja template", (t) => {
    lab(t, { "inventory.yaml": oneHost(), "host_vars/node1.yml": "ansible_host: \"{{ lookup('env', 'NODE1') }}\"\n" })
      .rejects(path.join("host_vars", "node1.yml"), 1, "ansible_host", /Jinja template/);
  });

  test("a port is not a port, in the file that set it", (t) => {
    lab(t, { "inventory.yaml": oneHost(), "group_vars/all/ports.yml": "ansible_port: ssh\n" })
      .rejects(path.join("group_vars", "all", "ports.yml"), 1, "ansible_port", /must be an integer port number/);
  });

  test("a host name is not a DNS label, which it becomes part of resource names as", (t) => {
    lab(t, { "inventory.yaml": "all:\n  hosts:\n    Node_1:\n      ansible_user: root\n      ansible_ssh_private_key_file: key\n" })
      .rejects("inventory.yaml", 3, "all.hosts.Node_1", /is not a valid name.*give the host a name of that form in clipper_swarm_name/);
  });

  test("a host is a range", (t) => {
    lab(t, { "inventory.yaml": "all:\n  hosts:\n    node[1:3]:\n" }).rejects("inventory.yaml", 3, "all.hosts.node[1:3]", /host range/);
  });

  test("a host has no key file and no agent runs", (t) => {
    lab(t, { "inventory.yaml": "all:\n  hosts:\n    node1:\n      ansible_host: 192.0.2.11\n      ansible_user: root\n" })
      .rejects("inventory.yaml", 3, "all.hosts.node1.ansible_ssh_private_key_file", /missing; .*SSH_AUTH_SOCK is not set/);
  });

  test("two hosts share an address", (t) => {
    lab(t, {
      "inventory.yaml": oneHost() + "    node2:\n      ansible_host: 192.0.2.11\n      ansible_user: root\n      ansible_ssh_private_key_file: key\n",
    }).rejects("inventory.yaml", 8, "all.hosts.node2.ansible_host", /"192.0.2.11" port 22 is already used by host "node1" \(line 4\)/);
  });

  test("a host name needs an advertise address", (t) => {
    lab(t, { "inventory.yaml": oneHost().replace("192.0.2.11", "node1.example.test") })
      .rejects("inventory.yaml", 3, "all.hosts.node1.clipper_swarm_advertise_address", /is a host name, and swarm advertises/);
  });

  test("a vars file is vaulted", (t) => {
    lab(t, { "inventory.yaml": oneHost(), "group_vars/all.yml": "$ANSIBLE_VAULT;1.1;AES256\n6162636465\n" })
      .rejects(path.join("group_vars", "all.yml"), 1, undefined, /encrypted with ansible-vault/);
  });

  test("a group contains itself", (t) => {
    lab(t, { "inventory.yaml": oneHost() + "  children:\n    a:\n      children:\n        b:\n          children:\n            a:\n" })
      .rejects("inventory.yaml", 1, "a", /group "a" contains itself \(all > a > b > a\)/);
  });
});
