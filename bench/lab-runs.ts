/**
 * What the bench's modes share: the lab hosts they run on, commands that stop
 * the bench when they fail, the machine's CPU around a step, and a stack of
 * the program with a backend of its own.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import pLimit from "p-limit";
import { providerClientFolder } from "../components/tls/engine-client";
import { busyCpuSeconds } from "./cpu";
import { Part } from "./trace";

/** The repository's root, where the bench runs its commands. */
export const root = path.resolve(__dirname, "..", "..");
/** The CLI that `tools/setup.sh` builds. */
export const pulumiBin = path.join(root, ".tools", "bin", "pulumi");
/** The bench's first lab host: hosts 1-3 are the dev stack's, and stay. */
export const firstHost = 4;
/** The Debian release of the bench's hosts. */
export const release = 13;

/** Prints what the bench is doing now. */
export function progress(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

/** Runs a command to completion; a failure stops the bench, as its time would mean nothing. */
export function must(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(file, args, { cwd: root, env, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${file} ${args.join(" ")} failed:\n${(r.stdout + r.stderr).slice(-3000)}`);
  return r.stdout;
}

/** What a step took: seconds of wall time, and of the machine's CPU over all its cores. */
export interface Took {
  seconds: number;
  cpu: number;
}

/** What `file args` takes, also printed after the progress line of what ran. */
export function timed(file: string, args: string[], env?: NodeJS.ProcessEnv): Took {
  const cpu = busyCpuSeconds();
  const start = process.hrtime.bigint();
  must(file, args, env);
  return took({ seconds: Number(process.hrtime.bigint() - start) / 1e9, cpu: cpuSince(cpu) });
}

/** The machine's CPU seconds since `busyCpuSeconds()` gave `start`, to its clock's tick. */
export function cpuSince(start: number): number {
  return Math.round((busyCpuSeconds() - start) * 100) / 100;
}

/** Prints what a step took, under its progress line, and gives it back. */
export function took(step: Took): Took {
  progress(`  ${step.seconds.toFixed(1)} s, ${step.cpu.toFixed(1)} s of CPU`);
  return step;
}

/** The bench's first `n` lab hosts' names. */
export function labHosts(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `host${firstHost + i}`);
}

/** Builds the toolchain and brings up the lab with hosts `firstHost`..`lastHost` on the bench's release. */
export function prepareLab(lastHost: number): void {
  progress(`preparing the toolchain and lab hosts ${firstHost}..${lastHost} on Debian ${release}`);
  must("bash", ["tools/setup.sh"]);
  const spec = Array.from({ length: lastHost - firstHost + 1 }, (_, i) => `host${firstHost + i}=${release}`).join(",");
  must("bash", ["lab/lab.sh", "up", String(Math.max(lastHost, 3)), "--debian", spec]);
}

/**
 * Seconds a freshly reset host is left before a step is timed: it answers
 * over SSH while its first boot may still be starting services, which would
 * share the lab's 2 cores with the step.
 */
const settleSeconds = 15;

/**
 * Hosts reset at once: each reset waits for every lab host to boot, and 25
 * booting at once on the lab's cores left one degraded.
 */
const resetsAtOnce = 5;

/** Resets `hosts` to fresh systems, a few at once, and lets them settle. */
export async function fresh(hosts: string[]): Promise<void> {
  progress(`resetting ${hosts[0]}..${hosts[hosts.length - 1]} to fresh systems`);
  const limit = pLimit(resetsAtOnce);
  await Promise.all(hosts.map((h) => limit(() => resetHost(h))));
  await new Promise((resolve) => setTimeout(resolve, settleSeconds * 1000));
}

/** Resets host `h`; a failure quotes the lab's last lines. */
function resetHost(h: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn("bash", ["lab/lab.sh", "reset", h], { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
    let said = "";
    child.stderr.on("data", (chunk: Buffer) => (said = (said + chunk.toString()).slice(-2000)));
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`lab reset ${h} failed:\n${said.trim()}`))));
  });
}

/** The bench's stack: its name, in the CLI's arguments and in its backend's files. */
export const benchStackName = "bench";

/** How the bench's stack runs: TLS mode or plain TCP, and how many of its first hosts are managers (all unless said). */
export interface StackOptions {
  tls: boolean;
  managers?: number;
  /** Each host gets a Docker provider, and Pulumi a Docker plugin for it (`clipper-swarm:dockerProviders`); false unless said, as the stack's default. */
  dockerProviders?: boolean;
}

/** The inventory of `hosts` with the lab's key, the first `managers` of them managers, the others workers. */
function inventoryText(hosts: string[], managers: number): string {
  const host = (h: string, i: number) => `  - name: ${h}\n    address: 10.231.0.${10 + Number(h.slice(4))}\n` + (i < managers ? "" : "    role: worker\n");
  return `defaults:\n  user: clipper\n  privateKey:\n    path: ${root}/.lab/id_ed25519\nhosts:\n` + hosts.map(host).join("");
}

/** A stack of the program on `hosts`, with a backend of its own. */
export function benchStack(hosts: string[], { tls, managers = hosts.length, dockerProviders = false }: StackOptions) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "clipper-swarm-bench-"));
  const env = { ...process.env, PULUMI_BACKEND_URL: `file://${dir}`, PULUMI_CONFIG_PASSPHRASE: "bench", PULUMI_STACK: benchStackName };
  const inventory = path.join(dir, "hosts.yaml");
  writeFileSync(inventory, inventoryText(hosts, managers));
  const configFile = path.join(dir, `Pulumi.${benchStackName}.yaml`);
  writeFileSync(
    configFile,
    `config:\n  clipper-swarm:inventory: ${inventory}\n  clipper-swarm:daemonTls: ${tls}\n  clipper-swarm:testImage: clipper-lab/probe:latest\n` +
      `  clipper-swarm:dockerProviders: ${dockerProviders}\n`,
  );
  const cli = (args: string[]) => [...args, "--stack", benchStackName, "--config-file", configFile];
  must(pulumiBin, ["stack", "init", benchStackName], env);
  if (tls) must("node", ["build/bin/tls.js", "keys", "--config-file", configFile], env);
  return {
    /** The file backend's folder. */
    backend: dir,
    /** The environment that points the CLI at the stack's backend. */
    env,
    /** The CLI's arguments for `pulumi ARGS` on this stack. */
    cli,
    /** Times `pulumi ARGS`; `background`: started as a script starts a command with `&`, SIGINT ignored. */
    time: (label: string, args: string[], { background = false } = {}) => {
      progress(label);
      return background ? timed("bash", ["-c", '"$0" "$@" & wait $!', pulumiBin, ...cli(args)], env) : timed(pulumiBin, cli(args), env);
    },
    /** Like time, with the run's OpenTelemetry trace, which the breakdown reads. */
    traced: (label: string, args: string[], parts: (file: string) => Part[]) => {
      progress(label);
      const trace = path.join(dir, "trace.json");
      const step = timed(pulumiBin, cli([...args, "--otel-traces", `file://${trace}`]), env);
      // The trace holds the run's requests, inputs included: only its timings are kept.
      const found = parts(trace);
      rmSync(trace);
      return { ...step, parts: found };
    },
    /**
     * An untimed preview of the fresh hosts, which change nothing: the CLI,
     * node, the SDK and the plugins are then read from memory, not from the
     * disk that the hosts' reset went through, as the floor's tools are by its turn.
     */
    warm: (label: string) => {
      progress(label);
      must(pulumiBin, cli(["preview"]), env);
    },
    verify: () => must("node", ["build/bin/verify.js"], env),
    dispose: () => {
      rmSync(dir, { recursive: true, force: true });
      // `stack init` wrote the stack's encryption salt beside the program.
      rmSync(path.join(root, `Pulumi.${benchStackName}.yaml`), { force: true });
      rmSync(providerClientFolder("clipper-swarm", benchStackName, "cluster"), { recursive: true, force: true });
    },
  };
}

/** A stack that `benchStack` made. */
export type BenchStack = ReturnType<typeof benchStack>;
