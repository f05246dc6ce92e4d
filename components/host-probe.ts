import * as pulumi from "@pulumi/pulumi";
import type { types } from "@pulumi/command";
import { runOverSsh, ScriptRun, SshLogin } from "./ssh-exec";

/** What a check reports when the host is as the stack configured it. */
export const asConfigured = "as configured";

/** A host as a probe reaches it. */
export interface ProbeTarget {
  /** The host's name in the inventory; it names the host in every message. */
  hostName: string;
  /** How to reach the host over SSH. */
  connection: pulumi.Input<types.input.remote.ConnectionArgs>;
}

/** How a probe runs a script on a host; replaced in unit tests, which have no hosts. */
export const probeTransport: { run: (login: SshLogin, script: string) => Promise<ScriptRun> } = { run: runOverSsh };

interface PendingCheck {
  concern: string;
  check: pulumi.Input<string>;
}

interface HostBatch {
  target: ProbeTarget;
  checks: PendingCheck[];
  found: Promise<Record<string, string>>;
  settle: { resolve(found: Record<string, string>): void; reject(err: Error): void };
}

/**
 * Looks at every host once per run: all the checks asked of a host run in one
 * SSH session, and all hosts at once, as soon as the program has asked for
 * them (the components ask while they are built, in the same turn of the event
 * loop). A check is a script that changes nothing and prints one line per
 * difference from the configuration.
 *
 * Checks must be made of settled values (the inventory, the settings), never of
 * a resource's outputs: the resources wait for what the probe finds.
 */
export class HostProbe {
  private readonly batches = new Map<string, HostBatch>();
  private scheduled = false;

  /** What `check` finds on the host: `as configured`, or its lines joined by `; `. */
  observe(target: ProbeTarget, concern: string, check: pulumi.Input<string>): pulumi.Output<string> {
    const batch = this.batchFor(target);
    batch.checks.push({ concern, check });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.runAll());
    }
    return pulumi.output(batch.found.then((found) => found[concern]));
  }

  private batchFor(target: ProbeTarget): HostBatch {
    let batch = this.batches.get(target.hostName);
    if (!batch) {
      let settle!: HostBatch["settle"];
      const found = new Promise<Record<string, string>>((resolve, reject) => (settle = { resolve, reject }));
      batch = { target, checks: [], found, settle };
      this.batches.set(target.hostName, batch);
    }
    return batch;
  }

  private runAll(): void {
    // Checks asked for later (none in a program run) make a batch of their own.
    const batches = [...this.batches.values()];
    this.batches.clear();
    this.scheduled = false;
    for (const batch of batches) {
      const { target, checks, settle } = batch;
      pulumi
        .all([target.connection, pulumi.all(checks.map((c) => c.check))])
        .apply(([connection, scripts]) =>
          probeHost(target.hostName, connection as SshLogin, checks.map((c, i) => ({ concern: c.concern, script: scripts[i] })))
            .then(settle.resolve, settle.reject),
        );
    }
  }
}

/** Marks the end of one check's output in a probe's combined output. */
const endMark = "@@clipper-swarm-check";

/** Runs every check in one session; each in a subshell, so that one failing stops none of the others. */
export function batchScript(scripts: string[]): string {
  return scripts.map((script, i) => `(\n${script}\n) 2>&1\necho "${endMark} ${i} $?"`).join("\n");
}

/** Each check's lines and exit status, from a probe's combined output. */
export function parseBatch(stdout: string): { lines: string[]; status: number }[] {
  const results: { lines: string[]; status: number }[] = [];
  let lines: string[] = [];
  for (const raw of stdout.split("\n")) {
    const line = raw.trim();
    const mark = line.match(new RegExp(`^${endMark} (\\d+) (\\d+)$`));
    if (mark) {
      results[Number(mark[1])] = { lines, status: Number(mark[2]) };
      lines = [];
    } else if (line) {
      lines.push(line);
    }
  }
  return results;
}

/** Runs a host's checks in one session: what each found, by concern. */
export async function probeHost(
  hostName: string,
  login: SshLogin,
  checks: { concern: string; script: string }[],
): Promise<Record<string, string>> {
  const run = await probeTransport.run(login, batchScript(checks.map((c) => c.script))).catch((err: Error) => {
    throw new pulumi.RunError(
      `${hostName}: cannot look at the host: ${err.message}. If it is gone for good, mark it gone: true in the inventory (hosts/README.md)`,
    );
  });
  const results = parseBatch(run.stdout);
  const found: Record<string, string> = {};
  for (const [i, { concern }] of checks.entries()) {
    const result = results[i];
    if (!result || result.status !== 0) {
      const said = result?.lines.pop() ?? (run.stderr.trim().split("\n").pop() || `exit status ${run.code}`);
      throw new pulumi.RunError(`${hostName}: cannot check the ${concern}: ${said}`);
    }
    found[concern] = result.lines.length ? result.lines.join("; ") : asConfigured;
  }
  return found;
}
