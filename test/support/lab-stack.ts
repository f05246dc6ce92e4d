/**
 * A stack of the project's own program on the tests' lab hosts (or another
 * inventory of the tests'), with the dev stack's settings, its own backend and
 * passphrase: integration tests converge, audit and destroy it through the real
 * CLI without touching the dev stack.
 */
import * as assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { providerClientFolder } from "../../components/tls/engine-client";
import { failureText, root, Run, testInventory } from "./cli";
import { scratchStack, ScratchStack } from "./scratch-stack";

/** The program's stack on the tests' hosts. */
export interface LabStack {
  /** The stack underneath, for commands that take no config file (outputs, export, history). */
  stack: ScratchStack;
  /** The stack's settings, for `--config-file`. */
  configFile: string;
  /** Runs `pulumi ARGS` with the stack's settings. */
  cli(args: string[]): Run;
  /** Starts `pulumi ARGS` with the stack's settings, without waiting for it. */
  start(args: string[]): ChildProcess;
  /** `pulumi up` that must succeed. */
  converge(): Run;
  /** Uses the stack's inventory, as `edit` changes its text, from now on; `name` names the file. */
  inventory(name: string, edit: (text: string) => string): void;
  /** Destroys the stack's resources, and removes its backend and its providers' client files. */
  dispose(): void;
}

/**
 * Stack `name` of the program in folder `program` (the project's own by
 * default) on the hosts of `inventory` (relative to the repository; the tests'
 * own by default).
 */
export function labStack(name: string, { program = ".", inventory = testInventory } = {}): LabStack {
  const stack = scratchStack(program, name);
  // The dev stack's settings on the tests' hosts, in a file of the test's own,
  // with the encryption salt of this stack's passphrase instead of the dev one's.
  const configFile = path.join(mkdtempSync(path.join(os.tmpdir(), `clipper-swarm-${name}-`)), `Pulumi.${name}.yaml`);
  const devSettings = readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8")
    .replace(/^encryptionsalt:.*\n?/m, "")
    .replace(/(clipper-swarm:inventory:).*/, `$1 ${inventory}`);
  writeFileSync(configFile, devSettings + stack.encryptionSalt() + "\n");
  const cli = (args: string[]) => stack.run([...args, "--config-file", configFile]);
  const start = (args: string[]) => stack.start([...args, "--config-file", configFile]);
  const dir = path.dirname(configFile);
  return {
    stack,
    configFile,
    cli,
    start,
    converge() {
      const up = cli(["up", "--yes", "--skip-preview"]);
      assert.equal(up.status, 0, failureText(up));
      return up;
    },
    inventory(name, edit) {
      // In the test's own folder, so the key path is made absolute.
      const keyPath = path.join(root, ".lab", "id_ed25519");
      const text = readFileSync(path.join(root, inventory), "utf8").replace(/path: .*/, `path: ${keyPath}`);
      const file = path.join(dir, `${name}.yaml`);
      writeFileSync(file, edit(text));
      const set = cli(["config", "set", "clipper-swarm:inventory", file]);
      assert.equal(set.status, 0, set.stderr);
    },
    dispose() {
      const down = cli(["destroy", "--yes", "--skip-preview"]);
      stack.dispose();
      rmSync(providerClientFolder("clipper-swarm", name, "cluster"), { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
      // Checked: a destroy that fails leaves the hosts to the next suite, whose clean-hosts check would blame itself.
      assert.equal(down.status, 0, `destroy of stack ${name} failed:\n${failureText(down)}`);
    },
  };
}
