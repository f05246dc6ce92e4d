// `npm run bench -- --scale [--rounds R] [--docker-providers on|off]`: what
// Pulumi's runs cost against the number of hosts, and what that would come to
// at 50 and 100 hosts. At 3, 7, 15 and 25 lab hosts (host4 and up, on Debian
// 13; 3 managers, the others workers), on freshly reset hosts, after an
// untimed preview, in R rounds (1 unless --rounds says; each figure the
// median), with a Docker provider per host where --docker-providers is on:
// cold up, no-op preview and destroy, each with its wall time, the CPU of
// Pulumi's processes and of the machine, their peak memory, their plugins, the
// state's size and the CLI's writes. Fits each figure against the host count
// (bench/fit.ts), checks the fits at 100 hosts against this machine, prints
// the table and the check, and writes bench-results/scale.json and scale.svg.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { busyCpuSeconds } from "./cpu";
import { BenchStack, benchStack, benchStackName, cpuSince, firstHost, fresh, labHosts, prepareLab, progress, pulumiBin, root } from "./lab-runs";
import { childrenCpuSeconds, memTotalBytes, stackStateFile } from "./measure";
import { runSampled } from "./sampler";
import {
  checksSummary,
  format,
  machineChecks,
  medianSteps,
  scaleChart,
  scaleFits,
  scaleJson,
  ScaleRun,
  scaleSizes,
  ScaleStep,
  scaleTable,
  StepFigures,
} from "./scale-results";

/**
 * Managers at every size: with the same raft group throughout, what the fits
 * see is what each extra host costs. The smallest size is all managers.
 */
const managers = 3;

/**
 * Runs the CLI, then has bash report with `times` the CPU of the children
 * it waited for: the CLI, whose own figure includes every descendant it
 * waited for, the language host, node and the plugins among them.
 */
const timesWrapper = '"$@"; status=$?; times >&2; exit $status';

/** The size of the stack's state file in the file backend at `backend`. */
function stateBytes(backend: string): number {
  const stacks = path.join(backend, ".pulumi", "stacks");
  const file = stackStateFile(readdirSync(stacks, { recursive: true, encoding: "utf8" }), benchStackName);
  return statSync(path.join(stacks, file)).size;
}

/** Runs `pulumi ARGS` on the stack, sampled, and gives its figures, also printed under the progress line. */
async function measuredStep(stack: BenchStack, label: string, args: string[]): Promise<StepFigures> {
  progress(label);
  const machineCpu = busyCpuSeconds();
  const ownCpu = process.cpuUsage();
  const run = await runSampled("bash", ["-c", timesWrapper, "_", pulumiBin, ...stack.cli(args)], stack.env);
  const machine_cpu_s = cpuSince(machineCpu);
  const own = process.cpuUsage(ownCpu);
  const figures: StepFigures = {
    wall_s: run.seconds,
    pulumi_cpu_s: childrenCpuSeconds(run.stderr),
    machine_cpu_s,
    peak_rss_bytes: run.tree.peakRssBytes,
    peak_plugins: run.tree.peakPlugins,
    plugins: run.tree.plugins,
    state_bytes: stateBytes(stack.backend),
    // The CLI's writes of every kind, the state's checkpoints first among them,
    // but also its output and its requests to the plugins and the language
    // host; not its children's. Writes after its last sample are missed.
    written_bytes: run.tree.writtenBytes,
  };
  progress(
    `  ${format("s", figures.wall_s)}; CPU: Pulumi ${format("s", figures.pulumi_cpu_s)}, the machine ${format("s", machine_cpu_s)}, ` +
      `the bench's sampling ${format("s", (own.user + own.system) / 1e6, 2)}; peak memory ${format("bytes", figures.peak_rss_bytes)}; ` +
      `plugins ${figures.peak_plugins} at once, ${figures.plugins} in all; state ${format("bytes", figures.state_bytes)}, the CLI wrote ${format("bytes", figures.written_bytes)}`,
  );
  return figures;
}

