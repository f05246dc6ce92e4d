/**
 * An Ansible inventory in YAML, read as the swarm's inventory: the hosts of one
 * group, each with its variables merged as Ansible merges them, from the file
 * and from the group_vars/ and host_vars/ folders beside it. Connection
 * variables say how to reach a host; variables named clipper_swarm_* say what
 * this stack needs besides (hosts/README.md lists both). A variable that would
 * make Ansible reach a host in a way this stack cannot follow is an error.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isMap, isScalar } from "yaml";
import type { Node, YAMLMap } from "yaml";
import {
  CONFIG_KEY, HOST_KEY, HostClaims, HostRead, ROLES,
  addressProblem, configKeyProblem, advertiseNeeded, advertiseProblem, checkHostList, hostKeyProblem, impliedAdvertise, isIpAddress, keyFile, nameProblem, valid,
} from "./host-checks";
import type { HostSpec, PrivateKeySource } from "./host-spec";
import { InventoryError, YamlFile, parseYamlFile, throwFirstProblem } from "./inventory-files";
import { Checker, Fields, Value, describe, readBoolean, readChoice, readMatching, readPort, readString } from "./yaml-fields";

/** The prefix of this stack's own variables. */
export const VAR_PREFIX = "clipper_swarm_";

/** This stack's own variables, and what each sets (hosts/README.md). */
const OWN_VARS = ["name", "role", "advertise_address", "gone", "host_key", "private_key_passphrase_secret"].map((v) => VAR_PREFIX + v);

/** Connection variables understood, each with the older spelling Ansible still reads. */
const ADDRESS = ["ansible_host", "ansible_ssh_host"];
const PORT = ["ansible_port", "ansible_ssh_port"];
const USER = ["ansible_user", "ansible_ssh_user"];
const KEY_FILE = ["ansible_ssh_private_key_file", "ansible_private_key_file"];

/**
 * Connection variables that change only how long or how often Ansible tries,
 * or how it runs its own modules: the hosts are reached the same way.
 */
const HARMLESS = new Set([
  "ansible_ssh_pipelining", "ansible_pipelining", "ansible_ssh_timeout", "ansible_timeout", "ansible_ssh_retries",
]);

/** Whether to check host keys, as Ansible reads it: the host's variable, then ANSIBLE_HOST_KEY_CHECKING. */
const HOST_KEY_CHECKING = ["ansible_host_key_checking", "ansible_ssh_host_key_checking"];

/**
 * Variables that decide where, as whom, through what or with which secret a
 * host is reached. Any of these not understood here is an error: ignoring it
 * would reach the host some other way than Ansible does.
 */
const CONNECTION = /^ansible_(ssh_|sftp_|scp_|paramiko_|become|sudo|su_|connection$|password$|pass$|private_key|user$|host$|port$|shell_executable$|remote_user$)/;

/** True when the file's top level is Ansible's (groups) rather than this stack's own (defaults, hosts). */
export function isAnsibleInventory(top: Node | null): boolean {
  if (!isMap(top) || top.items.length === 0) return false;
  return top.items.every((pair) => {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    const body = pair.value as Node | null;
    return key !== "hosts" && key !== "defaults" && (body === null || (isScalar(body) && body.value === null) || isMap(body));
  });
}

/** A variable's value, with the file that holds it. */
interface Var {
  v: Value<Node>;
  file: YamlFile;
}

/** A group, gathered from everywhere the inventory mentions it. */
interface Group {
  name: string;
  children: Set<string>;
  /** Its `vars:` maps in the inventory file, in file order. */
  vars: Value<Node>[];
  /** Its hosts, each with its entries (the name's node and the entry's vars, if any). */
  hosts: Map<string, HostEntry[]>;
}

interface HostEntry {
  /** The host's name as a key in the file, where a missing variable is reported. */
  key: Value<string>;
  /** Its variables in this entry. */
  vars: YAMLMap | undefined;
}

