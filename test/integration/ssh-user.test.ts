// Least-privilege SSH: the stack logs in as the lab's unprivileged user and
// becomes root through passwordless sudo, on hosts that refuse root logins;
// a user without sudo stops the run at its first look, naming the host.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { failureText, labHosts, leftovers, missingPlugins, run, ssh, sshAs } from "../support/cli";
import { labStack } from "../support/lab-stack";

const noRootLogin = "/etc/ssh/sshd_config.d/00-clipper-test-no-root.conf";

describe("least-privilege SSH", { skip: missingPlugins() }, () => {
  const lab = labStack("ssh-user");
  const hosts = labHosts();

  before(() => {
    for (const h of hosts) {
      assert.equal(ssh(h, `printf 'PermitRootLogin no\\n' >${noRootLogin} && systemctl reload ssh`).status, 0);
      assert.notEqual(sshAs(h, "root", "true").status, 0, `${h.name} refuses root`);
    }
  });
  after(() => {
    lab.dispose();
    for (const h of hosts) ssh(h, `rm -f ${noRootLogin} && systemctl reload ssh`);
  });

  it("a login without passwordless sudo stops preview and up before anything changes, naming the host and the fix", () => {
    lab.inventory("nosudo", (t) => t.replace("user: clipper", "user: nosudo"));
    for (const command of [["preview"], ["up", "--yes", "--skip-preview"]]) {
      const refused = lab.cli(command);
      assert.notEqual(refused.status, 0);
      assert.match(
        refused.stdout + refused.stderr,
        /error: host\d+: cannot run the checks: nosudo cannot become root without a password \(sudo: a password is required\); give it passwordless sudo \(a line "nosudo ALL=\(ALL\) NOPASSWD:ALL" in \/etc\/sudoers.d\/clipper-swarm\), or log in as root/,
      );
    }
    assert.deepEqual(hosts.flatMap(leftovers), []);
  });

  it("converges, audits and destroys as a user with sudo, where root cannot log in", () => {
    lab.inventory("clipper", (t) => t);
    const up = lab.converge();
    assert.match(up.stdout + up.stderr, /docker answers on tcp:/);
    const preview = lab.cli(["preview", "--expect-no-changes"]);
    assert.equal(preview.status, 0, failureText(preview));
    const verify = run("node", ["build/bin/verify.js"], { env: { ...lab.stack.env, PULUMI_STACK: "ssh-user" } });
    assert.equal(verify.status, 0, failureText(verify));
    const down = lab.cli(["destroy", "--yes", "--skip-preview"]);
    assert.equal(down.status, 0, failureText(down));
    assert.deepEqual(hosts.flatMap(leftovers), []);
  });
});