/** One round at one size: fresh hosts, an untimed preview, then each step measured. */
async function scaleRound(hosts: string[], dockerProviders: boolean): Promise<Record<ScaleStep, StepFigures>> {
  await fresh(hosts);
  const stack = benchStack(hosts, { tls: false, managers, dockerProviders });
  const at = `${hosts.length} hosts`;
  try {
    stack.warm(`${at}: untimed preview (warm caches)`);
    const up = await measuredStep(stack, `${at}: cold pulumi up`, ["up", "--yes", "--skip-preview"]);
    const preview = await measuredStep(stack, `${at}: no-op pulumi preview`, ["preview", "--expect-no-changes"]);
    const destroy = await measuredStep(stack, `${at}: pulumi destroy`, ["destroy", "--yes", "--skip-preview"]);
    return { up, preview, destroy };
  } finally {
    stack.dispose();
  }
}

/** How `--scale`'s other arguments say to run. */
export const scaleUsage = "usage: npm run bench -- --scale [--rounds R] [--docker-providers on|off]   (R from 1 to 9, 1 unless said; providers off unless said, as the stack has them)";

/** What `--scale`'s other arguments ask for. */
export interface ScaleOptions {
  /** Rounds at each size; each figure is their median. */
  rounds: number;
  /** The stack gives each host a Docker provider, and so Pulumi a Docker plugin per host (`clipper-swarm:dockerProviders`). */
  dockerProviders: boolean;
}

/** The options that `--scale`'s other arguments ask for, in any order, each at most once; anything else throws the usage. */
export function scaleOptions(args: string[]): ScaleOptions {
  let rounds: number | undefined;
  let dockerProviders: boolean | undefined;
  for (let i = 0; i < args.length; i += 2) {
    const [name, value] = [args[i], args[i + 1]];
    const n = Number(value);
    if (name === "--rounds" && rounds === undefined && Number.isInteger(n) && n >= 1 && n <= 9) rounds = n;
    else if (name === "--docker-providers" && dockerProviders === undefined && (value === "on" || value === "off")) dockerProviders = value === "on";
    else throw new Error(scaleUsage);
  }
  // Providers on: the stack's own default, as the runs before the option measured it.
  return { rounds: rounds ?? 1, dockerProviders: dockerProviders ?? false };
}

/** The machine that runs Pulumi: its cores and its memory. */
function thisMachine() {
  return { cores: os.cpus().length, memoryBytes: memTotalBytes(readFileSync("/proc/meminfo", "utf8")) };
}

/** Runs the scale bench with `args`, the arguments after `--scale`. */
export async function scaleMain(args: string[]): Promise<void> {
  const { rounds, dockerProviders } = scaleOptions(args);
  prepareLab(firstHost + Math.max(...scaleSizes) - 1);
  const runs: ScaleRun[] = [];
  for (const n of scaleSizes) {
    const measured: Record<ScaleStep, StepFigures>[] = [];
    for (let round = 1; round <= rounds; round++) {
      progress(`${n} hosts: round ${round} of ${rounds}`);
      measured.push(await scaleRound(labHosts(n), dockerProviders));
    }
    runs.push({ hosts: n, managers: Math.min(n, managers), rounds, steps: medianSteps(measured) });
  }
  const machine = thisMachine();
  const fits = scaleFits(runs);
  const checks = machineChecks(fits, machine);
  const out = path.join(root, "bench-results");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "scale.json"), scaleJson(runs, fits, machine, checks, dockerProviders));
  writeFileSync(path.join(out, "scale.svg"), scaleChart(runs, fits));
  process.stdout.write(scaleTable(runs, fits, dockerProviders));
  process.stdout.write(checksSummary(checks, machine));
  progress("wrote bench-results/scale.json and scale.svg");
}
