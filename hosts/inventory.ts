/**
 * The host inventory: which machines form the swarm and how to reach them
 * over SSH. Loading is pure and synchronous (no Pulumi, no network) so that a
 * wrong inventory is reported as FILE:LINE before any resource is planned.
 * The format is described in hosts/README.md.
 */
import * as os from "node:os";
import * as path from "node:path";
import { isMap, isScalar, isSeq } from "yaml";
import type { Node } from "yaml";
import { isAnsibleInventory, readAnsibleInventory } from "./ansible-inventory";
import { InventoryError, parseYamlFile, throwFirstProblem } from "./inventory-files";
import { Fields, Value, describe } from "./yaml-fields";
import {
  CONFIG_KEY, HOST_KEY, HostClaims, HostRead, InventoryChecker, ROLES,
  addressProblem, advertiseNeeded, advertiseProblem, checkHostList, configKeyProblem, hostKeyProblem, impliedAdvertise, isIpAddress, keyFile, nameProblem, valid,
} from "./host-checks";
import type { AgentKey, HostSpec, PrivateKeySource } from "./host-spec";

export type { AgentKey, HostSpec, PathKey, PrivateKeySource, SecretKey } from "./host-spec";

/** A validated inventory. */
export interface Inventory {
  /** The inventory file, as given to loadInventory (relative paths stay relative). */
  file: string;
  /** The hosts, in file order; never empty. */
  hosts: HostSpec[];
}

/** Options of loadInventory; both exist so tests need not touch the real process state. */
export interface LoadOptions {
  /** Folder a relative inventory path is resolved against; default process.cwd(). */
  cwd?: string;
  /** Environment for HOME (`~` in key paths), SSH_AUTH_SOCK and USER; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The group whose hosts form the swarm, when the file is an Ansible inventory; default all. */
  group?: string;
}

const TOP_FIELDS = ["defaults", "hosts"];
const DEFAULTS_FIELDS = ["user", "port", "privateKey", "role", "hostKeyChecking"];
const HOST_FIELDS = ["name", "address", "port", "user", "advertiseAddress", "privateKey", "role", "gone", "hostKey", "hostKeyChecking"];
const KEY_FIELDS = ["path", "secret", "agent", "passphraseSecret"];
const KEY_FORMS = ["path", "secret", "agent"];

export { InventoryError };

/**
 * Reads and validates an inventory, in this stack's own format or Ansible's
 * (hosts/README.md has both). Throws an InventoryError for the first
 * problem in document order; problems are collected and sorted because some
 * checks (a host's missing key) depend on parts of the file that may come later.
 */
export function loadInventory(file: string, opts: LoadOptions = {}): Inventory {
  const absFile = path.resolve(opts.cwd ?? process.cwd(), file);
  const env = opts.env ?? process.env;
  const ctx = { dir: path.dirname(absFile), home: env.HOME ?? os.homedir(), agentSocket: env.SSH_AUTH_SOCK };
  const native = parseYamlFile(file, absFile, ctx, "1.2");
  const top = native.top;
  if (isAnsibleInventory(top)) {
    // Ansible reads YAML 1.1, where yes and no are booleans.
    return { file, hosts: readAnsibleInventory(parseYamlFile(file, absFile, ctx, "1.1"), opts.group ?? "all", env) };
  }
  if (opts.group !== undefined) {
    throw new InventoryError(file, undefined, undefined, `is not an Ansible inventory, so it has no groups to choose from; unset clipper-swarm:inventoryGroup`);
  }
  const { check } = native;
  if (!isMap(top)) {
    const line = top ? check.line(top) : 1;
    throw new InventoryError(file, line, undefined, `the top level must be a map with a "hosts" list, not ${describe(top)}`);
  }
  const hosts = readTop(check, new Fields(check, top, "", TOP_FIELDS));
  throwFirstProblem([native]);
  return { file, hosts };
}

interface Defaults {
  user: string;
  port: number;
  privateKey: PrivateKeySource | undefined;
  role: HostSpec["role"];
  hostKeyChecking: boolean;
  /**
   * Whether hosts may omit privateKey. Also true when the default key is
   * broken or may be misspelt: that is reported once, at defaults, rather
   * than as a missing key on every host.
   */
  hasKey: boolean;
}

function readTop(check: InventoryChecker, top: Fields): HostSpec[] {
  const defaults = readDefaults(check, top);
  const list = top.node("hosts");
  if (!list) {
    top.missing("hosts", 'list the swarm\'s machines under "hosts:"');
    return [];
  }
  const node = list.node;
  if ((isScalar(node) && node.value === null) || (isSeq(node) && node.items.length === 0)) {
    check.add(node, list.field, "no hosts; the swarm needs at least one");
    return [];
  }
  if (!isSeq(node)) {
    check.add(node, list.field, `must be a list of hosts, not ${describe(node)}`);
    return [];
  }

  const hosts: HostSpec[] = [];
  const claims = new HostClaims();
  node.items.forEach((item, i) => {
    const at = `hosts[${i}]`;
    if (!isMap(item)) {
      check.add(item as Node, at, `must be a map (name, address, ...), not ${describe(item)}`);
      return;
    }
    const host = readHost(check, new Fields(check, item, at, HOST_FIELDS), defaults);
    claims.claim(check, host, at);
    if (host.spec) hosts.push(host.spec);
  });
  // Rules about the whole list are judged only when every host was read: a
  // host left out for a problem of its own would make them report the wrong one.
  if (hosts.length === node.items.length) checkHostList(check, node, list.field, hosts);
  return hosts;
}

