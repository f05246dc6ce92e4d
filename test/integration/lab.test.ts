// The lab's hosts are real Linux machines to the stack: systemd, sshd, a Docker
// engine, each on the Debian release its test clusters need.
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import type { HostSpec } from "../../hosts/inventory";
import { labHosts, ssh } from "../support/cli";
import { debianOf, labClusters } from "../support/lab-clusters";

/** Every host of the test clusters, once, with the release it must run. */
const hosts = new Map<string, { host: HostSpec; debian: string }>();
for (const cluster of labClusters) {
  for (const host of labHosts(cluster.inventory)) hosts.set(host.name, { host, debian: cluster.debian[host.name] });
}

describe("lab hosts", () => {
  for (const { host, debian } of hosts.values()) {
    it(`${host.name} (${host.address}) runs Debian ${debian}, systemd and a Docker engine, reached over SSH`, () => {
      assert.equal(debianOf(host), debian);
      const state = ssh(host, "systemctl is-system-running");
      assert.equal(state.stdout.trim(), "running", state.stderr);
      const info = ssh(host, "docker info --format '{{.ServerVersion}} {{.Swarm.LocalNodeState}}'");
      assert.equal(info.status, 0, info.stderr);
      assert.match(info.stdout, /^\d+\.\d+\.\d+\S* \w+/);
      const probe = ssh(host, "docker image inspect --format ok clipper-lab/probe:latest");
      assert.equal(probe.stdout.trim(), "ok", "the probe image is loaded: " + probe.stderr);
    });
  }
});
