// Clipper's multi-host preparation, step by step as the seed procedure does it:
// inventory, daemon endpoints, swarm of managers, overlay network, and what a
// Clipper user needs next.
import * as pulumi from "@pulumi/pulumi";
import { loadInventory, InventoryError, compareHostNames } from "./hosts/inventory";
import { readStackSettings, StackSettingsError } from "./hosts/stack-settings";
import { sshConnection } from "./hosts/connection";
import { HostProbe } from "./components/host-probe";
import { RestartOrder } from "./components/restart-order";
import { DaemonEndpoint, engineUrl, engineTlsFolder, plainTcpWarning } from "./components/daemon-endpoint";
import { EngineCa } from "./components/engine-ca";
import { providerClientFolder } from "./components/engine-client";
import { Swarm } from "./components/swarm";
import { OverlayNetwork } from "./components/overlay-network";
import * as clipperAdmin from "./components/clipper-admin";

const config = new pulumi.Config();

// 1. Inventory: every input is checked before any host is touched.
const { settings, tlsKeys, inventory, testHost } = readInputs();
if (!settings.daemonTls) {
  const addresses = inventory.hosts.filter((h) => !h.gone).map((h) => h.advertiseAddress);
  pulumi.log.warn(plainTcpWarning(settings.bindAddress, addresses, settings.daemonPort));
}

// 2. Observation: each component's audits ask the probe, which looks at every
// host once, all hosts at once, before anything is changed.
const connections = inventory.hosts.map((host) => sshConnection(host, config));
const probe = new HostProbe();

// 3. Endpoints: dockerd on TCP beside its socket, and a Docker provider per
// host; with mutual TLS, through certificates of the stack's CA. A live
// swarm's managers restart one at a time, keeping its quorum.
const engineCa = tlsKeys && new EngineCa({ ...tlsKeys, clientFolder: providerClientFolder(pulumi.getProject(), pulumi.getStack()) });
const tlsFolder = engineCa && engineTlsFolder;
const restartOrder = new RestartOrder();
const endpoints = inventory.hosts.map(
  (host, i) =>
    new DaemonEndpoint(host.name, {
      hostName: host.name,
      connection: connections[i],
      advertiseAddress: host.advertiseAddress,
      bindAddress: settings.bindAddress,
      port: settings.daemonPort,
      probe,
      restartOrder,
      gone: host.gone,
      tls: engineCa,
      sshAddress: host.address,
    }),
);
// Hosts marked `gone: true` are retired: nothing reaches them (see hosts/README.md).
// The others in name order, whatever the inventory's.
const live = inventory.hosts
  .flatMap((host, i) => (host.gone ? [] : [{ host, connection: connections[i], endpoint: endpoints[i] }]))
  .sort((x, y) => compareHostNames(x.host.name, y.host.name));

// 4. Swarm: the first live manager by name initialises it, every other host
// joins in its role.
const swarm = new Swarm(
  "swarm",
  {
    members: inventory.hosts.map((host, i) => ({
      hostName: host.name,
      role: host.role,
      connection: connections[i],
      advertiseAddress: host.advertiseAddress,
      endpointUrl: engineUrl(host.advertiseAddress, settings.daemonPort),
      endpoint: endpoints[i].dropIn,
      gone: host.gone,
    })),
    probe,
    tokenRotation: settings.joinTokenRotation,
    tlsFolder,
  },
);

// 5. Network: the attachable overlay that Clipper's containers share, made
// through a manager.
const [networkHost, ...otherManagers] = live.filter(({ host }) => host.role === "manager");
const network = new OverlayNetwork("overlay", {
  networkName: settings.networkName,
  swarm,
  auditHostName: networkHost.host.name,
  auditConnection: networkHost.connection,
  peerUrls: otherManagers.map(({ host }) => engineUrl(host.advertiseAddress, settings.daemonPort)),
  probe,
  tlsFolder,
  ...(settings.networkEncrypted && { encryptedOn: live.map(({ host, connection }) => ({ hostName: host.name, connection })) }),
});

// 6. Outputs.
/** Each host's engine endpoint, by host name: the `host` of a Docker provider or `docker -H`. */
export const dockerHosts = pulumi.output(Object.fromEntries(live.map(({ host, endpoint }) => [host.name, endpoint.url])));
export const swarmId = swarm.swarmId;
export const nodeIds = swarm.nodeIds;
export const networkId = network.networkId;
export const networkName = network.networkName;
/**
 * With mutual TLS, the certificates a client needs: the CA's and the
 * operator's, whose key is the config's tlsClientKey; null over plain TCP.
 */
export const engineTls = engineCa ? { caCert: engineCa.caCert, clientCert: engineCa.clientCert } : null;
/** The image `npm run verify` and `npm run shell` start. */
export const testImage = settings.testImage;
/** The text of clipper_admin's `host_list` file. */
export const clipperHostList = pulumi
  .all(live.map(({ endpoint }) => endpoint.url))
  .apply((urls) => clipperAdmin.hostList(urls.map((u) => u.replace(/^tcp:\/\//, ""))));
/** The seed's test step on the stack's test host. */
export const testCommand = pulumi
  .all([live.find(({ host }) => host.name === testHost)!.endpoint.url, network.networkName])
  .apply(([url, name]) => clipperAdmin.testCommand(url, name, settings.testImage, settings.daemonTls));

/**
 * With mutual TLS, the keys of the stack's CA and of the operator's client
 * certificate: secrets of the stack's config, which must be set.
 */
function readTlsKeys(daemonTls: boolean) {
  if (!daemonTls) return undefined;
  const key = (name: string) => {
    const value = config.getSecret(name);
    if (value === undefined) {
      throw new StackSettingsError(
        `Pulumi.${pulumi.getStack()}.yaml`,
        `clipper-swarm:${name}`,
        "is not set, and daemonTls: true needs it; make the stack's CA and client keys with: npm run tls -- keys",
      );
    }
    return value;
  };
  return { caKey: key("tlsCaKey"), clientKey: key("tlsClientKey") };
}

function readInputs() {
  try {
    const settings = readStackSettings(config, pulumi.getStack());
    const tlsKeys = readTlsKeys(settings.daemonTls);
    const inventory = loadInventory(settings.inventoryFile, { group: settings.inventoryGroup });
    const names = inventory.hosts.filter((h) => !h.gone).map((h) => h.name).sort(compareHostNames);
    const testHost = settings.testHost ?? names[0];
    if (!names.includes(testHost)) {
      throw new StackSettingsError(
        `Pulumi.${pulumi.getStack()}.yaml`,
        "clipper-swarm:testHost",
        `"${testHost}" is not a live host of ${inventory.file} (${names.join(", ")})`,
      );
    }
    return { settings, tlsKeys, inventory, testHost };
  } catch (err) {
    // One clear line instead of a stack trace: the message names file, line and field.
    if (err instanceof InventoryError || err instanceof StackSettingsError) throw new pulumi.RunError(err.message);
    throw err;
  }
}
