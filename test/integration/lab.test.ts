// The lab's hosts are real Linux machines to the stack: systemd, sshd, a Docker engine.
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { labHosts, ssh } from "../support/cli";

describe("lab hosts", () => {
  for (const host of labHosts()) {
    it(`${host.name} (${host.address}) runs systemd and a Docker engine, reached over SSH`, () => {
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
