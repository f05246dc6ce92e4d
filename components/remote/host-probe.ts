import * as pulumi from "@pulumi/pulumi";
import type { types } from "@pulumi/command";
import { scriptsCheck, scriptsInstall, scriptsLine, scriptsMissingLine, scriptsPlacedLine } from "./installed-scripts";
import { HostKeyMismatch, openSsh, scanHostCertificate, scanHostKey, SshLogin, SshSession } from "./ssh-exec";
import { failRun } from "../outputs/run-failure";

/** What a check reports when the host is as the stack configured it. */
export const asConfigured = "as configured";

/** What a check found on a host. */
export interface Observation {
  /** `as configured`, or the check's lines joined by `; `. */
  found: string;
  /** The run that last made or repaired the concern, as the host records it (a `last-run: RUN` line). */
  lastRun?: string;
  /**
   * The host's engine manages a swarm (`manager`), as its leader (`leader`),
   * where the check reports it (a `swarm: ROLE` line).
   */
  swarmRole?: SwarmRole;
  /** The swarm the host is in, where the check reports it (a `swarm-id: ID` line). */
  swarmId?: string;
  /** The swarm this tool recorded on the host, where the check reports it (a `marked: ID` line). */
  marked?: string;
  /** The host's engine does not answer on TCP, where the check reports it (an `engine: silent` line). */
  engineSilent?: boolean;
}

/** A manager's place in its swarm's raft. */
export type SwarmRole = "manager" | "leader";

/** A host as a probe reaches it. */
export interface ProbeTarget {
  /** The host's name in the inventory; it names the host in every message. */
  hostName: string;
  /** How to reach the host over SSH. */
  connection: types.input.remote.ConnectionArgs;
}

/** How a probe logs in to a host and reads its host key; replaced in unit tests, which have no hosts. */
export const probeTransport: {
  open: (login: SshLogin) => Promise<SshSession>;
  scan: (login: SshLogin, keyTypes: string[]) => Promise<string>;
  scanCertificate: (login: SshLogin) => Promise<string | undefined>;
} = { open: openSsh, scan: scanHostKey, scanCertificate: scanHostCertificate };

interface PendingCheck {
  concern: string;
  check: pulumi.Input<string>;
}

/** A check to run on a host: the script, and the concern it looks at, which names it in messages. */
interface HostCheck {
  concern: string;
  script: string;
}

/** Each check's lines, by concern. */
type CheckLines = Record<string, string[]>;

interface HostBatch {
  checks: PendingCheck[];
  found: pulumi.Output<CheckLines>;
}

/**
 * Looks at every host once per run: all the checks asked of a host run in one
 * SSH session, and all hosts at once, as soon as the program has asked for
 * them (the components ask while they are built, in the same turn of the event
 * loop). A check is a script that changes nothing and prints one line per
 * difference from the configuration, and `last-run: RUN` when the host
 * records the run that last made the concern (see auditedRun).
 *
 * What it finds is an output of the host's connection and checks: a host whose
 * address another resource has yet to give (a preview of a new VM) is not
 * looked at, and what it finds there is unknown, as a new host's steps are.
 */
export class HostProbe {
  private readonly batches = new Map<string, HostBatch>();
  private readonly folders = new Map<string, pulumi.Output<string>>();
  /** The sessions of hosts whose scripts are missing, kept open to put them there. */
  private readonly kept = new Map<string, SshSession>();
  private changesHeld: Promise<unknown> = Promise.resolve();

  /**
   * Holds back every change the probe makes, the scripts it puts on hosts,
   * until `checks` settle: checks of the whole cluster that may refuse the
   * run, which then touches no host.
   */
  holdChangesUntil(checks: pulumi.Output<unknown>): void {
    this.changesHeld = new Promise((resolve) => checks.apply(resolve));
  }

