/**
 * The host inventory: which machines form the swarm and how to reach them
 * over SSH. Loading is pure and synchronous (no Pulumi, no network) so that a
 * wrong inventory is reported as FILE:LINE before any resource is planned.
 * The format is described in hosts/README.md.
 */
import { readFileSync, statSync } from "node:fs";
import { isIP } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { Node } from "yaml";
import { Checker, Fields, Value, describe } from "./yaml-fields";

/** A key file on the machine running Pulumi. */
export interface PathKey {
  /** Discriminant. */
  kind: "path";
  /** Absolute path of the private key file (resolved from the inventory's folder, `~` expanded). */
  path: string;
  /** Name of the stack-config secret holding the key's passphrase, when the key is encrypted. */
  passphraseSecret?: string;
}

/** A key stored as a secret in stack config, so real hosts need no key file in the checkout. */
export interface SecretKey {
  /** Discriminant. */
  kind: "secret";
  /** Name of the stack-config secret (namespace clipper-swarm) holding the private key. */
  configKey: string;
  /** Name of the stack-config secret holding the key's passphrase, when the key is encrypted. */
  passphraseSecret?: string;
}

/** Keys held by a running SSH agent. */
export interface AgentKey {
  /** Discriminant. */
  kind: "agent";
  /** The agent's socket, from SSH_AUTH_SOCK at load time. */
  socketPath: string;
}

/** How SSH authenticates to a host. */
export type PrivateKeySource = PathKey | SecretKey | AgentKey;

/** One machine of the swarm, with every default applied. */
export interface HostSpec {
  /** DNS label naming the host; it becomes part of resource names. */
  name: string;
  /** Where SSH connects: IPv4, IPv6 or a DNS host name. */
  address: string;
  /** SSH port. */
  port: number;
  /** SSH login user. */
  user: string;
  /** IP address the swarm node advertises and listens on. */
  advertiseAddress: string;
  /** How SSH authenticates. */
  privateKey: PrivateKeySource;
  /**
   * How the host takes part in the swarm: a manager (the default) joins with
   * the manager token and holds the swarm's state; a worker joins with the
   * worker token. Both run Clipper's containers on the overlay network.
   */
  role: "manager" | "worker";
  /**
   * The host is gone for good (`gone: true`): nothing tries to reach it, its
   * node is removed through a live manager, and what the stack recorded for it
   * is kept untouched, so that it is forgotten without a login once the host
   * leaves the inventory.
   */
  gone: boolean;
  /**
   * The host's SSH public host key, as `ssh-keyscan` prints it (`TYPE BASE64`):
   * every login refuses a host that shows another. Undefined: not pinned.
   */
  hostKey?: string;
}

/** A validated inventory. */
export interface Inventory {
  /** The inventory file, as given to loadInventory (relative paths stay relative). */
  file: string;
  /** The hosts, in file order; never empty. */
  hosts: HostSpec[];
}

/**
 * Orders host names naturally (host2 before host10). Where the stack picks one
 * host or lists them, it goes by name, so that reordering the inventory changes
 * nothing on the hosts or in the outputs.
 */