/** Reads the hosts of `groupName`; throws an InventoryError for the first problem. */
export function readAnsibleInventory(inventory: YamlFile, groupName: string, env: NodeJS.ProcessEnv): HostSpec[] {
  const groups = readGroups(inventory);
  throwFirstProblem([inventory]);
  if (!groups.has(groupName)) {
    const known = [...groups.keys()].sort().join(", ");
    throw new InventoryError(inventory.name, undefined, undefined, `has no group "${groupName}" (clipper-swarm:inventoryGroup); its groups: ${known}`);
  }
  const depth = groupDepths(groups, inventory);
  throwFirstProblem([inventory]);
  const members = memberships(groups);
  const names = [...(members.get(groupName) ?? [])];
  if (names.length === 0) {
    throw new InventoryError(inventory.name, undefined, undefined, `group "${groupName}" has no hosts; the swarm needs at least one`);
  }

  const varFiles = new VarFiles(inventory);
  const byDepth = (a: string, b: string) => depth(a) - depth(b) || a.localeCompare(b);
  const claims = new HostClaims();
  const hosts: HostSpec[] = [];
  for (const name of names) {
    const inGroups = [...groups.keys()].filter((g) => members.get(g)?.has(name)).sort(byDepth);
    const vars = mergeVars(inventory, groups, varFiles, name, inGroups);
    const host = readHost(inventory, entriesOf(groups, name)[0].key, vars, env);
    claims.claim(host.file.check, host.read, `host "${name}"`, host.file.name);
    if (host.read.spec) hosts.push(host.read.spec);
  }
  if (hosts.length === names.length) {
    const where = groups.get(groupName)?.vars[0] ?? entriesOf(groups, names[0])[0].key;
    checkHostList(inventory.check, where.node, `group ${groupName}`, hosts);
  }
  throwFirstProblem([inventory, ...varFiles.read]);
  return hosts;
}

function entriesOf(groups: Map<string, Group>, host: string): HostEntry[] {
  return [...groups.values()].flatMap((g) => g.hosts.get(host) ?? []);
}

/** Every group the file mentions, `all` included, with what the file says of it. */
function readGroups(file: YamlFile): Map<string, Group> {
  const groups = new Map<string, Group>();
  const group = (name: string): Group => {
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { name, children: new Set(), vars: [], hosts: new Map() }));
    return g;
  };
  const check = file.check;
  const readBody = (name: string, body: Node | null, field: string): void => {
    const g = group(name);
    if (isEmpty(body)) return;
    if (!isMap(body)) {
      check.add(body as Node, field, `must be a map (hosts, vars, children), not ${describe(body)}`);
      return;
    }
    const f = new Fields(check, body, field, ["hosts", "vars", "children"]);
    const hosts = mapOf(file, f, "hosts", "a map of host names");
    for (const pair of hosts?.items ?? []) {
      const key = readString(check, { value: pair.key as Node, node: pair.key as Node, field: `${field}.hosts` });
      if (!key) continue;
      const at = { ...key, field: `${field}.hosts.${key.value}` };
      if (/\[.*:.*\]/.test(key.value)) {
        check.add(key.node, at.field, "is a host range, which this stack does not expand; list each host");
        continue;
      }
      const vars = pair.value as Node | null;
      if (!isEmpty(vars) && !isMap(vars)) {
        check.add(vars as Node, at.field, `must be a map of the host's variables, not ${describe(vars)}`);
        continue;
      }
      const entries = g.hosts.get(key.value) ?? [];
      g.hosts.set(key.value, [...entries, { key: at, vars: isMap(vars) ? vars : undefined }]);
    }
    const vars = mapOf(file, f, "vars", "a map of variables");
    if (vars) g.vars.push({ value: vars, node: vars, field: `${field}.vars` });
    const children = mapOf(file, f, "children", "a map of groups");
    for (const pair of children?.items ?? []) {
      const child = readString(check, { value: pair.key as Node, node: pair.key as Node, field: `${field}.children` });
      if (!child) continue;
      g.children.add(child.value);
      readBody(child.value, pair.value as Node | null, `${field}.children.${child.value}`);
    }
  };
  group("all");
  for (const pair of (file.top as YAMLMap).items) {
    const name = String((pair.key as { value: unknown }).value);
    // Every group at the top is a child of all, as Ansible has it.
    if (name !== "all") group("all").children.add(name);
    readBody(name, pair.value as Node | null, name);
  }
  return groups;
}

/** A nested map, absent or empty as undefined; anything else is reported. */
function mapOf(file: YamlFile, f: Fields, key: string, expected: string): YAMLMap | undefined {
  const v = f.node(key);
  if (!v || isEmpty(v.node)) return undefined;
  if (isMap(v.node)) return v.node;
  file.check.add(v.node, v.field, `must be ${expected}, not ${describe(v.node)}`);
  return undefined;
}

function isEmpty(node: Node | null | undefined): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

/**
 * Each group's depth below all, the order in which Ansible applies group
 * variables (a child's win over its parent's). A group that contains itself is
 * reported.
 */
