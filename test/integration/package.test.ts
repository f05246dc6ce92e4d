// The library as users adopt it, through the real CLI on the lab: the packed
// npm package installed into a TypeScript program of its own, with Pulumi's
// stock settings; and a Pulumi YAML program that takes ClipperSwarm from the
// component provider (its plugin executable), with its SSH key as a secret
// and one host's address from another resource.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { failureText, labHosts, leftovers, missingPlugins, root, run } from "../support/cli";
import { scratchStack, ScratchStack } from "../support/scratch-stack";
import { keySecret, secretsIn } from "../support/secret-scan";
import { checkOverlay } from "../../bin/overlay-check";
import type { HostSpec } from "../../hosts/inventory";

const packageDir = path.join(root, "build", "package");
const labKey = readFileSync(path.join(root, ".lab", "id_ed25519"), "utf8");

/** Every pair of a stack's hosts exchanges bytes over its network, as `npm run verify` checks. */
function verify(stack: ScratchStack): void {
  const outputs = JSON.parse(stack.run(["stack", "output", "--json"]).stdout);
  const engines = Object.entries(outputs.dockerHosts as Record<string, string>).map(([name, url]) => ({ name, url }));
  const pairs = checkOverlay(engines, outputs.networkName, outputs.testImage, () => undefined);
  assert.deepEqual(pairs.filter((p) => !p.ok), []);
  assert.equal(pairs.length, engines.length * (engines.length - 1));
}

/** Stack `name` of the program in `program`, with the lab's key as its secret `sshKey`, given on standard input. */
function stackWithKey(program: string, name: string): ScratchStack {
  const stack = scratchStack(program, name);
  const key = stack.run(["config", "set", "--secret", "sshKey"], labKey);
  assert.equal(key.status, 0, key.stderr);
  return stack;
}

/**
 * Up, verify, a clean preview, destroy to clean hosts: what each program must
 * do. Gives every run's output, and the state as the converged stack held it.
 */
function convergeAndDestroy(stack: ScratchStack, hosts: HostSpec[]): string {
  const up = stack.run(["up", "--yes", "--skip-preview"]);
  assert.equal(up.status, 0, failureText(up));
  verify(stack);
  const state = stack.run(["stack", "export"]);
  const clean = stack.run(["preview", "--expect-no-changes"]);
  assert.equal(clean.status, 0, failureText(clean));
  const down = stack.run(["destroy", "--yes", "--skip-preview"]);
  assert.equal(down.status, 0, failureText(down));
  assert.deepEqual(hosts.flatMap(leftovers), []);
  return [up, state, clean, down].map((r) => r.stdout + r.stderr).join("\n");
}

