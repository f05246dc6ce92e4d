// The repository's stack: the hosts of an inventory file (this stack's format
// or Ansible's) and the stack's settings, handed to ClipperSwarm.
import * as pulumi from "@pulumi/pulumi";
import { ClipperSwarm } from "./components/clipper-swarm";
import { planCluster, PlanError } from "./components/cluster/cluster-plan";
import { clipperHost } from "./stack/connection";
import { loadInventory, InventoryError } from "./hosts/inventory";
import { readStackSettings, StackSettingsError } from "./stack/settings";

const config = new pulumi.Config();

/** The stack's settings, inventory and TLS keys, or one line naming the file, line and field. */
function readInputs() {
  const file = `Pulumi.${pulumi.getStack()}.yaml`;
  try {
    const settings = readStackSettings(config, pulumi.getStack());
    const inventory = loadInventory(settings.inventoryFile, { group: settings.inventoryGroup });
    try {
      planCluster(inventory.hosts, settings.testHost);
    } catch (err) {
      if (err instanceof PlanError) throw new StackSettingsError(file, `clipper-swarm:${err.field}`, `${err.problem}, in ${inventory.file}`);
      throw err;
    }
    const secret = (key: string) => {
      const value = config.getSecret(key);
      if (value === undefined) throw new StackSettingsError(file, `clipper-swarm:${key}`, "is not set, and daemonTls: true needs it; make the stack's CA and client keys with: npm run tls -- keys");
      return value;
    };
    const tls = settings.daemonTls && {
      tlsCaKey: secret("tlsCaKey"),
      tlsClientKey: secret("tlsClientKey"),
      // Set only while the CA is replaced (npm run tls -- rotate).
      tlsNextCaKey: config.getSecret("tlsNextCaKey"),
      tlsPreviousCaKey: config.getSecret("tlsPreviousCaKey"),
    };
    return { settings, inventory, tls: tls || {} };
  } catch (err) {
    if (err instanceof InventoryError || err instanceof StackSettingsError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

const { settings, inventory, tls } = readInputs();
const cluster = new ClipperSwarm("cluster", {
  hosts: inventory.hosts.map((host) => clipperHost(host, config)),
  daemonTls: settings.daemonTls,
  daemonPort: settings.daemonPort,
  bindAddress: settings.bindAddress,
  networkName: settings.networkName,
  networkEncrypted: settings.networkEncrypted,
  testImage: settings.testImage,
  testHost: settings.testHost,
  joinTokenRotation: settings.joinTokenRotation,
  ...tls,
  ...(settings.knownHosts !== undefined && { knownHostsFiles: [settings.knownHosts] }),
  dockerProviders: settings.dockerProviders,
  // With TLS, npm run verify, shell and tls -- client read them.
  clientFiles: settings.daemonTls,
});

export const dockerHosts = cluster.dockerHosts;
export const swarmId = cluster.swarmId;
export const nodeIds = cluster.nodeIds;
export const networkId = cluster.networkId;
export const networkName = cluster.networkName;
export const clipperHostList = cluster.clipperHostList;
export const testCommand = cluster.testCommand;
export const testImage = cluster.testImage;
export const engineTls = cluster.engineTls ?? null;
