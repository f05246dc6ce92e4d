// A cluster made by an earlier version of this program converges under this
// one with no engine restart and no membership change, and previews clean.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { engineAndNode, failureText, labHosts, leftovers, missingPlugins, pulumi, root, ssh } from "../support/cli";
import { labStack, LabStack } from "../support/lab-stack";

/**
 * Earlier versions whose clusters users run: the last one before the drift
 * audit (remote commands only, the join token kept in state), the first
 * audit, which logged in from its provider and took the swarm down host by
 * host, and the last before roles (every host a manager, hosts picked by their
 * place in the inventory).
 */
const earlier = ["b8b29dc", "92563de", "4d99906"];

for (const version of earlier) describe(`upgrade in place from ${version}`, { skip: missingPlugins() }, () => {
  const oldTree = mkdtempSync(path.join(os.tmpdir(), "clipper-swarm-old-"));
  let lab: LabStack;
  before(() => {
    // The old program as a plain tree, sharing this checkout's packages and lab key.
    execFileSync("sh", ["-c", 'git -C "$1" archive "$2" | tar -x -C "$3"', "sh", root, version, oldTree]);
    symlinkSync(path.join(root, "node_modules"), path.join(oldTree, "node_modules"));
    symlinkSync(path.join(root, ".lab"), path.join(oldTree, ".lab"));
    lab = labStack("upgrade", { program: oldTree });
    lab.converge();
  });
  after(() => {
    lab.dispose();
    rmSync(oldTree, { recursive: true, force: true });
  });

  it("converges under this version without restarting an engine or changing a node", () => {
    const made = labHosts().map(engineAndNode);
    const [first] = labHosts();
    const networkId = () => ssh(first, "docker network inspect clipper_network --format '{{.Id}}'").stdout.trim();
    const network = networkId();
    // The same stack and state, now with this checkout's program.
    const now = (args: string[]) => pulumi([...args, "--stack", "upgrade", "--config-file", lab.configFile], { cwd: root, env: lab.stack.env });
    const up = now(["up", "--yes", "--skip-preview"]);
    assert.equal(up.status, 0, failureText(up));
    assert.deepEqual(labHosts().map(engineAndNode), made);
    assert.equal(networkId(), network, "the same network: Clipper's containers stay on it");
    const preview = now(["preview", "--expect-no-changes"]);
    assert.equal(preview.status, 0, failureText(preview));
  });

  it("then destroys to clean hosts", () => {
    const down = lab.cli(["destroy", "--yes", "--skip-preview"]);
    assert.equal(down.status, 0, failureText(down));
    assert.deepEqual(labHosts().flatMap(leftovers), []);
  });
});