describe("the library as users adopt it", { skip: missingPlugins() }, () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "clipper-swarm-package-"));
  before(() => {
    const packed = run("bash", ["scripts/package.sh"]);
    assert.equal(packed.status, 0, packed.stderr);
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("packs the compiled JavaScript, its types, the remote scripts and the provider, with no inventory reader", () => {
    const tarball = path.join(root, "build", readdirSync(path.join(root, "build")).find((f) => /^clipper-swarm-.*\.tgz$/.test(f))!);
    const files = run("tar", ["-tzf", tarball]).stdout.split("\n");
    for (const file of ["dist/index.js", "dist/index.d.ts", "dist/clipper-swarm.d.ts", "dist/remote/scripts/common.sh", "dist/provider.js", "pulumi-resource-clipper-swarm", "clipper-swarm.ts", "tsconfig.json", "PulumiPlugin.yaml"]) {
      assert.ok(files.includes(`package/${file}`), `${file} is packed`);
    }
    assert.deepEqual(files.filter((f) => /inventory|hosts\//.test(f)), [], "the inventory reader is the repository's stack's, not the library's");
    const manifest = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8"));
    assert.equal(manifest.private, undefined);
    assert.equal(manifest.exports["."].default, "./dist/index.js");
    assert.ok(manifest.dependencies.typescript, "the provider reads its schema with TypeScript");
  });

  describe("a TypeScript program that installs the package, with Pulumi's stock settings", () => {
    const hosts = labHosts();
    const program = path.join(scratch, "consumer");
    let stack: ScratchStack;
    before(() => {
      const tarball = readdirSync(path.join(root, "build")).find((f) => /^clipper-swarm-.*\.tgz$/.test(f))!;
      const files: Record<string, string> = {
        "Pulumi.yaml": "name: consumer\nruntime: nodejs\n",
        "package.json": JSON.stringify({ name: "consumer", private: true, main: "index.ts", dependencies: { "clipper-swarm": `file:${path.join(root, "build", tarball)}` } }),
        "index.ts": [
          'import * as pulumi from "@pulumi/pulumi";',
          'import { ClipperSwarm } from "clipper-swarm";',
          "const config = new pulumi.Config();",
          'const cluster = new ClipperSwarm("mine", {',
          `  hosts: ${JSON.stringify(hosts.map((h) => ({ name: h.name, address: h.address, user: h.user })))}.map((h) => ({ ...h, privateKey: config.requireSecret("sshKey") })),`,
          "  daemonTls: false,",
          '  testImage: "clipper-lab/probe:latest",',
          "});",
          "export const dockerHosts = cluster.dockerHosts;",
          "export const networkName = cluster.networkName;",
          "export const testImage = cluster.testImage;",
        ].join("\n"),
      };
      mkdirSync(program, { recursive: true });
      for (const [name, text] of Object.entries(files)) writeFileSync(path.join(program, name), text);
      const install = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: program });
      assert.equal(install.status, 0, install.stderr);
      stack = stackWithKey(program, "consumer");
    });
    after(() => stack?.dispose());

    it("converges the lab, verifies, previews clean and destroys, with no Docker provider it did not ask for", () => {
      const output = convergeAndDestroy(stack, hosts);
      assert.doesNotMatch(output, /pulumi:providers:docker/, "dockerProviders is off: no provider, so no Docker plugin");
      assert.match(output, /"type": "command:remote:Command"/, "the state was read");
    });
  });

  describe("a Pulumi YAML program through the component provider", () => {
    const hosts = labHosts("test/fixtures/lab-hosts-debian13.yaml");
    const program = path.join(scratch, "yaml");
    let stack: ScratchStack;
    before(() => {
      mkdirSync(program, { recursive: true });
      const [first, ...others] = hosts;
      const host = (h: HostSpec, address: string) => `      - name: ${h.name}\n        address: ${address}\n        user: ${h.user}\n        privateKey: \${sshKey}\n`;
      writeFileSync(path.join(program, "Pulumi.yaml"), [
        "name: yaml-consumer",
        "runtime: yaml",
        "plugins:",
        "  providers:",
        "    - name: clipper-swarm",
        `      path: ${packageDir}`,
        "config:",
        "  sshKey:",
        "    type: string",
        "    secret: true",
        "resources:",
        "  firstAddress:",
        "    type: command:local:Command",
        "    properties:",
        `      create: echo ${first.address}`,
        "  cluster:",
        "    type: clipper-swarm:index:ClipperSwarm",
        "    properties:",
        "      daemonTls: false",
        "      testImage: clipper-lab/probe:latest",
        "      hosts:",
        host(first, "${firstAddress.stdout}") + others.map((h) => host(h, h.address)).join(""),
        "outputs:",
        "  dockerHosts: ${cluster.dockerHosts}",
        "  networkName: ${cluster.networkName}",
        "  testImage: ${cluster.testImage}",
        "",
      ].join("\n"));
      stack = stackWithKey(program, "yaml");
    });
    after(() => stack?.dispose());

    it("converges the lab, verifies, previews clean and destroys, with the key in no output and not in the state", () => {
      const output = convergeAndDestroy(stack, hosts);
      assert.deepEqual(secretsIn(output, [keySecret("SSH key", labKey)]), []);
    });
  });
});