export function compareHostNames(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

/** A problem in the inventory; the message reads `FILE:LINE: FIELD: problem`. */
export class InventoryError extends Error {
  /** The inventory file, as given. */
  readonly file: string;
  /** 1-based line of the offending node; undefined when the file cannot be read. */
  readonly line: number | undefined;
  /** Path of the offending field (`hosts[1].privateKey.path`); undefined when the whole file is wrong (unreadable, invalid YAML, not a map). */
  readonly field: string | undefined;
  /** The problem alone, without the location prefix. */
  readonly problem: string;

  constructor(file: string, line: number | undefined, field: string | undefined, problem: string) {
    const where = line === undefined ? file : `${file}:${line}`;
    super(field === undefined ? `${where}: ${problem}` : `${where}: ${field}: ${problem}`);
    this.name = "InventoryError";
    this.file = file;
    this.line = line;
    this.field = field;
    this.problem = problem;
  }
}

/** Options of loadInventory; both exist so tests need not touch the real process state. */
export interface LoadOptions {
  /** Folder a relative inventory path is resolved against; default process.cwd(). */
  cwd?: string;
  /** Environment for HOME (`~` in key paths) and SSH_AUTH_SOCK; default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** True for an IPv4 or IPv6 address (not a host name). */
export function isIpAddress(s: string): boolean {
  return isIP(s) !== 0;
}

// Host names become part of Pulumi resource names, hence a single lower-case DNS label.
const HOST_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// Secrets are read from the clipper-swarm namespace, so a ":" would be a mistake.
const CONFIG_KEY = /^[A-Za-z0-9_.-]+$/;

const TOP_FIELDS = ["defaults", "hosts"];
const DEFAULTS_FIELDS = ["user", "port", "privateKey", "role"];
const HOST_FIELDS = ["name", "address", "port", "user", "advertiseAddress", "privateKey", "role", "gone", "hostKey"];
// An OpenSSH public key line: its type, then the key blob in base64, then an optional comment.
const HOST_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,2}( \S.*)?$/;
const KEY_FIELDS = ["path", "secret", "agent", "passphraseSecret"];
const KEY_FORMS = ["path", "secret", "agent"];
const ROLES: readonly HostSpec["role"][] = ["manager", "worker"];

/**
 * Reads and validates an inventory. Throws an InventoryError for the first
 * problem in document order; problems are collected and sorted because some
 * checks (a host's missing key) depend on parts of the file that may come later.
 */
export function loadInventory(file: string, opts: LoadOptions = {}): Inventory {
  const absFile = path.resolve(opts.cwd ?? process.cwd(), file);
  let text: string;
  try {
    text = readFileSync(absFile, "utf8");
  } catch (err) {
    throw new InventoryError(file, undefined, undefined, `cannot read the inventory ${absFile} (${errorCode(err)})`);
  }

  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const syntax = doc.errors[0];
  if (syntax) {
    // The yaml message ends with a snippet of the source; drop it so no file content is echoed.
    const message = syntax.message.replace(/ at line \d+, column \d+:[\s\S]*$/, "");
    throw new InventoryError(file, syntax.linePos?.[0].line ?? 1, undefined, `invalid YAML: ${message}`);
  }
  const top = doc.contents;
  if (!isMap(top)) {
    const line = top?.range ? lines.linePos(top.range[0]).line : 1;
    throw new InventoryError(file, line, undefined, `the top level must be a map with a "hosts" list, not ${describe(top)}`);
  }

  const env = opts.env ?? process.env;
  const check: InventoryChecker = new Checker(lines, {
    dir: path.dirname(absFile),
    home: env.HOME ?? os.homedir(),
    agentSocket: env.SSH_AUTH_SOCK,
  });
  const hosts = readTop(check, new Fields(check, top, "", TOP_FIELDS));
  const first = check.first();
  if (first) throw new InventoryError(file, first.line, first.field, first.problem);
  return { file, hosts };
}

type InventoryChecker = Checker<Context>;

/** What key paths and the agent form depend on outside the file. */
interface Context {
  dir: string;
  home: string;
  agentSocket: string | undefined;
}

interface Defaults {
  user: string;
  port: number;
  privateKey: PrivateKeySource | undefined;
  role: HostSpec["role"];
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
  const names = new Seen(check);
  const endpoints = new Seen(check);
  const advertised = new Seen(check);
  node.items.forEach((item, i) => {
    const at = `hosts[${i}]`;
    if (!isMap(item)) {
      check.add(item as Node, at, `must be a map (name, address, ...), not ${describe(item)}`);
      return;
    }
    const host = readHost(check, new Fields(check, item, at, HOST_FIELDS), defaults);
    // Each field is compared as soon as it is valid, so a duplicate is not
    // hidden by a problem later in the same host.
    if (host.name) names.claim(host.name, host.name.value, at, `"${host.name.value}"`);
    if (host.address && host.port) {
      // Several hosts may sit behind one address on different ports (NAT, port forwarding).
      const { value } = host.address;
      endpoints.claim(host.address, `${value.toLowerCase()}:${host.port}`, at, `"${value}" port ${host.port}`);
    }
    if (host.advertise) {
      const from = host.advertiseImplied ? " (taken from address)" : "";
      advertised.claim(host.advertise, host.advertise.value.toLowerCase(), at, `advertise address "${host.advertise.value}"${from}`);
    }
    if (host.spec) hosts.push(host.spec);
  });
  // Rules about the whole list are judged only when every host was read: a
  // host left out for a problem of its own would make them report the wrong one.
  if (hosts.length < node.items.length) return hosts;
  if (hosts.every((h) => h.gone)) {
    check.add(node, list.field, "every host is marked gone; the swarm needs at least one live host (to take it all down, run pulumi destroy)");
  } else if (!hosts.some((h) => !h.gone && h.role === "manager")) {
    check.add(node, list.field, "no live host is a manager, and a swarm of workers only cannot exist; give at least one live host role: manager");
  }
  return hosts;
}

/** Detects a value used by two hosts, naming where the first one is. */
class Seen {
  private readonly first = new Map<string, { at: string; line: number }>();

  constructor(private readonly check: InventoryChecker) {}

  claim(v: Value<unknown>, key: string, at: string, what: string): void {
    const prior = this.first.get(key);
    if (prior) {
      this.check.add(v.node, v.field, `${what} is already used by ${prior.at} (line ${prior.line})`);
    } else {
      this.first.set(key, { at, line: this.check.line(v.node) });
    }
  }
}

function readDefaults(check: InventoryChecker, top: Fields): Defaults {
  const fallback: Defaults = { user: "root", port: 22, privateKey: undefined, role: "manager", hasKey: false };
  if (!top.has("defaults")) return { ...fallback, hasKey: top.unknown };
  const f = top.fields("defaults", DEFAULTS_FIELDS, `a map (${DEFAULTS_FIELDS.join(", ")})`);
  if (!f) return { ...fallback, hasKey: true };
  return {
    user: f.string("user")?.value ?? fallback.user,
    port: f.port("port")?.value ?? fallback.port,
    privateKey: readKey(check, f),
    role: f.choice("role", ROLES)?.value ?? fallback.role,
    hasKey: f.has("privateKey") || f.unknown,
  };
}

/** A host's valid parts (for duplicate checks) and, when all are valid, its spec. */
interface HostRead {
  spec?: HostSpec;
  name?: Value<string>;
  address?: Value<string>;
  port?: number;
  advertise?: Value<string>;
  advertiseImplied: boolean;
}

/** Reads one host; problems are reported, and the invalid parts left out. */
function readHost(check: InventoryChecker, f: Fields, defaults: Defaults): HostRead {
  const name = valid(check, f.string("name"), (v) => HOST_NAME.test(v),
    (v) => `"${v}" is not a valid name: lower-case letters, digits and "-", at most 63, not starting or ending with "-" (it becomes part of resource names)`);
  if (!f.has("name")) f.missing("name", "every host needs a name (a DNS label such as host1)");

  const address = valid(check, f.string("address"), (v) => isIpAddress(v) || isDnsHostName(v),
    (v) => `"${v}" is not an IP address or DNS host name`);
  if (!f.has("address")) f.missing("address", "every host needs the address SSH connects to (an IP address or DNS host name)");

  const port = f.has("port") ? f.port("port")?.value : defaults.port;
  const user = f.string("user")?.value ?? defaults.user;

  const advertiseImplied = !f.has("advertiseAddress");
  let advertise: Value<string> | undefined;
  if (!advertiseImplied) {
    advertise = valid(check, f.string("advertiseAddress"), isIpAddress,
      (v) => `"${v}" is not an IP address; swarm advertises and listens on an IP, so a host name is not accepted here`);
  } else if (address && isIpAddress(address.value)) {
    advertise = { ...address, field: f.path("advertiseAddress") };
  } else if (address) {
    f.missing("advertiseAddress", `address "${address.value}" is a host name, and swarm advertises and listens on an IP address; give this host's IP`);
  }

  // A broken own key is already reported, so falling back to the default cannot hide it.
  const privateKey = readKey(check, f) ?? defaults.privateKey;
  if (!f.has("privateKey") && !defaults.hasKey) {
    f.missing("privateKey", "give one here or under defaults (path, secret or agent)");
  }

  const role = f.has("role") ? f.choice("role", ROLES)?.value : defaults.role;
  const gone = f.boolean("gone")?.value ?? false;
  const hostKey = f.matching("hostKey", HOST_KEY, (v) =>
    `"${v.slice(0, 40)}${v.length > 40 ? "..." : ""}" is not an SSH public host key line ("ssh-ed25519 AAAA...", as ssh-keyscan -t ed25519 ADDRESS prints it)`,
  )?.value;

  const parts = { name, address, port, advertise, advertiseImplied };
  if (!name || !address || !port || !advertise || !privateKey || !role) return parts;
  const spec = { name: name.value, address: address.value, port, user, advertiseAddress: advertise.value, privateKey, role, gone, ...(hostKey && { hostKey }) };
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
  if (!file) return undefined;
  const abs = path.resolve(check.ctx.dir, expandHome(file.value, check.ctx.home));
  const problem = keyFileProblem(abs);
  if (problem) {
    check.add(file.node, file.field, problem);
    return undefined;
  }
  return { kind: "path", path: abs, ...passphraseSecret };
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

/** Checks a key file exists and looks like a private key; never echoes its contents. */
function keyFileProblem(abs: string): string | undefined {
  let text: string;
  try {
    // A FIFO or device would block or never end; only regular files can hold a key.
    if (!statSync(abs).isFile()) return `${abs} is not a regular file`;
    text = readFileSync(abs, "utf8");
  } catch (err) {
    return `cannot read private key file ${abs} (${errorCode(err)})`;
  }
  return text.includes("PRIVATE KEY-----")
    ? undefined
    : `${abs} is not a private key (no "PRIVATE KEY-----" line; is it the .pub file?)`;
}

function valid(check: InventoryChecker, v: Value<string> | undefined, ok: (s: string) => boolean, problem: (s: string) => string): Value<string> | undefined {
  if (v && !ok(v.value)) {
    check.add(v.node, v.field, problem(v.value));
    return undefined;
  }
  return v;
}

/** RFC 1123 host name; an all-numeric last label is refused so a mistyped IPv4 is not taken for a name. */
function isDnsHostName(s: string): boolean {
  const labels = s.split(".");
  return s.length <= 253 && labels.every((l) => HOST_NAME.test(l.toLowerCase())) && !/^[0-9]+$/.test(labels[labels.length - 1]);
}

function expandHome(p: string, home: string): string {
  return p === "~" || p.startsWith("~/") ? path.join(home, p.slice(1)) : p;
}

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

/** The name of a secret in stack config, without its namespace. */
function configKey(f: Fields, key: string): Value<string> | undefined {
  return f.matching(key, CONFIG_KEY, (v) =>
    `"${v}" is not a stack config key name (letters, digits, "_", "." or "-", without the "clipper-swarm:" namespace)`,
  );
}
