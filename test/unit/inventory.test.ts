import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { errorOf } from "../support/inventory-error";
import { InventoryError, loadInventory } from "../../hosts/inventory";
import { isIpAddress } from "../../components/cluster/host-rules";
import type { HostSpec } from "../../hosts/inventory";

// Compiled to build/test/unit; fixtures stay in the source tree.
const ROOT = path.resolve(__dirname, "../../..");
const FIXTURES = "test/fixtures/inventory";
const FAKE_KEY = path.join(ROOT, FIXTURES, "keys/fake_id_ed25519");

/** Loads a fixture with an empty environment, so the caller's HOME and agent never leak in. */
function load(name: string, env: NodeJS.ProcessEnv = {}) {
  return loadInventory(`${FIXTURES}/${name}`, { cwd: ROOT, env });
}


/** Asserts a bad/ fixture fails with exactly `FILE:LINE: FIELD: ` and a problem matching `problem`. */
function rejects(name: string, line: number, field: string | undefined, problem: RegExp, env: NodeJS.ProcessEnv = {}): InventoryError {
  const file = `${FIXTURES}/bad/${name}`;
  const err = errorOf(() => loadInventory(file, { cwd: ROOT, env }));
  assert.deepEqual({ file: err.file, line: err.line, field: err.field }, { file, line, field });
  const prefix = field === undefined ? `${file}:${line}: ` : `${file}:${line}: ${field}: `;
  assert.equal(err.message, prefix + err.problem);
  assert.match(err.problem, problem);
  return err;
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-test-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("loadInventory rejects", () => {
  test("a missing inventory file, naming its absolute path and the OS error", () => {
    const file = `${FIXTURES}/bad/no-such-inventory.yaml`;
    const err = errorOf(() => loadInventory(file, { cwd: ROOT, env: {} }));
    assert.equal(err.message, `${file}: cannot read the inventory ${path.join(ROOT, file)} (ENOENT)`);
    assert.equal(err.line, undefined);
    assert.equal(err.field, undefined);
  });

  test("malformed YAML, at the yaml parser's line, without a source snippet", () => {
    const err = rejects("syntax.yaml", 6, undefined, /^invalid YAML: /);
    assert.doesNotMatch(err.message, /\n/);
  });

  test("a top level that is not a map", () => {
    rejects("top-list.yaml", 2, undefined, /top level must be a map with a "hosts" list, not a list/);
  });

  test("an empty document", () => {
    rejects("empty.yaml", 1, undefined, /top level must be a map .*not an empty value/);
  });

  test("an unknown top-level field, listing the allowed ones", () => {
    rejects("unknown-top.yaml", 5, "defualts", /unknown field; allowed: defaults, hosts$/);
  });

  test("an unknown field in defaults", () => {
    rejects("unknown-defaults.yaml", 3, "defaults.username", /unknown field; allowed: user, port, privateKey, role, hostKeyChecking$/);
  });

  test("a misspelt privateKey in defaults, not hosts missing a key", () => {
    rejects("defaults-key-misspelt.yaml", 7, "defaults.privatekey", /^unknown field; allowed: user, port, privateKey, role, hostKeyChecking$/);
  });

  test("an unknown field in a host", () => {
    rejects("unknown-host.yaml", 8, "hosts[1].adress", /unknown field; allowed: name, address, port, user, advertiseAddress, privateKey, role, gone, hostKey, hostKeyChecking$/);
  });

  test("an unknown field in privateKey", () => {
    rejects("unknown-key.yaml", 7, "hosts[0].privateKey.file", /unknown field; allowed: path, secret, agent, passphraseSecret$/);
  });

  test("a missing name, at the line where the host starts", () => {
    rejects("missing-name.yaml", 7, "hosts[1].name", /^missing; every host needs a name/);
  });

  test("a missing address", () => {
    rejects("missing-address.yaml", 5, "hosts[0].address", /^missing; every host needs the address SSH connects to/);
  });

  test("a host without a private key when defaults has none", () => {
    rejects("missing-key.yaml", 4, "hosts[1].privateKey", /^missing; give one here or under defaults/);
  });

  test("a port that is not an integer", () => {
    rejects("port-type.yaml", 7, "hosts[0].port", /^must be an integer port number \(1-65535\), not a string$/);
  });

  test("a gone mark that is not a boolean", () => {
    rejects("gone-type.yaml", 8, "hosts[1].gone", /^must be true or false, not a string$/);
  });

  test("every host marked gone", () => {
    rejects("all-gone.yaml", 5, "hosts", /^every host is marked gone; the swarm needs at least one live host/);
  });

  test("a host with a problem of its own, not every host gone", () => {
    rejects("gone-and-broken.yaml", 6, "hosts[1].port", /^0 is out of range \(1-65535\)$/);
  });

  test("a host key that is not an OpenSSH public key line", () => {
    rejects("host-key-invalid.yaml", 7, "hosts[0].hostKey", /^"SHA256:0123456789abcdefghijklmnopqrstuvw\.\.\." is not an SSH public host key line \("ssh-ed25519 AAAA\.\.\.", as ssh-keyscan -t ed25519 ADDRESS prints it\)$/);
  });

  test("a role that is neither manager nor worker, naming both", () => {
    rejects("role-invalid.yaml", 8, "hosts[1].role", /^must be manager or worker, not "leader"$/);
  });

  test("a default role that is not a string", () => {
    rejects("defaults-role-type.yaml", 3, "defaults.role", /^must be manager or worker, not an integer$/);
  });

  test("no live manager (the only one marked gone), saying to make a live host one", () => {
    rejects("no-live-manager.yaml", 6, "hosts", /^no live host is a manager, and a swarm of workers only cannot exist; give at least one live host role: manager$/);
  });

  test("a host with a problem of its own, not a swarm without a manager", () => {
    rejects("workers-and-broken-manager.yaml", 8, "hosts[1].role", /^must be manager or worker, not "manger"$/);
  });

  test("a name that is not a string", () => {
    rejects("name-type.yaml", 5, "hosts[0].name", /^must be a string, not an integer$/);
  });

  test("hosts that is not a list", () => {
    rejects("hosts-not-list.yaml", 5, "hosts", /^must be a list of hosts, not a map$/);
  });

  test("defaults that is not a map, not hosts missing a key", () => {
    rejects("defaults-not-map.yaml", 7, "defaults", /^must be a map \(user, port, privateKey, role, hostKeyChecking\), not a list$/);
  });

  test("a host that is not a map", () => {
    rejects("host-not-map.yaml", 6, "hosts[1]", /^must be a map .*not a string$/);
  });

  test("a privateKey that is not a map, without echoing the value (it may be a pasted key)", () => {
    const err = rejects("key-not-map.yaml", 5, "hosts[0].privateKey", /^must be a map with one of path, secret or agent, not a string$/);
    assert.doesNotMatch(err.message, /BEGIN|pasted-key-body/);
  });

  test("a host port out of range", () => {
    rejects("port-range.yaml", 9, "hosts[1].port", /^65536 is out of range \(1-65535\)$/);
  });

  test("a default port out of range", () => {
    rejects("defaults-port-range.yaml", 3, "defaults.port", /^0 is out of range \(1-65535\)$/);
  });

  test("a name that is not a DNS label", () => {
    rejects("name-invalid.yaml", 5, "hosts[0].name", /^"Host_1" is not a valid name: lower-case letters, digits and "-"/);
  });

  test("a duplicate name, naming the first one's line", () => {
    rejects("name-duplicate.yaml", 9, "hosts[2].name", /^"host1" is already used by hosts\[0\] \(line 5\)$/);
  });

  test("a duplicate name before another problem of the same host", () => {
    rejects("duplicate-before-other-problem.yaml", 7, "hosts[1].name", /already used by hosts\[0\] \(line 5\)/);
  });

  test("a duplicate address and port, naming the first one's line", () => {
    rejects("address-duplicate.yaml", 8, "hosts[1].address", /^"10\.0\.0\.1" port 22 is already used by hosts\[0\] \(line 6\)$/);
  });

  test("a duplicate advertiseAddress", () => {
    rejects("advertise-duplicate.yaml", 10, "hosts[1].advertiseAddress", /^advertise address "10\.0\.0\.1" is already used by hosts\[0\] \(line 7\)$/);
  });

  test("a duplicate advertise address taken from address", () => {
    rejects("advertise-duplicate-implied.yaml", 10, "hosts[1].advertiseAddress",
      /^advertise address "203\.0\.113\.5" \(taken from address\) is already used by hosts\[0\] \(line 7\)$/);
  });

  test("an address that is neither an IP nor a host name", () => {
    const err = rejects("address-invalid.yaml", 8, "hosts[1].address", /^"10\.0\.0\.300" is not an IP address or DNS host name$/);
    assert.equal(err.message, `${FIXTURES}/bad/address-invalid.yaml:8: hosts[1].address: "10.0.0.300" is not an IP address or DNS host name`);
  });

  test("an advertiseAddress that is a host name, saying swarm needs an IP", () => {
    rejects("advertise-name.yaml", 7, "hosts[0].advertiseAddress", /^"node1\.example\.com" is not an IP address; swarm advertises and listens on an IP/);
  });

  test("advertise addresses that no other host reaches, or that mix IP families, or repeat in another spelling", () => {
    rejects("advertise-loopback.yaml", 7, "hosts[0].advertiseAddress", /^"127\.0\.0\.1" is a loopback address, which the other hosts cannot reach/);
    rejects("advertise-unspecified-implied.yaml", 6, "hosts[0].address",
      /^"0\.0\.0\.0" is an unspecified address, which the other hosts cannot reach; as no advertise address is given, it would be this host's: give one they can reach$/);
    rejects("advertise-zone.yaml", 7, "hosts[0].advertiseAddress", /^"fe80::1%eth0" has a zone ID, .*which systemd takes for a specifier/);
    rejects("advertise-family-mix.yaml", 9, "hosts[1].advertiseAddress",
      /^advertise address "fd00::2" is IPv6, and hosts\[0\]'s \(line 6\) is IPv4: a swarm's hosts advertise addresses of one IP family$/);
    rejects("advertise-duplicate-spelling.yaml", 10, "hosts[1].advertiseAddress", /^advertise address "FD00:0:0::1" is already used by hosts\[0\] \(line 7\)$/);
  });

  test("a host-name address without advertiseAddress", () => {
    rejects("address-name-no-advertise.yaml", 5, "hosts[0].advertiseAddress", /^missing; address "node1\.example\.com" is a host name, .*give this host's IP$/);
  });

  test("a privateKey with none of path, secret, agent", () => {
    rejects("key-none.yaml", 3, "defaults.privateKey", /^give exactly one of path, secret or agent \(found none\)$/);
  });

  test("a privateKey with several of path, secret, agent", () => {
    rejects("key-several.yaml", 6, "hosts[0].privateKey", /^give exactly one of path, secret or agent \(found path and agent\)$/);
  });

  test("a key file that does not exist, naming its absolute path and ENOENT", () => {
    const abs = path.join(ROOT, FIXTURES, "keys/no_such_key");
    rejects("key-missing-file.yaml", 4, "defaults.privateKey.path", new RegExp(`^cannot read private key file ${abs} \\(ENOENT\\)$`));
  });

  test("a key file that is not a private key, without echoing its contents", () => {
    const abs = `${FAKE_KEY}.pub`;
    const err = rejects("key-public.yaml", 7, "hosts[0].privateKey.path", /is not a private key/);
    assert.ok(err.problem.startsWith(`${abs} is not a private key`), err.problem);
    assert.doesNotMatch(err.message, /AAAAC3|ssh-ed25519/);
  });

  test("a key path that is a folder", () => {
    rejects("key-directory.yaml", 6, "hosts[0].privateKey.path", /keys is not a regular file$/);
  });

  test("an unreadable key file, naming EACCES", { skip: process.getuid?.() === 0 && "root can read any file" }, (t) => {
    const dir = tempDir(t);
    const key = path.join(dir, "id_ed25519");
    fs.copyFileSync(FAKE_KEY, key);
    fs.chmodSync(key, 0o000);
    const file = path.join(dir, "hosts.yaml");
    fs.writeFileSync(file, "hosts:\n  - name: host1\n    address: 10.0.0.1\n    privateKey: { path: id_ed25519 }\n");
    const err = errorOf(() => loadInventory(file, { env: {} }));
    assert.equal(err.message, `${file}:4: hosts[0].privateKey.path: cannot read private key file ${key} (EACCES)`);
  });

  test("the agent form when SSH_AUTH_SOCK is unset", () => {
    rejects("agent-no-socket.yaml", 3, "defaults.privateKey.agent", /^SSH_AUTH_SOCK is not set/);
  });

  test("agent: false", () => {
    rejects("agent-false.yaml", 6, "hosts[0].privateKey.agent", /^must be true, not false/);
  });

  test("passphraseSecret with the agent", () => {
    rejects("agent-passphrase.yaml", 7, "hosts[0].privateKey.passphraseSecret", /^does not apply to agent/, { SSH_AUTH_SOCK: "/tmp/agent.sock" });
  });

  test("a secret name with a namespace", () => {
    rejects("secret-namespaced.yaml", 6, "hosts[0].privateKey.secret", /^"clipper-swarm:sshKeyHost1" is not a stack config key name/);
  });

  test("an empty host list", () => {
    rejects("hosts-empty.yaml", 4, "hosts", /^no hosts; the swarm needs at least one$/);
  });

  test("a missing host list, at the top-level map's line", () => {
    rejects("hosts-missing.yaml", 2, "hosts", /^missing; list the swarm's machines/);
  });

  test("only the first problem in document order", () => {
    rejects("document-order.yaml", 6, "hosts[0].privateKey", /^missing;/);
  });
});

describe("loadInventory loads", () => {
  test("defaults applied to hosts, a host's own fields winning, key path resolved from the inventory's folder", () => {
    const inventory = load("good/defaults.yaml");
    const privateKey = { kind: "path", path: FAKE_KEY };
    assert.deepEqual(inventory, {
      file: `${FIXTURES}/good/defaults.yaml`,
      hosts: [
        { name: "host1", address: "10.0.0.1", port: 2222, user: "admin", advertiseAddress: "10.0.0.1", privateKey, role: "manager", gone: false, hostKeyChecking: true },
        { name: "host2", address: "10.0.0.2", port: 22, user: "root", advertiseAddress: "192.168.0.2", privateKey, role: "manager", gone: false, hostKeyChecking: true },
      ],
    });
  });

  test("the path, secret and agent forms, a DNS name and an IPv6 address, with built-in defaults", () => {
    const { hosts } = load("good/key-forms.yaml", { SSH_AUTH_SOCK: "/run/agent.sock" });
    const expected: HostSpec[] = [
      { name: "by-path", address: "10.0.0.1", port: 22, user: "root", advertiseAddress: "10.0.0.1",
        privateKey: { kind: "path", path: FAKE_KEY, passphraseSecret: "keyPass" }, role: "manager", gone: false, hostKeyChecking: true },
      { name: "by-secret", address: "node2.example.com", port: 22, user: "root", advertiseAddress: "10.0.0.2",
        privateKey: { kind: "secret", configKey: "sshKeyHost2", passphraseSecret: "keyPass" }, role: "manager", gone: false, hostKeyChecking: true },
      { name: "by-agent", address: "fd00::3", port: 22, user: "root", advertiseAddress: "10.0.0.3",
        privateKey: { kind: "agent", socketPath: "/run/agent.sock" }, role: "manager", gone: false, hostKeyChecking: true },
    ];
    assert.deepEqual(hosts, expected);
  });

  test("hosts marked gone, and one marked not gone", () => {
    const { hosts } = load("good/gone.yaml");
    assert.deepEqual(hosts.map((h) => [h.name, h.gone]), [["host1", false], ["host2", true], ["host3", false]]);
  });

  test("a role per host, manager by default", () => {
    assert.deepEqual(load("good/roles.yaml").hosts.map((h) => [h.name, h.role]), [
      ["host1", "manager"], ["host2", "worker"], ["host3", "worker"],
    ]);
  });

  test("a pinned host key, and a host without one", () => {
    const [pinned, open] = load("good/host-key.yaml").hosts;
    assert.equal(pinned.hostKey, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb1ZpY1Lb7cQvxK6X8G3bWkB0k1yP8qvQxJcQ9oJ8kR");
    assert.equal(open.hostKey, undefined);
  });

  test("a role under defaults, a host's own role winning", () => {
    assert.deepEqual(load("good/defaults-role.yaml").hosts.map((h) => [h.name, h.role]), [
      ["host1", "manager"], ["host2", "worker"], ["host3", "worker"],
    ]);
  });

  test("a key path starting with ~, expanded to HOME", () => {
    const { hosts } = load("good/home.yaml", { HOME: path.dirname(FAKE_KEY) });
    assert.deepEqual(hosts[0].privateKey, { kind: "path", path: FAKE_KEY });
  });

  test("hosts sharing an address on different SSH ports", () => {
    const { hosts } = load("good/shared-address.yaml");
    assert.deepEqual(hosts.map((h) => [h.address, h.port, h.advertiseAddress]), [
      ["203.0.113.5", 2201, "10.0.0.1"],
      ["203.0.113.5", 2202, "10.0.0.2"],
    ]);
  });

  test("hosts/dev.yaml, with the lab key in place", (t) => {
    const dir = tempDir(t);
    fs.mkdirSync(path.join(dir, "hosts"));
    fs.mkdirSync(path.join(dir, ".lab"));
    fs.copyFileSync(path.join(ROOT, "hosts/dev.yaml"), path.join(dir, "hosts/dev.yaml"));
    fs.copyFileSync(FAKE_KEY, path.join(dir, ".lab/id_ed25519"));
    const { hosts } = loadInventory("hosts/dev.yaml", { cwd: dir, env: {} });
    const privateKey = { kind: "path", path: path.join(dir, ".lab/id_ed25519") };
    assert.deepEqual(hosts, [1, 2, 3].map((n) => ({
      name: `host${n}`, address: `10.231.0.${10 + n}`, port: 22, user: "clipper", advertiseAddress: `10.231.0.${10 + n}`, privateKey, role: "manager", gone: false, hostKeyChecking: true,
    })));
  });
});

test("isIpAddress accepts IPv4 and IPv6, not names", () => {
  assert.equal(isIpAddress("10.231.0.11"), true);
  assert.equal(isIpAddress("fd00::3"), true);
  assert.equal(isIpAddress("10.0.0.300"), false);
  assert.equal(isIpAddress("host1.example.com"), false);
});