  /**
   * The folder of this version's scripts on the host, once they are in place
   * there. The host's first batch looks; where they are missing, an update
   * puts them there in the same session, once the run's checks have passed
   * (see holdChangesUntil), and a preview leaves them missing (the endpoint's
   * check shows it). Every command that runs them waits for this.
   */
  scripts(target: ProbeTarget): pulumi.Output<string> {
    let folder = this.folders.get(target.hostName);
    if (!folder) {
      const lines = this.read(target, "scripts", scriptsCheck());
      folder = pulumi.all([lines, target.connection]).apply(async ([found, login]) => {
        const checked = scriptsFound(target.hostName, found);
        if (!found.includes(scriptsMissingLine) || pulumi.runtime.isDryRun()) return checked;
        await this.changesHeld;
        const installed = await this.install(target.hostName, login as SshLogin).catch((err: Error) => failRun(err.message));
        return scriptsFound(target.hostName, installed.scripts);
      });
      // What a host's folder is, is no secret, though the connection that found it holds a key.
      folder = pulumi.unsecret(folder);
      this.folders.set(target.hostName, folder);
    }
    return folder;
  }

  /** Puts this version's scripts on a host, as a batch of one: in its probe's session, or a new one where that has dropped. */
  private async install(hostName: string, login: SshLogin): Promise<CheckLines> {
    const batch = [{ concern: "scripts", script: scriptsInstall() }];
    const kept = this.kept.get(hostName);
    this.kept.delete(hostName);
    if (kept) {
      const installed = await probeHost(hostName, Promise.resolve(kept), batch).catch(() => undefined);
      if (installed) return installed;
    }
    return probeHost(hostName, probeTransport.open(login), batch);
  }

  /**
   * Runs a host's checks in one session. An update that will put the scripts
   * there keeps the session for it (see install); it holds the host nothing
   * meanwhile, nor the program.
   */
  private async look(hostName: string, login: SshLogin, checks: HostCheck[]): Promise<CheckLines> {
    const session = await reach(hostName, probeTransport.open(login));
    let found: CheckLines | undefined;
    try {
      found = await runChecks(hostName, session, checks);
      return found;
    } finally {
      if (found?.scripts?.includes(scriptsMissingLine) && !pulumi.runtime.isDryRun()) this.kept.set(hostName, session);
      else session.close();
    }
  }

  /** What `check` finds on the host. */
  observe(target: ProbeTarget, concern: string, check: pulumi.Input<string>): pulumi.Output<Observation> {
    return this.read(target, concern, check).apply(observationOf);
  }

  /** The lines that `check` prints on the host, for a check that reports facts rather than drift. */
  read(target: ProbeTarget, concern: string, check: pulumi.Input<string>): pulumi.Output<string[]> {
    const batch = this.batchFor(target);
    batch.checks.push({ concern, check });
    return batch.found.apply((found) => found[concern]);
  }

  private batchFor(target: ProbeTarget): HostBatch {
    let batch = this.batches.get(target.hostName);
    if (!batch) {
      const checks: PendingCheck[] = [];
      // The checks run once the program has asked for all of them, in this turn
      // of the event loop; checks asked for later make a batch of their own.
      const asked = new Promise<void>((resolve) =>
        setImmediate(() => {
          this.batches.delete(target.hostName);
          resolve();
        }),
      );
      const found = pulumi.output(
        asked.then(() =>
          pulumi.all([pulumi.output(target.connection), pulumi.all(checks.map((c) => c.check))]).apply(([login, scripts]) =>
            this.look(target.hostName, login as SshLogin, checks.map((c, i) => ({ concern: c.concern, script: scripts[i] })))
              // A host that cannot be looked at fails the run with one message, and nothing waits on it.
              .catch((err: Error) => failRun(err.message)),
          ),
        ),
      );
      // What a host is, is no secret, though the connection that found it holds a key.
      batch = { checks, found: pulumi.unsecret(found) };
      this.batches.set(target.hostName, batch);
    }
    return batch;
  }
}

/** The scripts' folder that a host's `scripts` check printed, after saying what it found. */
function scriptsFound(hostName: string, lines: string[]): Promise<string> {
  const folder = lines.find((l) => l.startsWith(scriptsLine) && l !== scriptsPlacedLine && l !== scriptsMissingLine)?.slice(scriptsLine.length);
  if (!folder) return failRun(`${hostName}: cannot tell where clipper-swarm's scripts are: ${lines.join("; ") || "the check printed nothing"}`);
  if (lines.includes(scriptsPlacedLine)) pulumi.log.info(`${hostName}: put this version of clipper-swarm's scripts in ${folder}`);
  return Promise.resolve(folder);
}

