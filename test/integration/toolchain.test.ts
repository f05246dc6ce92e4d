// The toolchain that `npm run setup` builds from Go modules runs programs for real.
import { describe, it, after } from "node:test";
import * as assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { failureText, missingPlugins, pulumi, root } from "../support/cli";
import { scratchStack } from "../support/scratch-stack";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pins: Record<string, string> = require(path.join(root, "package.json")).dependencies;

describe("toolchain", () => {
  it("runs the dev stack's file backend without sidecar files", () => {
    const env = { ...process.env };
    delete env.PULUMI_BACKEND_URL;
    const whoami = pulumi(["whoami", "--verbose"], { env });
    assert.equal(whoami.status, 0, whoami.stderr);
    assert.equal(whoami.stdout.match(/^Backend URL: (.*)$/m)?.[1], `file://${root}/.pulumi-state?metadata=skip`, whoami.stdout);
  });

  it("pulumi is the version package.json pins for @pulumi/pulumi, or a newer one from PATH", () => {
    const version = pulumi(["version"]).stdout.trim();
    const sorted = [`v${pins["@pulumi/pulumi"]}`, version].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    assert.equal(sorted[1], version, `${version} is older than the pinned ${pins["@pulumi/pulumi"]}`);
  });

  it("has the resource plugins package.json pins", { skip: missingPlugins() }, () => {
    const plugins = JSON.parse(pulumi(["plugin", "ls", "--json"]).stdout) as { name: string; version: string }[];
    const have = plugins.map((p) => `${p.name}@${p.version}`);
    assert.ok(have.includes(`command@${pins["@pulumi/command"]}`), have.join(", "));
    assert.ok(have.includes(`docker@${pins["@pulumi/docker"]}`), have.join(", "));
  });

  describe("a program on the local file backend", () => {
    const stack = scratchStack("test/fixtures/smoke-core", "smoke");
    after(() => stack.dispose());

    it("comes up with its outputs, secrets encrypted in state", () => {
      const up = stack.run(["up", "--yes", "--skip-preview"]);
      assert.equal(up.status, 0, failureText(up));
      assert.doesNotMatch(up.stdout + up.stderr, /smoke-secret-value/);
      const outputs = JSON.parse(stack.run(["stack", "output", "--json"]).stdout);
      assert.deepEqual(outputs, { plain: "visible", hidden: "[secret]" });
      const state = stack.run(["stack", "export"]).stdout;
      assert.match(state, /smoke:index:Probe/);
      assert.doesNotMatch(state, /smoke-secret-value/);
      assert.match(stack.run(["stack", "output", "hidden", "--show-secrets"]).stdout, /smoke-secret-value/);
    });

    it("writes its state without sidecar files, which a killed CLI could leave empty", () => {
      const files = readdirSync(stack.backend, { recursive: true }) as string[];
      assert.ok(files.some((f) => f.endsWith(".json")), files.join(", "));
      assert.deepEqual(files.filter((f) => f.endsWith(".attrs")), []);
    });

    it("previews no changes on a second look and destroys", () => {
      assert.equal(stack.run(["preview", "--expect-no-changes"]).status, 0);
      const down = stack.run(["destroy", "--yes", "--skip-preview"]);
      assert.equal(down.status, 0, failureText(down));
      assert.equal(JSON.parse(stack.run(["stack", "export"]).stdout).deployment.resources, undefined);
    });
  });
});

describe("both providers against a lab host", { skip: missingPlugins() }, () => {
  const stack = scratchStack("test/fixtures/smoke-providers", "smoke");
  after(() => stack.dispose());

  it("runs a command over SSH and makes a Docker network, then removes it", () => {
    const up = stack.run(["up", "--yes", "--skip-preview"]);
    assert.equal(up.status, 0, failureText(up));
    assert.equal(JSON.parse(stack.run(["stack", "output", "--json"]).stdout).greeting, "hello from host4");
    const down = stack.run(["destroy", "--yes", "--skip-preview"]);
    assert.equal(down.status, 0, failureText(down));
  });
});
