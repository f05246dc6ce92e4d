// Bad input through the real CLI: one clear line naming file, line and field,
// and nothing created, so no host is touched.
import { describe, it, after } from "node:test";
import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { root } from "../support/cli";
import { scratchStack } from "../support/scratch-stack";

const stack = scratchStack(".", "inputs");
const dir = mkdtempSync(path.join(os.tmpdir(), "clipper-swarm-inputs-"));

/**
 * `pulumi up` with these stack settings over plain TCP (a setting given as
 * undefined is left out); the run must fail before any resource.
 */
function upWith(settings: Record<string, string | undefined>) {
  const configFile = path.join(dir, "Pulumi.inputs.yaml");
  const lines = Object.entries({ daemonTls: "false", ...settings })
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `  clipper-swarm:${k}: ${JSON.stringify(v)}`);
  writeFileSync(configFile, `config:\n${lines.join("\n")}\n`);
  const up = stack.run(["up", "--yes", "--skip-preview", "--config-file", configFile]);
  const output = up.stdout + up.stderr;
  assert.notEqual(up.status, 0, output);
  assert.doesNotMatch(output, /^\s+at .+:\d+:\d+\)?$/m, "no stack trace");
  const resources = JSON.parse(stack.run(["stack", "export"]).stdout).deployment.resources ?? [];
  assert.deepEqual(resources.map((r: { type: string }) => r.type).filter((t: string) => t !== "pulumi:pulumi:Stack"), []);
  return output;
}

describe("bad input stops pulumi up before anything is created", () => {
  after(() => {
    stack.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const fixture of ["syntax", "unknown-host", "name-duplicate", "address-invalid", "key-missing-file", "hosts-empty", "advertise-unspecified-implied", "advertise-zone", "advertise-family-mix"]) {
    it(`inventory: ${fixture}`, () => {
      const file = `test/fixtures/inventory/bad/${fixture}.yaml`;
      // Each fixture's first line says where it must fail: "# expect line N: FIELD ...".
      const [, line, field] = /^# expect line (\d+)(?:: ([\w.[\]]+))?/.exec(readFileSync(path.join(root, file), "utf8")) ?? [];
      assert.ok(line, `${file} has no expectation line`);
      const where = field && !field.startsWith("invalid") ? `${file}:${line}: ${field}: ` : `${file}:${line}: `;
      assert.ok(upWith({ inventory: file }).includes(`error: ${where}`), `expected "${where}"`);
    });
  }

  it("stack setting: daemonTls unset, with both choices offered", () => {
    const output = upWith({ daemonTls: undefined });
    assert.match(output, /error: Pulumi\.inputs\.yaml: clipper-swarm:daemonTls: choose how the engines listen on TCP: true for mutual TLS on port 2376.* false for plain TCP on port 2375/);
  });

  it("stack setting: daemonTls true without the stack's TLS keys", () => {
    assert.match(
      upWith({ daemonTls: "true" }),
      /error: Pulumi\.inputs\.yaml: clipper-swarm:tlsCaKey: is not set, and daemonTls: true needs it; make the stack's CA and client keys with: npm run tls -- keys/,
    );
  });

  it("stack setting: daemonPort", () => {
    assert.match(upWith({ daemonPort: "23x5" }), /error: Pulumi\.inputs\.yaml: clipper-swarm:daemonPort: "23x5" is not a port number/);
  });

  it("stack setting: testHost not in the inventory", () => {
    assert.match(upWith({ testHost: "host9" }), /error: Pulumi\.inputs\.yaml: clipper-swarm:testHost: "host9" is not a live host \(host1, host2, host3\), in hosts\/dev\.yaml/);
  });
});