/** How a check reports that the host's engine manages a swarm, and whether as its leader. */
const swarmRoleLines = new Map<string, SwarmRole>([
  ["swarm: manager", "manager"],
  ["swarm: leader", "leader"],
]);

/** Marks the end of one check's output in a probe's combined output. */
const endMark = "@@clipper-swarm-check";

/**
 * Runs every check in one session, all at once, each in a subshell of its own
 * so that one failing stops none of the others; then prints each one's output
 * and exit status in turn.
 */
export function batchScript(scripts: string[]): string {
  const run = scripts.map((script, i) => `{ (\n${script}\n) >"$out/${i}" 2>&1; echo $? >"$out/${i}.status"; } &`);
  const report = scripts.map((_, i) => `cat "$out/${i}"; echo "${endMark} ${i} $(cat "$out/${i}.status")"`);
  return ['out=$(mktemp -d)', ...run, "wait", ...report, 'rm -rf "$out"'].join("\n");
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

/**
 * How long a host's checks may take together. Each call they make to an
 * engine is bounded on the host (common.sh); this bounds what else could hang.
 */
export const checkSeconds = 60;

/** Runs a host's checks in one session, then ends it: the lines each printed, by concern. */
export async function probeHost(
  hostName: string,
  login: Promise<SshSession>,
  checks: HostCheck[],
): Promise<CheckLines> {
  const session = await reach(hostName, login);
  return runChecks(hostName, session, checks).finally(() => session.close());
}

/** The session of a login, or an error that names the host and the way out. */
function reach(hostName: string, login: Promise<SshSession>): Promise<SshSession> {
  return login.catch((err: Error) => {
    const wayOut = err instanceof HostKeyMismatch ? "" : ". If it is gone for good, take it out of the inventory, or mark it gone: true (hosts/README.md)";
    throw new pulumi.RunError(`${hostName}: cannot look at the host: ${err.message}${wayOut}`);
  });
}

/** Runs a host's checks in its session: the lines each printed, by concern. */
async function runChecks(hostName: string, session: SshSession, checks: HostCheck[]): Promise<CheckLines> {
  const run = await session.run(batchScript(checks.map((c) => c.script)), checkSeconds).catch((err: Error) => {
    throw new pulumi.RunError(`${hostName}: cannot run the checks: ${err.message}`);
  });
  const results = parseBatch(run.stdout);
  const found: CheckLines = {};
  for (const [i, { concern }] of checks.entries()) {
    const result = results[i];
    if (!result || result.status !== 0) {
      const said = result?.lines.pop() ?? (run.stderr.trim().split("\n").pop() || `exit status ${run.code}`);
      throw new pulumi.RunError(`${hostName}: cannot check the ${concern}: ${said}`);
    }
    found[concern] = result.lines;
  }
  return found;
}

/** How a check reports a fact about the host rather than a drift, by the Observation field it fills. */
const factPrefixes = { lastRun: "last-run: ", swarmId: "swarm-id: ", marked: "marked: " } as const;

/** How a check reports that the host's engine does not answer on TCP. */
const silentLine = "engine: silent";

/** What a check's lines say: its drift, the run its host records, and the host's place in a swarm. */
export function observationOf(lines: string[]): Observation {
  const prefixes = Object.values(factPrefixes);
  const drift = lines.filter((l) => !prefixes.some((p) => l.startsWith(p)) && !swarmRoleLines.has(l) && l !== silentLine);
  const facts: Partial<Record<keyof typeof factPrefixes, string>> = {};
  for (const [field, prefix] of Object.entries(factPrefixes) as [keyof typeof factPrefixes, string][]) {
    const value = lines.find((l) => l.startsWith(prefix))?.slice(prefix.length);
    if (value) facts[field] = value;
  }
  const swarmRole = lines.map((l) => swarmRoleLines.get(l)).find(Boolean);
  return {
    found: drift.length ? drift.join("; ") : asConfigured,
    ...facts,
    ...(swarmRole && { swarmRole }),
    ...(lines.includes(silentLine) && { engineSilent: true }),
  };
}
