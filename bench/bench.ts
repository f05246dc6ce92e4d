// `npm run bench [-- --hosts N]... [--rounds R]`: the stack against the seed's
// procedure on the same lab hosts, in one run per size (3, 5 and 7 hosts
// unless --hosts says), each step on freshly reset hosts: the seed's
// procedure, then R rounds (3 unless --rounds says) of its floor
// (bench/procedure.sh) and the stack in the dev stack's configuration (plain
// TCP, user clipper, the drift audit included): cold up, verify, no-op
// preview, no-op up, destroy. Each figure is the median of its rounds: the
// floor alone moves by a second or two between runs on the same hosts. The
// smallest size also runs in TLS mode. Sizes use hosts 4 and up on Debian 13,
// so a dev cluster on hosts 1-3 stays. Writes bench-results/latest.json and
// latest.svg, and prints the table; the cold up and the no-op preview are
// traced, and where the time of the round at the median cold up went is
// printed and written to bench-results/breakdown.json.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { providerClientFolder } from "../components/tls/engine-client";
import { busyCpuSeconds } from "./cpu";
import { BenchRun, chart, median, middleItem, perExtraHost, pulumiFigures, resultsJson, table } from "./results";
import { Part, partsTable, previewParts, readSpans, upParts } from "./trace";

const root = path.resolve(__dirname, "..", "..");
const pulumiBin = path.join(root, ".tools", "bin", "pulumi");
const firstHost = 4;
const release = 13;

/** Prints what the bench is doing now. */
function progress(text: string): void {
  process.stderr.write(`bench: ${text}\n`);
}

