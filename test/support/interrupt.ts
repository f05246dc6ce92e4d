/**
 * A pulumi command interrupted as a user interrupts one, and what it leaves
 * for the next run. Ctrl-C in a terminal and `kill PID` both reach the CLI's
 * process alone: Pulumi starts its language host and plugins in process
 * groups of their own, so they see no signal, and a SIGKILL leaves them running.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { run } from "./cli";
import type { ScratchStack } from "./scratch-stack";

/** A command that ran to its end. */
export interface Finished {
  /** Exit status, or null when a signal ended it. */
  status: number | null;
  /** The signal that ended it, if one did. */
  signal: NodeJS.Signals | null;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** A command that was sent a signal. */
export interface Interrupted extends Finished {
  /** The processes it had started when it was signalled: its language host and plugins. */
  children: number[];
}

/**
 * Waits for `cli` to end, calling `act` once, as soon as its output shows
 * `pattern`; fails when it ends before that.
 */
export function onOutput(cli: ChildProcess, pattern: RegExp, act: () => void): Promise<Finished> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    let acted = false;
    cli.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!acted && pattern.test(stdout)) {
        acted = true;
        act();
      }
    });
    cli.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    cli.on("error", reject);
    cli.on("close", (status, signal) => {
      if (acted) resolve({ status, signal, stdout, stderr });
      else reject(new Error(`ended (status ${status}) before its output showed ${pattern}:\n${stdout}${stderr}`));
    });
  });
}

/**
 * Sends `signal` to the CLI's process alone when its output shows `pattern`
 * and, if given, `ready()` holds too (asked each second, for up to 30 s), and
 * waits for it to end.
 */
export async function interrupt(cli: ChildProcess, pattern: RegExp, signal: NodeJS.Signals, ready?: () => boolean): Promise<Interrupted> {
  let children: number[] = [];
  const finished = await onOutput(cli, pattern, () => {
    for (let i = 0; i < 30 && ready && !ready(); i++) run("sleep", ["1"]);
    // Looked up first: once the CLI is gone, its children belong to init.
    children = childrenOf(cli.pid!);
    cli.kill(signal);
  });
  return { ...finished, children };
}

function childrenOf(pid: number): number[] {
  return run("ps", ["-o", "pid=", "--ppid", String(pid)]).stdout.split("\n").filter(Boolean).map(Number);
}

/** Ends the language host and plugins that an interrupted CLI left running, if they still are. */
export function endOrphans(runs: Interrupted[]): void {
  for (const pid of runs.flatMap((r) => r.children)) {
    // Only a process that is still one of Pulumi's: its number may have been given to another since.
    if (!/pulumi-(language|resource)-/.test(commandOf(pid))) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // It ended on its own meanwhile.
    }
  }
}

/** The command line of a running process, or nothing once it has ended. */
function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "";
  }
}

/** What a run left in the backend for the next one. */
export interface LeftBehind {
  /** Lock files: an `up`, `refresh` or `destroy` holds one while it runs. */
  locks: string[];
  /** The operations it started and did not see end, as `TYPE NAME` (`creating host4-dropin`). */
  pending: string[];
}

/** What the runs of `stack` so far have left in its backend. */
export function leftBehind(stack: ScratchStack): LeftBehind {
  const lockDir = path.join(stack.backend, ".pulumi", "locks");
  const files = existsSync(lockDir) ? (readdirSync(lockDir, { recursive: true }) as string[]) : [];
  const locks = files.filter((f) => f.endsWith(".json"));
  const exported = stack.run(["stack", "export"]);
  if (exported.status !== 0) throw new Error(`pulumi stack export failed: ${exported.stderr}`);
  const operations: { type: string; resource: { urn: string } }[] = JSON.parse(exported.stdout).deployment.pending_operations ?? [];
  return { locks, pending: operations.map((op) => `${op.type} ${op.resource.urn.split("::").pop()}`) };
}
