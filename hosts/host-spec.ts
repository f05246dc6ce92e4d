/**
 * What the inventory says of a host, once read and checked: the types every
 * inventory reader gives, whatever the file's format.
 */

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
  /** Whether the host's SSH host key is checked (pin, known_hosts, then the stack's record); false trusts any. */
  hostKeyChecking: boolean;
}