function groupDepths(groups: Map<string, Group>, file: YamlFile): (name: string) => number {
  const depth = new Map<string, number>();
  const visit = (name: string, d: number, path: string[]): void => {
    if (path.includes(name)) {
      file.check.add(file.top as Node, name, `group "${name}" contains itself (${[...path, name].join(" > ")})`);
      return;
    }
    if ((depth.get(name) ?? -1) >= d) return;
    depth.set(name, d);
    for (const child of groups.get(name)?.children ?? []) visit(child, d + 1, [...path, name]);
  };
  visit("all", 0, []);
  return (name) => depth.get(name) ?? 1;
}

/** The hosts of each group, its children's included, in the order the file first names them. */
function memberships(groups: Map<string, Group>): Map<string, Set<string>> {
  const members = new Map<string, Set<string>>();
  const of = (name: string, seen: Set<string>): Set<string> => {
    const known = members.get(name);
    if (known) return known;
    const g = groups.get(name);
    const found = new Set<string>(g?.hosts.keys() ?? []);
    for (const child of g?.children ?? []) {
      if (seen.has(child)) continue;
      for (const h of of(child, new Set([...seen, child]))) found.add(h);
    }
    members.set(name, found);
    return found;
  };
  for (const name of groups.keys()) of(name, new Set([name]));
  // Hosts in the order the file first names them, whichever group that is in.
  const order = new Map<string, number>();
  for (const g of groups.values()) {
    for (const [host, entries] of g.hosts) {
      const at = entries[0].key.node.range?.[0] ?? 0;
      order.set(host, Math.min(order.get(host) ?? at, at));
    }
  }
  for (const [name, set] of members) members.set(name, new Set([...set].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0))));
  return members;
}

/** The group_vars/ and host_vars/ files beside the inventory, read when first asked for. */
class VarFiles {
  /** Every file read, in the order read. */
  readonly read: YamlFile[] = [];
  private readonly cache = new Map<string, YamlFile[]>();

  constructor(private readonly inventory: YamlFile) {}

