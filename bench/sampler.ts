/**
 * Runs a command while sampling, from /proc, the processes below it: their
 * summed resident memory, the plugins among them, and the writes of its
 * child, the CLI. A sample reads every process's stat, since a process's
 * parent is only written there; the sampling's own CPU counts in the
 * machine's.
 */
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { root } from "./lab-runs";
import { commandName, descendants, ownWchar, parseStat, ProcStat, TreeFigures, TreePeaks } from "./measure";

/** Milliseconds between samples: short enough for a plugin's life, long enough to leave the cores to the run. */
const sampleMs = 200;

/** Bytes in a page, the unit of the resident set in /proc/PID/stat. */
const pageBytes = Number(execFileSync("getconf", ["PAGESIZE"], { encoding: "utf8" }).trim());

/** A file under /proc, or nothing if its process ended meanwhile. */
function procFile(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Every process's stat, but those that ended while /proc was read. */
function processes(): ProcStat[] {
  const found: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const text = procFile(`/proc/${name}/stat`);
    if (text) found.push(parseStat(text));
  }
  return found;
}

/** A process's threads, or none if it has ended. */
function threads(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

/** The samples of the tree below one process. */
class TreeSampler {
  readonly peaks = new TreePeaks();

  constructor(private readonly root: number) {}

  /**
   * Takes one sample: the tree's processes, and the CLI's writes so far.
   * Names are read at each sample: a child keeps its parent's until its exec.
   */
  sample(): void {
    const tree = descendants(this.root, processes());
    this.peaks.addProcesses(
      tree.map((p) => ({ key: `${p.pid}:${p.start}`, name: commandName(procFile(`/proc/${p.pid}/cmdline`) ?? "", p.comm), rssBytes: p.rssPages * pageBytes })),
    );
    // The wrapper's one child is the CLI; once it has exited, its last reading stands.
    const cli = tree.find((p) => p.ppid === this.root);
    if (!cli) return;
    const tids = threads(cli.pid);
    const ios = tids.map((tid) => procFile(`/proc/${cli.pid}/task/${tid}/io`)).filter((io): io is string => io !== undefined);
    // A reading that missed a thread would be short: the next one counts.
    if (ios.length > 0 && ios.length === tids.length) this.peaks.addWchar(ownWchar(ios));
  }
}

/** What a sampled run gave: its output, its wall time, and its tree's figures. */
export interface SampledRun {
  stdout: string;
  stderr: string;
  seconds: number;
  tree: TreeFigures;
}

/** Runs `file args` to its end, sampling the tree below it; a failure stops the bench, as `must` does. */
export function runSampled(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<SampledRun> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let end = start;
    const child = spawn(file, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    const sampler = child.pid === undefined ? undefined : new TreeSampler(child.pid);
    const timer = setInterval(() => sampler?.sample(), sampleMs);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.on("exit", () => {
      end = process.hrtime.bigint();
      clearInterval(timer);
    });
    child.on("close", (code) => {
      clearInterval(timer);
      if (code !== 0 || !sampler) return reject(new Error(`${file} ${args.join(" ")} failed:\n${(stdout + stderr).slice(-3000)}`));
      resolve({ stdout, stderr, seconds: Number(end - start) / 1e9, tree: sampler.peaks.figures() });
    });
  });
}
