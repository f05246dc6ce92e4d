// A Pulumi user's own setup, as the README's "Your own hosts" describes it:
// their newer CLI on PATH, their plugin folder, their backend and passphrase,
// a stack of their own on hosts reached by DNS name through an SSH agent,
// described by their Ansible inventory. It all runs in a copy of the
// repository, so this checkout's toolchain and dev stack stay as they are.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { failureText, labHosts, leftovers, missingPlugins, root, run, swarmMembers } from "../support/cli";
import { SshAgent, startSshAgent } from "../support/ssh-agent";
import { USERS_PULUMI_VERSION, installUsersPulumi } from "../support/users-pulumi";

/** Where the inventories of the user's hosts are, in the repository. */
const HOSTS = "test/fixtures/own-hosts";

describe("a Pulumi user's own setup", { skip: missingPlugins() }, () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "clipper-swarm-own-"));
  const project = path.join(scratch, "clipper-swarm");
  const home = path.join(scratch, "pulumi-home");
  const backend = path.join(scratch, "state");
  const hosts = labHosts();
  let agent: SshAgent | undefined;
  let bin = "";
  /** The user's environment: nothing of this project's toolchain, their own Pulumi settings. */
  let env: NodeJS.ProcessEnv = {};
  /** Plain `pulumi ARGS` in the repository's root, as the user runs it. */
  const pulumi = (args: string[]) => run("pulumi", ["--non-interactive", ...args], { cwd: project, env });
  const stateOfDev = () => folderDigest(path.join(project, ".pulumi-state")) + folderDigest(path.join(root, ".pulumi-state"));
  let devBefore = "";

  before(() => {
    // The repository as a user clones it, with this checkout's packages.
    const files = run("git", ["ls-files", "-z"], { cwd: root }).stdout.split("\0").filter(Boolean);
    for (const f of files) cpSync(path.join(root, f), path.join(project, f), { recursive: true });
    // This checkout's dev stack salt comes along, as it stays in a clone whose
    // .pulumi-state is gone: it belongs to another passphrase, and setup must
    // still make the copy's dev stack.
    const devConfig = path.join(project, "Pulumi.dev.yaml");
    assert.match(readFileSync(devConfig, "utf8"), /^encryptionsalt:/m, "setup has made this checkout's dev stack");
    symlinkSync(path.join(root, "node_modules"), path.join(project, "node_modules"));
    bin = installUsersPulumi(scratch);
    mkdirSync(home);
    mkdirSync(backend);
    agent = startSshAgent(scratch);
    agent.add(path.join(root, ".lab", "id_ed25519"));
    const { HOME, USER, TMPDIR, LANG, CLIPPER_CACHE, XDG_CACHE_HOME } = process.env;
    env = {
      ...Object.fromEntries(Object.entries({ HOME, USER, TMPDIR, LANG, CLIPPER_CACHE, XDG_CACHE_HOME }).filter(([, v]) => v !== undefined)),
      PATH: `${bin}:${process.env.PATH}`,
      PULUMI_HOME: home,
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_CONFIG_PASSPHRASE: randomBytes(16).toString("hex"),
      PULUMI_SKIP_UPDATE_CHECK: "true",
      SSH_AUTH_SOCK: agent.socket,
    };
  });
  after(() => {
    if (existsSync(path.join(backend, ".pulumi"))) pulumi(["destroy", "--yes", "--skip-preview", "--stack", "prod"]);
    agent?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it(`setup takes their pulumi ${USERS_PULUMI_VERSION}, newer than the pinned SDK, and builds nothing`, () => {
    const setup = run("bash", ["tools/setup.sh"], { cwd: project, env });
    assert.equal(setup.status, 0, failureText(setup));
    assert.doesNotMatch(setup.stdout + setup.stderr, /building/);
    assert.match(setup.stdout, /created stack dev/, "the salt of a passphrase it does not have is dropped");
    assert.match(setup.stdout, new RegExp(`using pulumi from ${bin}/pulumi`));
    assert.equal(run(path.join(project, ".tools", "bin", "pulumi"), ["version"], { env }).stdout.trim(), `v${USERS_PULUMI_VERSION}`);
    devBefore = stateOfDev();
  });

  it("setup installs the pinned plugins into their plugin folder", () => {
    const pins = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).dependencies as Record<string, string>;
    const plugins = readdirSync(path.join(home, "plugins"));
    for (const name of ["command", "docker"]) assert.ok(plugins.includes(`resource-${name}-v${pins[`@pulumi/${name}`]}`), plugins.join(", "));
  });

  it("plain pulumi with their backend and passphrase converges a stack of their own from their Ansible inventory", () => {
    assert.equal(pulumi(["stack", "init", "prod"]).status, 0);
    for (const [key, value] of [["inventory", `${HOSTS}/inventory.yaml`], ["inventoryGroup", "swarm"], ["daemonTls", "false"], ["testImage", "clipper-lab/probe:latest"]]) {
      const set = pulumi(["config", "set", `clipper-swarm:${key}`, value]);
      assert.equal(set.status, 0, set.stderr);
    }
    const up = pulumi(["up", "--yes"]);
    assert.equal(up.status, 0, failureText(up));
    const managers = swarmMembers(`tcp://${hosts[0].address}:2375`);
    assert.deepEqual(managers, hosts.map((h) => `${h.name} Ready manager`).sort(), "every host of the group is a Ready manager, and only those");
    const outputs = JSON.parse(pulumi(["stack", "output", "--json"]).stdout);
    assert.equal(outputs.clipperHostList, `3\n${hosts.map((h) => `${h.address}:2375`).join("\n")}\n`, "Clipper reaches the engines at their advertise addresses");
    assert.equal(pulumi(["preview", "--expect-no-changes"]).status, 0);
    const verify = run("npm", ["run", "verify"], { cwd: project, env: { ...env, PULUMI_STACK: "prod", CLIPPER_PULUMI: "pulumi" } });
    assert.equal(verify.status, 0, failureText(verify));
  });

  it("the same hosts in the stack's own format preview no changes, and so does switching back", () => {
    for (const [inventory, group] of [[`${HOSTS}/native.yaml`, undefined], [`${HOSTS}/inventory.yaml`, "swarm"]]) {
      assert.equal(pulumi(["config", "set", "clipper-swarm:inventory", inventory!]).status, 0);
      const groupSet = group ? pulumi(["config", "set", "clipper-swarm:inventoryGroup", group]) : pulumi(["config", "rm", "clipper-swarm:inventoryGroup"]);
      assert.equal(groupSet.status, 0, groupSet.stderr);
      const preview = pulumi(["preview", "--expect-no-changes", "--diff"]);
      assert.equal(preview.status, 0, `${inventory}:\n${preview.stdout}${preview.stderr}`);
    }
  });

  it("leaves the dev stack untouched, and destroy leaves the hosts clean", () => {
    assert.equal(stateOfDev(), devBefore, "the dev stack's state and passphrase are as they were");
    const stacks = JSON.parse(pulumi(["stack", "ls", "--json"]).stdout) as { name: string }[];
    assert.deepEqual(stacks.map((s) => s.name), ["prod"], "setup made the dev stack in the lab's backend, not in theirs");
    const down = pulumi(["destroy", "--yes", "--skip-preview"]);
    assert.equal(down.status, 0, failureText(down));
    assert.deepEqual(hosts.flatMap(leftovers), []);
  });
});

/** A digest of every file's path and bytes under `dir` ("" when it does not exist). */
function folderDigest(dir: string): string {
  if (!existsSync(dir)) return "";
  const hash = createHash("sha256");
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      hash.update(p);
      if (e.isDirectory()) walk(p);
      else hash.update(readFileSync(p, "binary"));
    }
  };
  walk(dir);
  return hash.digest("hex");
}