function readDefaults(check: InventoryChecker, top: Fields): Defaults {
  const fallback: Defaults = { user: "root", port: 22, privateKey: undefined, role: "manager", hostKeyChecking: true, hasKey: false };
  if (!top.has("defaults")) return { ...fallback, hasKey: top.unknown };
  const f = top.fields("defaults", DEFAULTS_FIELDS, `a map (${DEFAULTS_FIELDS.join(", ")})`);
  if (!f) return { ...fallback, hasKey: true };
  return {
    user: f.string("user")?.value ?? fallback.user,
    port: f.port("port")?.value ?? fallback.port,
    privateKey: readKey(check, f),
    role: f.choice("role", ROLES)?.value ?? fallback.role,
    hostKeyChecking: f.boolean("hostKeyChecking")?.value ?? fallback.hostKeyChecking,
    hasKey: f.has("privateKey") || f.unknown,
  };
}

/** Reads one host; problems are reported, and the invalid parts left out. */
function readHost(check: InventoryChecker, f: Fields, defaults: Defaults): HostRead {
  const name = valid(check, f.string("name"), nameProblem);
  if (!f.has("name")) f.missing("name", "every host needs a name (a DNS label such as host1)");

  const address = valid(check, f.string("address"), addressProblem);
  if (!f.has("address")) f.missing("address", "every host needs the address SSH connects to (an IP address or DNS host name)");

  const port = f.has("port") ? f.port("port")?.value : defaults.port;
  const user = f.string("user")?.value ?? defaults.user;

  const advertiseImplied = !f.has("advertiseAddress");
  let advertise: Value<string> | undefined;
  if (!advertiseImplied) {
    advertise = valid(check, f.string("advertiseAddress"), advertiseProblem);
  } else if (address && isIpAddress(address.value)) {
    advertise = impliedAdvertise(check, address, f.path("advertiseAddress"));
  } else if (address) {
    f.missing("advertiseAddress", advertiseNeeded(address.value));
  }

  // A broken own key is already reported, so falling back to the default cannot hide it.
  const privateKey = readKey(check, f) ?? defaults.privateKey;
  if (!f.has("privateKey") && !defaults.hasKey) {
    f.missing("privateKey", "give one here or under defaults (path, secret or agent)");
  }

  const role = f.has("role") ? f.choice("role", ROLES)?.value : defaults.role;
  const gone = f.boolean("gone")?.value ?? false;
  const hostKey = f.matching("hostKey", HOST_KEY, hostKeyProblem)?.value;
  const hostKeyChecking = f.boolean("hostKeyChecking")?.value ?? defaults.hostKeyChecking;

  const parts = { name, address, port, advertise, advertiseImplied };
  if (!name || !address || !port || !advertise || !privateKey || !role) return parts;
  const spec = {
    name: name.value, address: address.value, port, user, advertiseAddress: advertise.value, privateKey, role, gone, hostKeyChecking,
    ...(hostKey && { hostKey }),
  };
  return { ...parts, spec };
}

/** Reads the `privateKey` field of a host or of defaults; undefined when absent or invalid. */
function readKey(check: InventoryChecker, parent: Fields): PrivateKeySource | undefined {
  const f = parent.fields("privateKey", KEY_FIELDS, "a map with one of path, secret or agent");
  if (!f) return undefined;
  const forms = KEY_FORMS.flatMap((form) => {
    const v = f.node(form);
    return v ? [{ form, v }] : [];
  });
  if (forms.length !== 1) {
    const found = forms.length === 0 ? "none" : forms.map((x) => x.form).join(" and ");
    check.add(f.map, parent.path("privateKey"), `give exactly one of path, secret or agent (found ${found})`);
    return undefined;
  }
  const [{ form, v: chosen }] = forms;
  if (form === "agent") return readAgent(check, f, chosen);

  const passphrase = configKey(f, "passphraseSecret");
  const passphraseSecret = passphrase && { passphraseSecret: passphrase.value };
  if (form === "secret") {
    const secret = configKey(f, "secret");
    return secret && { kind: "secret", configKey: secret.value, ...passphraseSecret };
  }
  const file = f.string("path");
  return file && keyFile(check, file, passphrase?.value);
}

function readAgent(check: InventoryChecker, f: Fields, agent: Value<Node>): AgentKey | undefined {
  if (!(isScalar(agent.node) && agent.node.value === true)) {
    check.add(agent.node, agent.field, `must be true, not ${describe(agent.node)} (to not use the agent, give path or secret instead)`);
    return undefined;
  }
  const passphrase = f.node("passphraseSecret");
  if (passphrase) {
    check.add(passphrase.node, passphrase.field, "does not apply to agent: the agent holds keys already unlocked");
    return undefined;
  }
  if (!check.ctx.agentSocket) {
    check.add(agent.node, agent.field, "SSH_AUTH_SOCK is not set; start an agent and add the key (ssh-add), or give path or secret instead");
    return undefined;
  }
  return { kind: "agent", socketPath: check.ctx.agentSocket };
}

/** The name of a secret in stack config, without its namespace. */
function configKey(f: Fields, key: string): Value<string> | undefined {
  return f.matching(key, CONFIG_KEY, configKeyProblem);
}