  /** The files for `name` in `folder` (group_vars or host_vars): NAME, NAME.yml, NAME.yaml, NAME.json, or every such file under a folder NAME/. */
  of(folder: "group_vars" | "host_vars", name: string): YamlFile[] {
    const key = `${folder}/${name}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const dir = path.join(this.inventory.check.ctx.dir, folder);
    const found = ["", ".yml", ".yaml", ".json"].map((ext) => path.join(dir, name + ext)).filter((p) => existsSync(p));
    const files = found.flatMap((p) => (statSync(p).isDirectory() ? varFilesUnder(p) : [p])).map((p) => this.parse(p));
    this.cache.set(key, files);
    return files;
  }

  private parse(abs: string): YamlFile {
    const name = path.join(path.dirname(this.inventory.name), path.relative(this.inventory.check.ctx.dir, abs));
    const file = parseYamlFile(name, abs, this.inventory.check.ctx, "1.1");
    this.read.push(file);
    if (isScalar(file.top) && typeof file.top.value === "string" && file.top.value.startsWith("$ANSIBLE_VAULT;")) {
      throw new InventoryError(name, 1, undefined, "is encrypted with ansible-vault, which this stack cannot read; keep the variables it needs out of vaulted files");
    }
    if (!isEmpty(file.top) && !isMap(file.top)) {
      throw new InventoryError(name, file.check.line(file.top as Node), undefined, `must be a map of variables, not ${describe(file.top)}`);
    }
    return file;
  }
}

/** Every file with an extension Ansible reads under folder `dir`, sorted, hidden ones left out. */
function varFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith("."))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return varFilesUnder(p);
      return ["", ".yml", ".yaml", ".json"].includes(path.extname(e.name)) ? [p] : [];
    });
}

/**
 * A host's variables, later sources winning, in Ansible's order: the file's
 * group vars (by depth, then name), group_vars/all, group_vars/GROUP (same
 * order), the file's host vars, host_vars/HOST.
 */
function mergeVars(inventory: YamlFile, groups: Map<string, Group>, files: VarFiles, host: string, inGroups: string[]): Map<string, Var> {
  const vars = new Map<string, Var>();
  const add = (file: YamlFile, map: Node | null | undefined, at: string) => {
    if (!isMap(map)) return;
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) continue;
      const node = (pair.value as Node | null) ?? (pair.key as Node);
      vars.set(key, { v: { value: node, node, field: at === "" ? key : `${at}.${key}` }, file });
    }
  };
  const order = ["all", ...inGroups.filter((g) => g !== "all")];
  for (const g of order) for (const v of groups.get(g)?.vars ?? []) add(inventory, v.node, v.field);
  for (const g of order) for (const file of files.of("group_vars", g)) add(file, file.top, "");
  for (const entry of entriesOf(groups, host)) add(inventory, entry.vars, entry.key.field);
  for (const file of files.of("host_vars", host)) add(file, file.top, "");
  return vars;
}

/** Reads one host from its merged variables; problems go to the file that holds the value. */
function readHost(inventory: YamlFile, key: Value<string>, vars: Map<string, Var>, env: NodeJS.ProcessEnv): { read: HostRead; file: YamlFile } {
  for (const [name, { v, file }] of vars) {
    if (name.startsWith(VAR_PREFIX) && !OWN_VARS.includes(name)) {
      file.check.add(v.node, v.field, `unknown variable of this stack; known: ${OWN_VARS.join(", ")}`);
    } else if (CONNECTION.test(name) && !understood(name) && !HARMLESS.has(name)) {
      file.check.add(v.node, v.field, `changes how Ansible reaches the host, which this stack cannot follow; ${remedy(name)}`);
    } else if ((understood(name) || OWN_VARS.includes(name)) && isScalar(v.node) && typeof v.node.value === "string" && v.node.value.includes("{{")) {
      file.check.add(v.node, v.field, "is a Jinja template, which this stack does not evaluate; give the value itself");
    }
  }
  const missing = (field: string, problem: string) => inventory.check.add(key.node, `${key.field}.${field}`, `missing; ${problem}`);

  const nameVar = vars.get(`${VAR_PREFIX}name`);
  const name = valid(nameVar?.file.check ?? inventory.check, nameVar ? readString(nameVar.file.check, nameVar.v) : key,
    (v) => nameProblem(v) && `${nameProblem(v)}${nameVar ? "" : `; give the host a name of that form in ${VAR_PREFIX}name`}`);

  const addressVar = firstVar(vars, ADDRESS);
  const address = valid(addressVar?.file.check ?? inventory.check, addressVar ? readString(addressVar.file.check, addressVar.v) : key, addressProblem);

  const portVar = firstVar(vars, PORT);
  const port = portVar ? readPort(portVar.file.check, portVar.v)?.value : 22;

  const userVar = firstVar(vars, USER);
  const user = userVar ? readString(userVar.file.check, userVar.v)?.value : (env.USER ?? os.userInfo().username);

  const becomeVar = vars.get("ansible_become");
  const become = becomeVar ? readBoolean(becomeVar.file.check, becomeVar.v)?.value : false;
  onlyValue(vars.get("ansible_become_method"), "sudo", "this stack becomes root with sudo -n");
  onlyValue(vars.get("ansible_become_user"), "root", "this stack's steps run as root");
  onlyValue(vars.get("ansible_connection"), "ssh", "this stack reaches hosts over SSH", ["smart", "paramiko"]);
  if (user !== undefined && user !== "root" && become === false) {
    const problem = `user "${user}" is not root, and this stack runs its steps as root through sudo (passwordless); set ansible_become: true`;
    if (becomeVar) becomeVar.file.check.add(becomeVar.v.node, becomeVar.v.field, problem);
    else missing("ansible_become", problem);
  }

  const advertiseVar = vars.get(`${VAR_PREFIX}advertise_address`);
  let advertise: Value<string> | undefined;
  if (advertiseVar) advertise = valid(advertiseVar.file.check, readString(advertiseVar.file.check, advertiseVar.v), advertiseProblem);
  else if (address && isIpAddress(address.value)) advertise = impliedAdvertise(addressVar?.file.check ?? inventory.check, address, address.field);
  else if (address) missing(`${VAR_PREFIX}advertise_address`, advertiseNeeded(address.value));

  const privateKey = readKey(inventory, vars, missing);

  const roleVar = vars.get(`${VAR_PREFIX}role`);
  const role = roleVar ? readChoice(roleVar.file.check, roleVar.v, ROLES)?.value : "manager";
  const goneVar = vars.get(`${VAR_PREFIX}gone`);
  const gone = goneVar ? readBoolean(goneVar.file.check, goneVar.v)?.value : false;
  const hostKeyVar = vars.get(`${VAR_PREFIX}host_key`);
  const hostKey = hostKeyVar && readMatching(hostKeyVar.file.check, hostKeyVar.v, HOST_KEY, hostKeyProblem);
  const checkingVar = firstVar(vars, HOST_KEY_CHECKING);
  const hostKeyChecking = checkingVar
    ? readAnsibleBoolean(checkingVar.file.check, checkingVar.v)
    : (ansibleBoolean(env.ANSIBLE_HOST_KEY_CHECKING ?? "") ?? true);

  // Duplicates are reported in the file that holds the address: the inventory, unless a vars file set it.
  const file = addressVar?.file ?? inventory;
  const read: HostRead = { name, address, port, advertise, advertiseImplied: !advertiseVar };
  if (!name || !address || !port || !user || !advertise || !privateKey || !role || gone === undefined || (hostKeyVar && !hostKey) || hostKeyChecking === undefined) {
    return { read, file };
  }
  const spec: HostSpec = {
    name: name.value, address: address.value, port, user, advertiseAddress: advertise.value, privateKey, role, gone, hostKeyChecking,
    ...(hostKey && { hostKey: hostKey.value }),
  };
  return { read: { ...read, spec }, file };
}

/** A boolean as Ansible reads one: YAML's, or yes, no, true, false, on, off, 1, 0 in any case. */
function readAnsibleBoolean(check: Checker<unknown>, v: Value<Node>): boolean | undefined {
  const raw = isScalar(v.node) ? v.node.value : undefined;
  const value = typeof raw === "boolean" ? raw : ansibleBoolean(String(raw ?? ""));
  if (value === undefined) check.add(v.node, v.field, `must be true or false, not ${typeof raw === "string" ? `"${raw}"` : describe(v.node)}`);
  return value;
}

function ansibleBoolean(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (["yes", "true", "on", "1", "y", "t"].includes(word)) return true;
  if (["no", "false", "off", "0", "n", "f"].includes(word)) return false;
  return undefined;
}

/** The first of `names` that the host has, in that order: a variable, then its older spelling. */
function firstVar(vars: Map<string, Var>, names: string[]): Var | undefined {
  return names.map((n) => vars.get(n)).find((v) => v !== undefined);
}

/** Reports a variable whose value is not `wanted` (or one of `alike`, which mean the same here). */
function onlyValue(v: Var | undefined, wanted: string, why: string, alike: string[] = []): void {
  const s = v && readString(v.file.check, v.v);
  if (v && s && s.value !== wanted && !alike.includes(s.value)) {
    v.file.check.add(v.v.node, v.v.field, `"${s.value}" cannot be followed: ${why}; set ${wanted} or remove it`);
  }
}

function understood(name: string): boolean {
  return [...ADDRESS, ...PORT, ...USER, ...KEY_FILE, ...HOST_KEY_CHECKING, "ansible_become", "ansible_become_method", "ansible_become_user", "ansible_connection"].includes(name);
}

/** What to do instead of a connection variable this stack cannot follow. */
function remedy(name: string): string {
  if (/pass(word)?$/.test(name)) return "this stack logs in with a key (a file or an SSH agent) and needs passwordless sudo";
  if (/args$/.test(name)) return "give the host's address, port, user and key in their own variables, or reach it through a jump host's forwarded port";
  return "remove it, or describe the host in this stack's own inventory format (hosts/README.md)";
}

/** The key from ansible_ssh_private_key_file, else the SSH agent, which is what ssh falls back to. */
function readKey(inventory: YamlFile, vars: Map<string, Var>, missing: (field: string, problem: string) => void): PrivateKeySource | undefined {
  const file = firstVar(vars, KEY_FILE);
  const passphrase = vars.get(`${VAR_PREFIX}private_key_passphrase_secret`);
  const passphraseSecret = passphrase && readMatching(passphrase.file.check, passphrase.v, CONFIG_KEY, configKeyProblem);
  if (file) {
    const given = readString(file.file.check, file.v);
    return given && keyFile(file.file.check, given, passphraseSecret?.value);
  }
  if (passphrase) {
    passphrase.file.check.add(passphrase.v.node, passphrase.v.field, "applies to ansible_ssh_private_key_file, which this host does not set");
    return undefined;
  }
  const socket = inventory.check.ctx.agentSocket;
  if (!socket) {
    missing("ansible_ssh_private_key_file", "give the host's key file, or start an SSH agent holding its key (SSH_AUTH_SOCK is not set)");
    return undefined;
  }
  return { kind: "agent", socketPath: socket };
}
