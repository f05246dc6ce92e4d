// An upgrade from the last release (its commit is named in CHANGELOG.md):
// a cluster that the release made converges under this code with no engine
// restart and no change of swarm membership, and the preview after it is clean.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { engineAndNode, failureText, labHosts, missingPlugins, pulumi, root, run, ssh } from "../support/cli";
import { labStack } from "../support/lab-stack";
import type { HostSpec } from "../../hosts/inventory";

/** The last release's commit, as CHANGELOG.md names it, where this clone has it. */
function lastRelease(): { version: string; commit: string } | undefined {
  const entry = /^## (\d+\.\d+\.\d+)[^\n]*\n[\s\S]*?\b([0-9a-f]{40})\b/m.exec(readFileSync(path.join(root, "CHANGELOG.md"), "utf8"));
  if (!entry) return undefined;
  const [, version, commit] = entry;
  return run("git", ["cat-file", "-e", `${commit}^{commit}`]).status === 0 ? { version, commit } : undefined;
}

const release = lastRelease();
const skip = missingPlugins() ?? (release ? false : "the last release's commit, named in CHANGELOG.md, is not in this clone (a shallow clone?)");

describe(`an upgrade from release ${release?.version ?? "(none)"}`, { skip }, () => {
  const lab = labStack("upgrade");
  const hosts = labHosts();
  const [a, b, c] = hosts;
  const releaseTree = path.join(mkdtempSync(path.join(os.tmpdir(), "clipper-swarm-release-")), "tree");
  /** `pulumi ARGS` on the test's stack, with the release's program. */
  const releaseCli = (args: string[]) => pulumi([...args, "--stack", "upgrade", "--config-file", lab.configFile], { cwd: releaseTree, env: lab.stack.env });
  /** When each engine started and its node, the swarm's nodes as a manager lists them, and the network. */
  const cluster = (h: HostSpec[]) => ({
    engines: h.map(engineAndNode),
    nodes: ssh(a, "docker node ls --format '{{.ID}} {{.Hostname}} {{.Status}} {{if .ManagerStatus}}manager{{else}}worker{{end}}' | sort").stdout,
    network: ssh(a, "docker network inspect clipper_network --format '{{.Id}}'").stdout,
  });

  before(() => {
    const added = run("git", ["worktree", "add", "--detach", releaseTree, release!.commit]);
    assert.equal(added.status, 0, added.stderr);
    const installed = run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: releaseTree });
    assert.equal(installed.status, 0, installed.stderr);
    // Two managers and a worker: the release's joins, admissions and labels all run.
    lab.inventory("mixed", (t) =>
      t.replace(/hosts:\n[\s\S]*$/, `hosts:\n${[a, b, c].map((h, i) => `  - name: ${h.name}\n    address: ${h.address}\n    role: ${i < 2 ? "manager" : "worker"}\n`).join("")}`),
    );
    const up = releaseCli(["up", "--yes", "--skip-preview"]);
    assert.equal(up.status, 0, `the release's up failed:\n${failureText(up)}`);
  });
  after(() => {
    lab.dispose();
    run("git", ["worktree", "remove", "--force", releaseTree]);
    rmSync(path.dirname(releaseTree), { recursive: true, force: true });
  });

  it("converges the release's cluster with no engine restart and no membership change, then previews clean", () => {
    const before = cluster([a, b, c]);
    lab.converge();
    assert.deepEqual(cluster([a, b, c]), before, "every engine, node and the network as the release left them");
    const preview = lab.cli(["preview", "--expect-no-changes"]);
    assert.equal(preview.status, 0, failureText(preview));
  });
});
