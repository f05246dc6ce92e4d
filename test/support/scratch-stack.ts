/**
 * A throwaway stack of a fixture program, with its own file backend and
 * passphrase, so integration tests never touch the dev stack's state.
 */
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pulumi, root, Run, startPulumi } from "./cli";

/** A stack of a fixture program. */
export interface ScratchStack {
  /** Runs `pulumi ARGS` in the program's folder against this stack, with `input` on its standard input. */
  run(args: string[], input?: string): Run;
  /** Starts `pulumi ARGS` as `run` does, without waiting for it. */
  start(args: string[]): ChildProcess;
  /** The folder of the stack's file backend. */
  backend: string;
  /** Removes the stack's backend folder. */
  dispose(): void;
  /** The environment that selects this stack's backend and passphrase. */
  env: NodeJS.ProcessEnv;
  /** The `encryptionsalt:` line of this stack's passphrase, for a config file of the test's own. */
  encryptionSalt(): string;
}

/** Creates stack `name` of the program in folder `program` (absolute, or relative to the repository). */
export function scratchStack(program: string, name: string): ScratchStack {
  const backend = mkdtempSync(path.join(os.tmpdir(), "clipper-swarm-state-"));
  const env = {
    ...process.env,
    // As tools/pulumi-wrapper.sh: no sidecar files that a killed CLI can leave empty.
    PULUMI_BACKEND_URL: `file://${backend}?metadata=skip`,
    // A passphrase of its own, so that a test can search for it as for any secret.
    PULUMI_CONFIG_PASSPHRASE: randomBytes(16).toString("hex"),
  };
  const cwd = path.resolve(root, program);
  // `stack init` writes the stack's encryption salt beside the program; it goes with the stack.
  const stackFile = path.join(cwd, `Pulumi.${name}.yaml`);
  const ownsStackFile = !existsSync(stackFile);
  const run = (args: string[], input?: string) => pulumi([...args, "--stack", name], { cwd, env, input });
  const start = (args: string[]) => startPulumi([...args, "--stack", name], { cwd, env });
  const init = pulumi(["stack", "init", name], { cwd, env });
  if (init.status !== 0) throw new Error(`pulumi stack init ${name} failed: ${init.stderr}`);
  const dispose = () => {
    rmSync(backend, { recursive: true, force: true });
    if (ownsStackFile) rmSync(stackFile, { force: true });
  };
  const encryptionSalt = () => {
    const line = readFileSync(stackFile, "utf8").match(/^encryptionsalt:.*$/m)?.[0];
    if (!line) throw new Error(`pulumi stack init ${name} wrote no encryption salt to ${stackFile}`);
    return line;
  };
  return { run, start, backend, env, dispose, encryptionSalt };
}
