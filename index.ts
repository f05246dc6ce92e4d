// The repository's stack: the hosts of an inventory file (this stack's format
// or Ansible's) and the stack's settings, handed to ClipperSwarm.
import * as pulumi from "@pulumi/pulumi";
import { ClipperSwarm } from "./components/clipper-swarm";
import { clipperHost } from "./hosts/connection";
import { loadInventory, InventoryError } from "./hosts/inventory";
import { readStackSettings, StackSettingsError } from "./hosts/stack-settings";

const config = new pulumi.Config();

/** The stack's settings and inventory, or one line naming the file, line and field. */
function readInputs() {
  try {
    const settings = readStackSettings(config, pulumi.getStack());
    return { settings, inventory: loadInventory(settings.inventoryFile, { group: settings.inventoryGroup }) };
  } catch (err) {
    if (err instanceof InventoryError || err instanceof StackSettingsError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

const { settings, inventory } = readInputs();
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
  // Required by daemonTls, whose error says how to make them.
  tlsCaKey: config.getSecret("tlsCaKey"),
  tlsClientKey: config.getSecret("tlsClientKey"),
  dockerProviders: true,
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
