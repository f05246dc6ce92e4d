/**
 * The stack's options, read from Pulumi config (namespace clipper-swarm).
 * Validated here, with the stack file and key in every message, so a typo in
 * Pulumi.<stack>.yaml fails before anything is planned.
 */
import { bindProblem } from "../components/cluster/host-rules";

/** The one method of pulumi.Config used here, so tests need no Pulumi runtime. */
export interface ConfigSource {
  /** The value of a key of the project's namespace, or undefined when unset. */
  get(key: string): string | undefined;
}

/** The stack's options, defaults applied. */
export interface StackSettings {
  /** Inventory file, relative to the project root (config `inventory`). */
  inventoryFile: string;
  /** The group whose hosts form the swarm, when the inventory is Ansible's; undefined: all (config `inventoryGroup`). */
  inventoryGroup?: string;
  /**
   * Engines take only clients with a certificate of the stack's CA (mutual TLS),
   * or any client at all (plain TCP); the operator must choose (config `daemonTls`).
   */
  daemonTls: boolean;
  /** TCP port each host's Docker daemon listens on; undefined: the component's default (config `daemonPort`). */
  daemonPort?: number;
  /** Name of the overlay network Clipper's containers join; undefined: the component's default (config `networkName`). */
  networkName?: string;
  /** Address every daemon binds; undefined: each host binds its advertise address (config `bindAddress`). */
  bindAddress?: string;
  /** Image of the seed's test container; undefined: the component's default (config `testImage`). */
  testImage?: string;
  /** Inventory name of the host the test command targets; undefined: the first host (config `testHost`). */
  testHost?: string;
  /**
   * Any new value rotates the swarm's join tokens on the next `up`; undefined:
   * never rotated (config `joinTokenRotation`).
   */
  joinTokenRotation?: string;
  /** The overlay network encrypts its data traffic with IPsec (config `networkEncrypted`). */
  networkEncrypted: boolean;
  /** The known_hosts file that vouches for hosts' SSH keys; undefined: OpenSSH's (config `knownHosts`). */
  knownHosts?: string;
  /**
   * Give each live host a Docker provider, to place containers there; each
   * starts a Docker plugin process (config `dockerProviders`). Off unless set:
   * the stack places nothing on the hosts.
   */
  dockerProviders: boolean;
}

/** A bad config value; the message reads `Pulumi.STACK.yaml: clipper-swarm:KEY: problem`. */
export class StackSettingsError extends Error {
  /** The stack config file, e.g. Pulumi.dev.yaml. */
  readonly file: string;
  /** The full config key, e.g. clipper-swarm:daemonPort. */
  readonly key: string;

  constructor(file: string, key: string, problem: string) {
    super(`${file}: ${key}: ${problem}`);
    this.name = "StackSettingsError";
    this.file = file;
    this.key = key;
  }
}

const NAMESPACE = "clipper-swarm";
// Docker's own rule for network names.
const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
// Lower-case path components with an optional registry, tag and digest; no spaces or shell characters.
const IMAGE_REFERENCE = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

/** Reads and validates the stack's options; throws StackSettingsError on the first bad value. */
export function readStackSettings(config: ConfigSource, stack: string): StackSettings {
  const fail = (key: string, problem: string): never => {
    throw new StackSettingsError(`Pulumi.${stack}.yaml`, `${NAMESPACE}:${key}`, problem);
  };

  const flag = (key: string, value: string): boolean => {
    if (value !== "true" && value !== "false") fail(key, `"${value}" is not true or false`);
    return value === "true";
  };

  const inventoryFile = config.get("inventory") ?? "hosts/dev.yaml";
  if (inventoryFile.trim() === "") fail("inventory", "must name the inventory file, not be empty");

  const inventoryGroup = config.get("inventoryGroup");
  // Ansible's own rule for group names.
  if (inventoryGroup !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(inventoryGroup)) {
    fail("inventoryGroup", `"${inventoryGroup}" is not an Ansible group name (letters, digits and "_", not starting with a digit)`);
  }

  const tls = config.get("daemonTls");
  const daemonTls =
    tls === undefined
      ? fail(
          "daemonTls",
          "choose how the engines listen on TCP: true for mutual TLS on port 2376, only for clients with the stack's " +
            "certificate; or false for plain TCP on port 2375, which Clipper's admin client speaks today, and which " +
            "gives root on the host to anyone who reaches it. Set one: pulumi config set clipper-swarm:daemonTls true",
        )
      : flag("daemonTls", tls);

  const port = config.get("daemonPort");
  // Number() alone would accept "", " 1", "1e3" and "0x10".
  const daemonPort = port === undefined ? undefined : /^[0-9]+$/.test(port) ? Number(port) : NaN;
  if (daemonPort !== undefined && !(daemonPort >= 1 && daemonPort <= 65535)) fail("daemonPort", `"${port}" is not a port number (1-65535)`);

  const networkName = config.get("networkName");
  if (networkName !== undefined && !NETWORK_NAME.test(networkName)) {
    fail("networkName", `"${networkName}" is not a Docker network name (a letter or digit, then letters, digits, "_", "." or "-")`);
  }

  const bindAddress = config.get("bindAddress");
  const bindMistake = bindAddress === undefined ? undefined : bindProblem(bindAddress);
  if (bindMistake) fail("bindAddress", bindMistake);

  const testImage = config.get("testImage");
  if (testImage !== undefined && !IMAGE_REFERENCE.test(testImage)) fail("testImage", `"${testImage}" is not an image reference`);

  const testHost = config.get("testHost");

  const joinTokenRotation = config.get("joinTokenRotation");
  if (joinTokenRotation !== undefined && joinTokenRotation.trim() === "") {
    fail("joinTokenRotation", "must be a value that changes with each rotation, such as a date, not empty");
  }

  const networkEncrypted = flag("networkEncrypted", config.get("networkEncrypted") ?? "false");
  const dockerProviders = flag("dockerProviders", config.get("dockerProviders") ?? "false");

  const knownHosts = config.get("knownHosts");
  if (knownHosts !== undefined && knownHosts.trim() === "") fail("knownHosts", "must name a known_hosts file, not be empty");

  return {
    inventoryFile,
    daemonTls,
    networkEncrypted,
    dockerProviders,
    ...(daemonPort !== undefined && { daemonPort }),
    ...(networkName !== undefined && { networkName }),
    ...(testImage !== undefined && { testImage }),
    ...(inventoryGroup !== undefined && { inventoryGroup }),
    ...(bindAddress !== undefined && { bindAddress }),
    ...(testHost !== undefined && { testHost }),
    ...(joinTokenRotation !== undefined && { joinTokenRotation }),
    ...(knownHosts !== undefined && { knownHosts }),
  };
}
