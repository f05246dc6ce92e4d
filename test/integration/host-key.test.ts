// Pinned SSH host keys: the stack logs in only to hosts that show the key the
// inventory pins, and stops, naming the host, at one that shows another.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { engineAndNode, failureText, labHosts, missingPlugins, run } from "../support/cli";
import { labStack } from "../support/lab-stack";
import type { HostSpec } from "../../hosts/inventory";

describe("pinned SSH host keys", { skip: missingPlugins() }, () => {
  const lab = labStack("host-key");
  const hosts = labHosts();
  /** The host's ed25519 key line, as ssh-keyscan shows it, without the address in front. */
  const keyOf = (h: HostSpec) => {
    const scan = run("ssh-keyscan", ["-t", "ed25519", "-p", String(h.port), h.address]);
    const line = scan.stdout.split("\n").find((l) => l.includes(" ssh-ed25519 "));
    assert.ok(line, `ssh-keyscan found no ed25519 key on ${h.name}: ${scan.stderr}`);
    return line.slice(line.indexOf(" ") + 1);
  };
  /** The tests' inventory with each host pinned to the key of `pinOf(host)`. */
  const pin = (name: string, pinOf: (h: HostSpec) => HostSpec) =>
    lab.inventory(name, (t) =>
      t.replace(/hosts:\n[\s\S]*$/, `hosts:\n${hosts.map((h) => `  - name: ${h.name}\n    address: ${h.address}\n    hostKey: ${keyOf(pinOf(h))}\n`).join("")}`),
    );

  before(() => {
    pin("pinned", (h) => h);
    lab.converge();
  });
  after(() => {
    pin("pinned", (h) => h);
    lab.dispose();
  });

  it("logs in where each host shows its pinned key, and previews clean", () => {
    const preview = lab.cli(["preview", "--expect-no-changes"]);
    assert.equal(preview.status, 0, failureText(preview));
  });

  it("stops at a host that shows another key, naming it, before anything changes", () => {
    const [first, second] = hosts;
    const untouched = hosts.map(engineAndNode);
    pin("swapped", (h) => (h === first ? second : h));
    const start = Date.now();
    const refused = lab.cli(["up", "--yes", "--skip-preview"]);
    assert.notEqual(refused.status, 0);
    assert.match(
      refused.stdout + refused.stderr,
      new RegExp(`${first.name}: cannot look at the host: ${first.address.replace(/\./g, "\\.")}:22 shows another SSH host key than the inventory's hostKey \\(SHA256:[A-Za-z0-9+/]+\\)`),
    );
    assert.ok(Date.now() - start < 30_000, "a wrong key is not retried like a host that does not answer");
    assert.deepEqual(hosts.map(engineAndNode), untouched);
  });
});