/** Runs a command to completion; a failure stops the bench, as its time would mean nothing. */
function must(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(file, args, { cwd: root, env, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${file} ${args.join(" ")} failed:\n${(r.stdout + r.stderr).slice(-3000)}`);
  return r.stdout;
}

/** What a step took: seconds of wall time, and of the machine's CPU over all its cores. */
interface Took {
  seconds: number;
  cpu: number;
}

/** What `file args` takes, also printed after the progress line of what ran. */
function timed(file: string, args: string[], env?: NodeJS.ProcessEnv): Took {
  const cpu = busyCpuSeconds();
  const start = process.hrtime.bigint();
  must(file, args, env);
  return took({ seconds: Number(process.hrtime.bigint() - start) / 1e9, cpu: cpuSince(cpu) });
}

/** The machine's CPU seconds since `busyCpuSeconds()` gave `start`, to its clock's tick. */
function cpuSince(start: number): number {
  return Math.round((busyCpuSeconds() - start) * 100) / 100;
}

/** Prints what a step took, under its progress line, and gives it back. */
function took(step: Took): Took {
  progress(`  ${step.seconds.toFixed(1)} s, ${step.cpu.toFixed(1)} s of CPU`);
  return step;
}

/**
 * Seconds a freshly reset host is left before a step is timed: it answers
 * over SSH while its first boot may still be starting services, which would
 * share the lab's 2 cores with the step.
 */
const settleSeconds = 15;

/** Resets `hosts` to fresh systems, all at once, and lets them settle. */
async function fresh(hosts: string[]): Promise<void> {
  progress(`resetting ${hosts[0]}..${hosts[hosts.length - 1]} to fresh systems`);
  await Promise.all(
    hosts.map(
      (h) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn("bash", ["lab/lab.sh", "reset", h], { cwd: root, stdio: "ignore" });
          child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`lab reset ${h} failed`))));
        }),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, settleSeconds * 1000));
}

/** A stack of the program on `hosts`, with a backend of its own. */
function benchStack(hosts: string[], tls: boolean) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "clipper-swarm-bench-"));
  const env = { ...process.env, PULUMI_BACKEND_URL: `file://${dir}`, PULUMI_CONFIG_PASSPHRASE: "bench", PULUMI_STACK: "bench" };
  const inventory = path.join(dir, "hosts.yaml");
  writeFileSync(
    inventory,
    `defaults:\n  user: clipper\n  privateKey:\n    path: ${root}/.lab/id_ed25519\nhosts:\n` +
      hosts.map((h) => `  - name: ${h}\n    address: 10.231.0.${10 + Number(h.slice(4))}\n`).join(""),
  );
  const configFile = path.join(dir, "Pulumi.bench.yaml");
  writeFileSync(
    configFile,
    `config:\n  clipper-swarm:inventory: ${inventory}\n  clipper-swarm:daemonTls: ${tls}\n  clipper-swarm:testImage: clipper-lab/probe:latest\n`,
  );
  const cli = (args: string[]) => [...args, "--stack", "bench", "--config-file", configFile];
  must(pulumiBin, ["stack", "init", "bench"], env);
  if (tls) must("node", ["build/bin/tls.js", "keys", "--config-file", configFile], env);
  return {
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
      rmSync(path.join(root, "Pulumi.bench.yaml"), { force: true });
      rmSync(providerClientFolder("clipper-swarm", "bench", "cluster"), { recursive: true, force: true });
    },
  };
}

/** Where a cold up's and a no-op preview's time went, in one run. */
interface Breakdown {
  hosts: number;
  mode: BenchRun["mode"];
  up: Part[];
  preview: Part[];
}

/** What each round of the stack measures: Pulumi's figures, and the CPU of its cold up. */
const roundFigures = [...pulumiFigures, "up_cpu_s"] as const;

/** What one round of the stack measured. */
interface StackRound {
  figures: Pick<BenchRun, (typeof roundFigures)[number]>;
  breakdown: Breakdown;
}

/** The stack's figures on fresh `hosts`, and where the time of its cold up and no-op preview went. */
async function stackRun(hosts: string[], tls: boolean): Promise<StackRound> {
  await fresh(hosts);
  const stack = benchStack(hosts, tls);
  const mode = tls ? "TLS" : "plain";
  try {
    stack.warm(`${hosts.length} hosts, ${mode}: untimed preview (warm caches)`);
    const up = stack.traced(`${hosts.length} hosts, ${mode}: cold pulumi up`, ["up", "--yes", "--skip-preview"], (f) => upParts(readSpans(f)));
    progress(`${hosts.length} hosts, ${mode}: npm run verify`);
    stack.verify();
    const preview = stack.traced(`${hosts.length} hosts, ${mode}: no-op pulumi preview`, ["preview", "--expect-no-changes"], (f) => previewParts(readSpans(f)));
    const previewBg = stack.time(`${hosts.length} hosts, ${mode}: no-op pulumi preview, started in the background`, ["preview", "--expect-no-changes"], { background: true });
    const noop_up = stack.time(`${hosts.length} hosts, ${mode}: no-op pulumi up`, ["up", "--yes", "--skip-preview", "--expect-no-changes"]);
    const destroy = stack.time(`${hosts.length} hosts, ${mode}: pulumi destroy`, ["destroy", "--yes", "--skip-preview"]);
    return {
      figures: { up_s: up.seconds, noop_up_s: noop_up.seconds, preview_s: preview.seconds, preview_bg_s: previewBg.seconds, destroy_s: destroy.seconds, up_cpu_s: up.cpu },
      breakdown: { hosts: hosts.length, mode: tls ? "tls" : "plain", up: up.parts, preview: preview.parts } satisfies Breakdown,
    };
  } finally {
    stack.dispose();
  }
}

/** The seed's procedure (`seed`) or its floor, on fresh `hosts`: the seconds it reports, and the machine's CPU around it. */
async function procedure(mode: "seed" | "floor", hosts: string[]): Promise<Took> {
  await fresh(hosts);
  progress(`${hosts.length} hosts: the seed's procedure${mode === "floor" ? " with --tls=false, engines in parallel (the floor)" : ", as it reads"}`);
  const cpu = busyCpuSeconds();
  const seconds = Number(must("bash", ["bench/procedure.sh", mode, ...hosts]).trim());
  return took({ seconds, cpu: cpuSince(cpu) });
}

const usage = "usage: npm run bench [-- --hosts N]... [--rounds R]   (N from 1 to 7, R from 1 to 9)";

function optionsFrom(args: string[]): { sizes: number[]; rounds: number } {
  const sizes: number[] = [];
  let rounds = 3;
  for (let i = 0; i < args.length; i += 2) {
    const n = Number(args[i + 1]);
    if (args[i] === "--hosts" && Number.isInteger(n) && n >= 1 && n <= 7) sizes.push(n);
    else if (args[i] === "--rounds" && Number.isInteger(n) && n >= 1 && n <= 9) rounds = n;
    else throw new Error(usage);
  }
  return { sizes: sizes.length ? sizes : [3, 5, 7], rounds };
}

/** Each figure's median over the rounds. */
function medianFigures(rounds: StackRound[]): StackRound["figures"] {
  return Object.fromEntries(roundFigures.map((f) => [f, median(rounds.map((r) => r.figures[f]))])) as StackRound["figures"];
}

async function main(): Promise<void> {
  const { sizes, rounds } = optionsFrom(process.argv.slice(2));
  const lastHost = firstHost + Math.max(...sizes) - 1;
  progress(`preparing the toolchain and lab hosts ${firstHost}..${lastHost} on Debian ${release}`);
  must("bash", ["tools/setup.sh"]);
  const spec = Array.from({ length: lastHost - firstHost + 1 }, (_, i) => `host${firstHost + i}=${release}`).join(",");
  must("bash", ["lab/lab.sh", "up", String(Math.max(lastHost, 3)), "--debian", spec]);
  const runs: BenchRun[] = [];
  const breakdowns: Breakdown[] = [];
  for (const n of sizes) {
    const hosts = Array.from({ length: n }, (_, i) => `host${firstHost + i}`);
    const seed_s = (await procedure("seed", hosts)).seconds;
    const modes = n === Math.min(...sizes) ? [false, true] : [false];
    const floors: Took[] = [];
    const stackRounds = modes.map((): StackRound[] => []);
    for (let round = 1; round <= rounds; round++) {
      progress(`${n} hosts: round ${round} of ${rounds}`);
      floors.push(await procedure("floor", hosts));
      for (const [i, tls] of modes.entries()) stackRounds[i].push(await stackRun(hosts, tls));
    }
    for (const measured of stackRounds) {
      const { breakdown } = middleItem(measured, (r) => r.figures.up_s);
      runs.push({
        hosts: n,
        mode: breakdown.mode,
        seed_s,
        floor_s: median(floors.map((f) => f.seconds)),
        ...medianFigures(measured),
        floor_cpu_s: median(floors.map((f) => f.cpu)),
        rounds,
      });
      breakdowns.push(breakdown);
    }
  }
  const out = path.join(root, "bench-results");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "latest.json"), resultsJson(runs));
  writeFileSync(path.join(out, "latest.svg"), chart(runs));
  writeFileSync(path.join(out, "breakdown.json"), JSON.stringify({ runs: breakdowns }, null, 2) + "\n");
  for (const b of breakdowns) {
    process.stdout.write(partsTable(`${b.hosts} hosts, ${b.mode}: cold pulumi up`, b.up));
    process.stdout.write(partsTable(`${b.hosts} hosts, ${b.mode}: no-op pulumi preview`, b.preview));
  }
  process.stdout.write(table(runs));
  process.stdout.write(perExtraHost(runs, os.cpus().length));
  progress("wrote bench-results/latest.json, latest.svg and breakdown.json");
}

main().catch((err: Error) => {
  progress(err.message);
  process.exitCode = 1;
});
