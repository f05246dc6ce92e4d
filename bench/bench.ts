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
// printed and written to bench-results/breakdown.json. With --scale, the
// cost model against the host count instead (bench/scale.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { busyCpuSeconds } from "./cpu";
import { benchStack, cpuSince, firstHost, fresh, labHosts, must, prepareLab, progress, root, took, Took } from "./lab-runs";
import { BenchRun, chart, median, middleItem, perExtraHost, pulumiFigures, resultsJson, table } from "./results";
import { scaleMain } from "./scale";
import { Part, partsTable, previewParts, readSpans, upParts } from "./trace";

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
  const stack = benchStack(hosts, { tls });
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

const usage = "usage: npm run bench [-- --hosts N]... [--rounds R]   (N from 1 to 7, R from 1 to 9), or npm run bench -- --scale [--rounds R] [--docker-providers on|off]";

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
  const args = process.argv.slice(2);
  if (args[0] === "--scale") return scaleMain(args.slice(1));
  const { sizes, rounds } = optionsFrom(args);
  prepareLab(firstHost + Math.max(...sizes) - 1);
  const runs: BenchRun[] = [];
  const breakdowns: Breakdown[] = [];
  for (const n of sizes) {
    const hosts = labHosts(n);
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
