import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { StackSettingsError, readStackSettings } from "../../stack/settings";
import { isWildcardAddress } from "../../components/cluster/host-rules";

/**
 * A stand-in for pulumi.Config holding the given keys (without namespace), and
 * the choice of plain TCP unless daemonTls is given (undefined: unset).
 */
function config(values: Record<string, string | undefined>) {
  const all: Record<string, string | undefined> = { daemonTls: "false", ...values };
  return { get: (key: string): string | undefined => all[key] };
}

function errorOf(values: Record<string, string | undefined>, stack = "dev"): StackSettingsError {
  try {
    readStackSettings(config(values), stack);
  } catch (err) {
    assert.ok(err instanceof StackSettingsError, `expected a StackSettingsError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected a StackSettingsError, but the settings were accepted");
}

describe("readStackSettings", () => {
  test("leaves every setting but the TLS choice to the component's defaults when unset", () => {
    assert.deepEqual(readStackSettings(config({}), "dev"), {
      inventoryFile: "hosts/dev.yaml",
      daemonTls: false,
      networkEncrypted: false,
      dockerProviders: false,
    });
    assert.equal(readStackSettings(config({ daemonTls: "true" }), "dev").daemonPort, undefined, "the component's default, for the mode");
  });

  test("the TLS choice unset offers both values; anything else than true or false is refused", () => {
    const unset = errorOf({ daemonTls: undefined }).message;
    assert.match(unset, /^Pulumi\.dev\.yaml: clipper-swarm:daemonTls: choose how the engines listen on TCP: true for mutual TLS on port 2376/);
    assert.match(unset, /false for plain TCP on port 2375, which Clipper's admin client speaks today/);
    assert.equal(errorOf({ daemonTls: "yes" }).message, 'Pulumi.dev.yaml: clipper-swarm:daemonTls: "yes" is not true or false');
  });

  test("values that are set", () => {
    const values = {
      inventory: "hosts/prod.yaml",
      inventoryGroup: "swarm_managers",
      daemonTls: "true",
      daemonPort: "2377",
      networkName: "clipper.net-2",
      bindAddress: "10.0.0.1",
      testImage: "registry.local:5000/clipper/query_frontend:0.4@sha256:" + "a".repeat(64),
      testHost: "host2",
      joinTokenRotation: "2026-11-26",
      networkEncrypted: "true",
      dockerProviders: "true",
    };
    assert.deepEqual(readStackSettings(config(values), "prod"), {
      inventoryFile: "hosts/prod.yaml",
      inventoryGroup: "swarm_managers",
      daemonTls: true,
      daemonPort: 2377,
      networkName: "clipper.net-2",
      bindAddress: "10.0.0.1",
      testImage: values.testImage,
      testHost: "host2",
      joinTokenRotation: "2026-11-26",
      networkEncrypted: true,
      dockerProviders: true,
    });
  });

  test("a rotation without a value, and encryption or Docker providers neither true nor false", () => {
    assert.equal(
      errorOf({ joinTokenRotation: " " }).message,
      "Pulumi.dev.yaml: clipper-swarm:joinTokenRotation: must be a value that changes with each rotation, such as a date, not empty",
    );
    assert.equal(errorOf({ networkEncrypted: "yes" }).message, 'Pulumi.dev.yaml: clipper-swarm:networkEncrypted: "yes" is not true or false');
    assert.equal(errorOf({ dockerProviders: "off" }).message, 'Pulumi.dev.yaml: clipper-swarm:dockerProviders: "off" is not true or false');
  });

  test("an image reference that a shell would split", () => {
    assert.equal(
      errorOf({ testImage: "busybox; rm -rf /" }).message,
      'Pulumi.dev.yaml: clipper-swarm:testImage: "busybox; rm -rf /" is not an image reference',
    );
  });

  test("wildcard and IPv6 bind addresses", () => {
    assert.equal(readStackSettings(config({ bindAddress: "0.0.0.0" }), "dev").bindAddress, "0.0.0.0");
    assert.equal(readStackSettings(config({ bindAddress: "::" }), "dev").bindAddress, "::");
  });

  test("an error names the stack's config file and the full key", () => {
    const err = errorOf({ daemonPort: "abc" });
    assert.equal(err.message, 'Pulumi.dev.yaml: clipper-swarm:daemonPort: "abc" is not a port number (1-65535)');
    assert.equal(err.file, "Pulumi.dev.yaml");
    assert.equal(err.key, "clipper-swarm:daemonPort");
    assert.equal(errorOf({ daemonPort: "abc" }, "prod").file, "Pulumi.prod.yaml");
  });

  for (const port of ["0", "65536", "22.5", "1e3", " 2375", "-1", ""]) {
    test(`daemonPort ${JSON.stringify(port)} is refused`, () => {
      assert.equal(errorOf({ daemonPort: port }).message, `Pulumi.dev.yaml: clipper-swarm:daemonPort: "${port}" is not a port number (1-65535)`);
    });
  }

  for (const name of ["_clipper", "-net", "clipper network", "net/1", ""]) {
    test(`networkName ${JSON.stringify(name)} is refused`, () => {
      assert.match(errorOf({ networkName: name }).message, new RegExp(`^Pulumi\\.dev\\.yaml: clipper-swarm:networkName: ".*" is not a Docker network name`));
    });
  }

  for (const addr of ["localhost", "10.0.0.300", "*", ""]) {
    test(`bindAddress ${JSON.stringify(addr)} is refused`, () => {
      assert.match(errorOf({ bindAddress: addr }).message, /^Pulumi\.dev\.yaml: clipper-swarm:bindAddress: ".*" is not an IP address/);
    });
  }

  test("bindAddress with a zone ID is refused: systemd takes % for a specifier", () => {
    assert.match(errorOf({ bindAddress: "fe80::1%eth0" }).message, /^Pulumi\.dev\.yaml: clipper-swarm:bindAddress: "fe80::1%eth0" has a zone ID/);
  });

  for (const group of ["1st", "web-servers", "all:children", ""]) {
    test(`inventoryGroup ${JSON.stringify(group)} is refused`, () => {
      assert.match(errorOf({ inventoryGroup: group }).message, /^Pulumi\.dev\.yaml: clipper-swarm:inventoryGroup: ".*" is not an Ansible group name/);
    });
  }

  test("an empty inventory path is refused", () => {
    assert.match(errorOf({ inventory: "" }).message, /^Pulumi\.dev\.yaml: clipper-swarm:inventory: must name the inventory file/);
  });
});

test("isWildcardAddress detects every-interface addresses only", () => {
  for (const addr of ["0.0.0.0", "::", "::0", "0:0:0:0:0:0:0:0"]) assert.equal(isWildcardAddress(addr), true, addr);
  for (const addr of ["127.0.0.1", "10.231.0.11", "::1", "fd00::", "0", "localhost", ""]) assert.equal(isWildcardAddress(addr), false, addr);
});
