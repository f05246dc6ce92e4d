// The probe: every check of a host in one SSH session, all hosts at once, and
// each check's result kept apart from the others'.
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { probed, valueOf } from "../support/mocks";
import { scriptsFolder } from "../../components/remote/installed-scripts";
import type { SshSession } from "../../components/remote/ssh-exec";
import { batchScript, parseBatch, probeHost, HostProbe, probeTransport, observationOf, asConfigured } from "../../components/remote/host-probe";

const target = (hostName: string, host: string) => ({ hostName, connection: { host, user: "root" } });

/** A session that runs scripts with this machine's sh, standing for a host. */
const localSh: SshSession = {
  async run(script) {
    const run = spawnSync("sh", ["-s"], { input: script, encoding: "utf8" });
    return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
  },
  close() {},
};

describe("a probe's batch script, run by a real sh", () => {
  it("keeps each check's lines and status apart, even when one exits early or fails", () => {
    const script = batchScript([
      "set -eu\necho 'drop-in is missing'\necho 'docker is not running'",
      "set -eu\nif true; then exit 0; fi\necho unreachable",
      "set -eu\necho 'h: error: docker.service is not installed' >&2; exit 1",
      "set -eu\ncase x in x) : ;; esac",
    ]);
    const run = spawnSync("sh", ["-s"], { input: script, encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(parseBatch(run.stdout), [
      { lines: ["drop-in is missing", "docker is not running"], status: 0 },
      { lines: [], status: 0 },
      { lines: ["h: error: docker.service is not installed"], status: 1 },
      { lines: [], status: 0 },
    ]);
  });
  it("runs the checks at once: the first waits for a file that the second makes", (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "clipper-swarm-batch-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const waitsForSecond = `i=0; until [ -e '${dir}/second' ]; do i=$((i + 1)); [ $i -lt 50 ] || exit 1; sleep 0.1; done; echo saw it`;
    const run = spawnSync("sh", ["-s"], { input: batchScript([waitsForSecond, `touch '${dir}/second'`]), encoding: "utf8" });
    assert.deepEqual(parseBatch(run.stdout), [{ lines: ["saw it"], status: 0 }, { lines: [], status: 0 }]);
  });
});

describe("HostProbe", () => {
  it("logs in once per host, and answers each concern with what its check printed", async () => {
    const logins: string[] = [];
    const mocked = probeTransport.open;
    probeTransport.open = async (login) => {
      logins.push(login.host);
      return localSh;
    };
    try {
      const probe = new HostProbe();
      const a1 = probe.observe(target("a", "10.9.0.1"), "engine endpoint", "echo 'drop-in is missing'; echo 'last-run: r1'");
      const a2 = probe.observe(target("a", "10.9.0.1"), "swarm membership", "echo 'last-run: r2'");
      const b1 = probe.observe(target("b", "10.9.0.2"), "engine endpoint", "true");
      assert.deepEqual(await valueOf(a1), { found: "drop-in is missing", lastRun: "r1" });
      assert.deepEqual(await valueOf(a2), { found: "as configured", lastRun: "r2" });
      assert.deepEqual(await valueOf(b1), { found: "as configured" });
    } finally {
      probeTransport.open = mocked;
    }
    assert.deepEqual(logins.sort(), ["10.9.0.1", "10.9.0.2"]);
    assert.ok(!probed.has("10.9.0.1"));
  });

  /**
   * Has the probe put the scripts on a host that lacks them, with this machine
   * standing for the host and the install only recorded; `dropped`: the
   * probe's session is gone by the time of the install.
   */
  async function putScripts(dropped: boolean) {
    const installs: string[] = [];
    const logins: string[] = [];
    const mocked = probeTransport.open;
    probeTransport.open = async (login) => {
      logins.push(login.host);
      const first = logins.length === 1;
      return {
        async run(script, limitSeconds) {
          if (!script.includes('"$new/SHA256SUMS"')) return localSh.run(script, limitSeconds);
          if (dropped && first) throw new Error("Not connected");
          installs.push(login.host);
          return { code: 0, stdout: `scripts: ${scriptsFolder()}\n@@clipper-swarm-check 0 0\n`, stderr: "" };
        },
        close() {},
      };
    };
    try {
      const probe = new HostProbe();
      let pass!: (value: string) => void;
      probe.holdChangesUntil(pulumi.output(new Promise<string>((resolve) => (pass = resolve))));
      const folder = probe.scripts(target("s", "10.9.0.7"));
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(installs, [], "nothing goes on a host while a check of the cluster may still refuse the run");
      pass("passed");
      assert.equal(await valueOf(folder), scriptsFolder());
      return { installs, logins };
    } finally {
      probeTransport.open = mocked;
    }
  }

  it("puts missing scripts on a host in an update, in the probe's session, once the run's checks have passed", async () => {
    assert.deepEqual(await putScripts(false), { installs: ["10.9.0.7"], logins: ["10.9.0.7"] });
  });

  it("puts them there in a new session where the probe's has dropped", async () => {
    assert.deepEqual(await putScripts(true), { installs: ["10.9.0.7"], logins: ["10.9.0.7", "10.9.0.7"] });
  });

  it("names the host and the concern when a check fails, and the host when it cannot log in", async () => {
    await assert.rejects(
      probeHost("c", Promise.resolve(localSh), [
        { concern: "swarm membership", script: "true" },
        { concern: "engine endpoint", script: "echo 'c: error: systemd is required' >&2; exit 1" },
      ]),
      { message: "c: cannot check the engine endpoint: c: error: systemd is required" },
    );
    const dead = Promise.reject(new Error("cannot log in over SSH to 10.9.0.4:22 after 6 attempt(s): timed out"));
    await assert.rejects(probeHost("d", dead, [{ concern: "engine endpoint", script: "true" }]), {
      message:
        "d: cannot look at the host: cannot log in over SSH to 10.9.0.4:22 after 6 attempt(s): timed out. " +
        "If it is gone for good, take it out of the inventory, or mark it gone: true (hosts/README.md)",
    });
  });
});

describe("observationOf", () => {
  it("keeps the run a host records, and its engine's swarm role, apart from its drift", () => {
    assert.deepEqual(observationOf(["last-run: repair-x"]), { found: asConfigured, lastRun: "repair-x" });
    assert.deepEqual(observationOf([]), { found: asConfigured });
    assert.deepEqual(observationOf(["network n is missing"]), { found: "network n is missing" });
    assert.deepEqual(observationOf(["a is b", "last-run: 9", "c is d"]), { found: "a is b; c is d", lastRun: "9" });
    assert.deepEqual(observationOf(["a is b", "swarm: manager"]), { found: "a is b", swarmRole: "manager" });
    assert.deepEqual(observationOf(["swarm: leader", "a is b"]), { found: "a is b", swarmRole: "leader" });
  });
});
