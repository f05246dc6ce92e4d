// The lab's hosts are real Linux machines to the stack: systemd, sshd, a Docker
// engine, each on the Debian release its test clusters need.
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { HostSpec } from "../../hosts/inventory";
import { labHosts, run, ssh } from "../support/cli";
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

describe("lab host names", () => {
  it("every test host's name resolves on this machine to its address, as a real host's DNS name would", () => {
    for (const { host } of hosts.values()) {
      const found = run("getent", ["hosts", `${host.name}.clipper-lab.test`]);
      assert.equal(found.status, 0, `${host.name}.clipper-lab.test does not resolve`);
      assert.equal(found.stdout.split(/\s+/)[0], host.address);
    }
  });

  it("lab/names.sh: up writes the names block once however often it runs, down removes it and nothing else", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "clipper-lab-names-"));
    const file = path.join(dir, "hosts");
    const others = "127.0.0.1 localhost\n10.0.0.1 db.example.test\n";
    writeFileSync(file, others);
    const env = { ...process.env, CLIPPER_LAB_NAMES_FILE: file };
    // The functions lab.sh runs at up and down, with the hosts that exist given.
    const lab = (body: string) =>
      run("bash", ["-c", `set -eu; REPO_ROOT=$PWD; LAB_DIR=$PWD/lab; . lab/common.sh; . lab/names.sh; existing_hosts() { printf 'host4\\nhost10\\n'; }; ${body}`], { env });
    try {
      assert.equal(lab("publish_names; publish_names").status, 0);
      const published = readFileSync(file, "utf8");
      assert.ok(published.startsWith(others), published);
      assert.match(published, /^10\.231\.0\.14 host4\.clipper-lab\.test$/m);
      assert.match(published, /^10\.231\.0\.20 host10\.clipper-lab\.test$/m);
      assert.equal(published.match(/clipper-lab hosts: end/g)?.length, 1, "one block, however often up runs");
      assert.equal(lab("unpublish_names").status, 0);
      assert.equal(readFileSync(file, "utf8"), others);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
