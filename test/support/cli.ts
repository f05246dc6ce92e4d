/**
 * Runs the project's real tools from integration tests: the Pulumi CLI that
 * `npm run setup` built, SSH to the lab's hosts, the Docker client.
 */
import * as assert from "node:assert/strict";
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadInventory, HostSpec } from "../../hosts/inventory";
import { dropInPath, engineTlsFolder, tcpSocketPath } from "../../components/daemon-endpoint";
import { shellQuote } from "../../components/remote/remote-script";

/** The repository's root (tests run from build/test/...). */
export const root = path.resolve(__dirname, "..", "..", "..");

/** A finished command. */
export interface Run {
  /** Exit status. */
  status: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** Runs a program to its end; never throws for a non-zero exit. */
export function run(file: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Run {
  const r = spawnSync(file, args, {
    cwd: opts.cwd ?? root,
    env: opts.env ?? process.env,
    input: opts.input,
    encoding: "utf8",
    timeout: opts.timeoutMs ?? 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A failed Pulumi run's output for an assertion's message: its diagnostics,
 * where Pulumi says what failed, first, as a report may cut a long message
 * short; then its error output and the whole of its output.
 */
export function failureText(r: Pick<Run, "stdout" | "stderr">): string {
  const diagnostics = r.stdout.match(/^Diagnostics:\n[\s\S]*?(?=^(?:Outputs|Resources):|(?![\s\S]))/m)?.[0] ?? "";
  return `${diagnostics}${r.stderr}\n--- the whole output ---\n${r.stdout}`;
}

/** Where setup keeps what it builds and the plugin binaries (tools/setup.sh). */
export const toolCache = path.join(process.env.CLIPPER_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "clipper-swarm"), "tools");

/** The project's `pulumi` (the wrapper that `npm run setup` installs). */
export const pulumiBin = path.join(root, ".tools", "bin", "pulumi");

/** Runs the project's `pulumi`. */
export function pulumi(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Run {
  return run(pulumiBin, ["--non-interactive", ...args], opts);
}

/** Starts the project's `pulumi` without waiting for it; its output comes through pipes as it runs. */
export function startPulumi(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  return spawn(pulumiBin, ["--non-interactive", ...args], { cwd: opts.cwd ?? root, env: opts.env ?? process.env });
}

/**
 * The resource plugins that setup could not provide, with its reason, or
 * undefined when all are installed. Tests that need them skip with this text.
 */
export function missingPlugins(): string | undefined {
  const file = path.join(root, ".tools", "missing-plugins");
  return existsSync(file) ? `plugins unavailable: ${readFileSync(file, "utf8").trim()}` : undefined;
}

/**
 * The inventory of the lab hosts that the tests use (not the dev stack's):
 * three, or the seven that `npm run test:scale` names in CLIPPER_TEST_INVENTORY.
 */
export const testInventory = process.env.CLIPPER_TEST_INVENTORY ?? "test/fixtures/lab-hosts.yaml";

/** The lab hosts that the tests use, or those of another inventory of the tests' (relative to the repository). */
export function labHosts(inventory = testInventory): HostSpec[] {
  return loadInventory(path.join(root, inventory)).hosts;
}

/** Runs a shell command on a lab host as login `user`, over SSH with the lab key. */
export function sshAs(host: HostSpec, user: string, command: string, input?: string): Run {
  const key = host.privateKey.kind === "path" ? host.privateKey.path : "";
  return run("ssh", [
    "-i", key, "-p", String(host.port),
    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
    "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
    `${user}@${host.address}`, command,
  ], { input });
}

/** Runs a shell command as root on a lab host, as the stack's steps run: through sudo for a login other than root. */
export function ssh(host: HostSpec, command: string, input?: string): Run {
  return sshAs(host, host.user, host.user === "root" ? command : `sudo -n sh -c ${shellQuote(command)}`, input);
}

/** When a host's engine last started, and its swarm node: what a run that leaves the host alone must not change. */
export function engineAndNode(host: HostSpec): string {
  const r = ssh(host, "systemctl show -p ActiveEnterTimestampMonotonic --value docker; docker info --format '{{.Swarm.NodeID}} {{.Swarm.ControlAvailable}}'");
  return `${host.name} ${r.stdout.trim().replace(/\n/g, " ")}`;
}

/** Runs the Docker client against an engine URL such as tcp://10.231.0.11:2375. */
export function dockerAt(url: string, args: string[]): Run {
  return run("docker", ["-H", url, ...args], { timeoutMs: 120_000 });
}

/**
 * The swarm's nodes as the engine at `url` lists them: `HOSTNAME STATUS ROLE`,
 * sorted, where a reachable manager reads "manager", leader or not, and a lost
 * one "Unreachable". Which manager leads is raft's choice, not the stack's: it
 * moves when the leader's engine restarts, or under load. Exactly one leads.
 */
export function swarmMembers(url: string): string[] {
  const listed = dockerAt(url, ["node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.ManagerStatus}}"]);
  assert.equal(listed.status, 0, `docker node ls at ${url}: ${listed.stderr}`);
  assert.equal(listed.stdout.match(/ Leader$/gm)?.length, 1, `one leader at ${url}:\n${listed.stdout}`);
  return listed.stdout.trim().split("\n").map((line) => line.replace(/ (Leader|Reachable)$/, " manager")).sort();
}

/**
 * What this tool left on a host: its drop-in, its state folder, a swarm, the
 * network, an engine answering on 2375. Empty when the host is as it was.
 */
export function leftovers(host: HostSpec): string[] {
  const found = ssh(host, [
    `test -e ${dropInPath} && echo drop-in`,
    `test -e ${tcpSocketPath} && echo socket-unit`,
    "test -e /var/lib/clipper-swarm && echo state-folder",
    `test -e ${engineTlsFolder} && echo tls-folder`,
    `[ "$(docker info --format '{{.Swarm.LocalNodeState}}')" = inactive ] || echo swarm`,
    "docker network ls -q --filter name=clipper_network | grep -q . && echo network",
    "true",
  ].join("; "));
  const left = found.stdout.trim().split("\n").filter(Boolean);
  if (found.status !== 0) left.push(`ssh failed: ${found.stderr.trim()}`);
  if (dockerAt(`tcp://${host.address}:2375`, ["version"]).status === 0) left.push("engine on 2375");
  return left.map((l) => `${host.name}: ${l}`);
}
