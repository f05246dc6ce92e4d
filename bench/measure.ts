/**
 * What the scale bench reads of a Pulumi run, from the text of the files and
 * outputs that hold it: the process tree's memory and plugins and the CLI's
 * writes from /proc, the CPU of the CLI and its descendants from bash's
 * `times`, the machine's memory, and where the file backend keeps the state.
 * Kept free of I/O so that the unit tests can hand it such texts.
 */

/** What the bench reads of one process's `/proc/PID/stat`. */
export interface ProcStat {
  pid: number;
  /** The kernel's name for it, cut to 15 characters. */
  comm: string;
  ppid: number;
  /** When it started, in clock ticks after boot: with the PID, it tells a process from a later one that reuses the PID. */
  start: number;
  /** Resident pages. */
  rssPages: number;
}

/**
 * Parses `/proc/PID/stat`. The command name sits in parentheses and may hold
 * spaces and parentheses of its own, so the fields are counted from the last
 * closing one: after it come the state (field 3), the parent (4), the start
 * time (22) and the resident set (24).
 */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) throw new Error(`not a /proc/PID/stat line: ${text.slice(0, 80)}`);
  const rest = text.slice(close + 2).trim().split(/\s+/);
  const field = (n: number) => Number(rest[n - 3]);
  const stat = { pid: Number(text.slice(0, open).trim()), comm: text.slice(open + 1, close), ppid: field(4), start: field(22), rssPages: field(24) };
  if (![stat.pid, stat.ppid, stat.start, stat.rssPages].every(Number.isInteger)) throw new Error(`not a /proc/PID/stat line: ${text.slice(0, 80)}`);
  return stat;
}

/** The processes below `root` (not `root` itself), found by following each one's parent up. */
export function descendants(root: number, procs: ProcStat[]): ProcStat[] {
  const parent = new Map(procs.map((p) => [p.pid, p.ppid]));
  const below = new Map<number, boolean>([[root, true]]);
  const isBelow = (pid: number): boolean => {
    const known = below.get(pid);
    if (known !== undefined) return known;
    // Marked first, so that a loop in a snapshot taken while processes came and went ends.
    below.set(pid, false);
    const ppid = parent.get(pid);
    const result = ppid !== undefined && ppid !== 0 && isBelow(ppid);
    below.set(pid, result);
    return result;
  };
  return procs.filter((p) => p.pid !== root && isBelow(p.pid));
}

/**
 * A process's command name: the last part of its first argument in
 * `/proc/PID/cmdline`, else its kernel name. The kernel name is cut to 15
 * characters, too short for `pulumi-resource-`.
 */
export function commandName(cmdline: string, comm: string): string {
  const first = cmdline.split("\0")[0];
  return first ? first.split("/").pop() || comm : comm;
}

/** Whether a command is a provider plugin of Pulumi's. */
export function isPlugin(name: string): boolean {
  return name.startsWith("pulumi-resource-");
}

/** The `wchar` line of an `io` file under /proc: bytes handed to write calls, on files, pipes and sockets alike. */
export function parseWchar(io: string): number {
  const m = /^wchar:\s*(\d+)$/m.exec(io);
  if (!m) throw new Error("no wchar line in /proc/PID/io");
  return Number(m[1]);
}

/**
 * A process's own writes: the sum of its threads' `/proc/PID/task/TID/io`.
 * `/proc/PID/io` would also count the writes of every child it has reaped,
 * the plugins among them, which it reaps at the end of a run, before or
 * after the last sample as it happens. A thread that has ended takes its
 * count with it; the Go runtime keeps its threads.
 */
export function ownWchar(threadIos: string[]): number {
  return threadIos.reduce((sum, io) => sum + parseWchar(io), 0);
}

/** One process of the tree in one sample. */
export interface TreeProcess {
  /** Its PID and start time, which name it over the run. */
  key: string;
  /** Its command name (`commandName`). */
  name: string;
  rssBytes: number;
}

/** What a run's process tree came to. */
export interface TreeFigures {
  /** The largest sum of resident memory over the tree in one sample. */
  peakRssBytes: number;
  /** The most plugin processes alive in one sample. */
  peakPlugins: number;
  /** The plugin processes seen over the run. */
  plugins: number;
  /** The CLI's own writes (`ownWchar`), as last seen. */
  writtenBytes: number;
}

/** The figures of a process tree, sample after sample. */
export class TreePeaks {
  private peakRss = 0;
  private peakAlive = 0;
  private readonly seen = new Set<string>();
  private wchar = 0;

  /** Takes one sample of the tree's processes. */
  addProcesses(procs: TreeProcess[]): void {
    this.peakRss = Math.max(this.peakRss, procs.reduce((sum, p) => sum + p.rssBytes, 0));
    const plugins = procs.filter((p) => isPlugin(p.name));
    this.peakAlive = Math.max(this.peakAlive, plugins.length);
    for (const p of plugins) this.seen.add(p.key);
  }

  /** Takes one reading of the CLI's own writes, which only grow while it lives: the largest is the last. */
  addWchar(bytes: number): void {
    this.wchar = Math.max(this.wchar, bytes);
  }

  figures(): TreeFigures {
    return { peakRssBytes: this.peakRss, peakPlugins: this.peakAlive, plugins: this.seen.size, writtenBytes: this.wchar };
  }
}

/** One time of bash's `times`: `1m2.345s`, with the locale's decimal point. */
const timesValue = String.raw`(\d+)m(\d+(?:[.,]\d+)?)s`;
/** `times`' two lines: the shell's own user and system time, then its children's. */
const timesLines = new RegExp(String.raw`${timesValue} ${timesValue}\n${timesValue} ${timesValue}\s*$`);

/**
 * The user and system CPU seconds of the children that a `bash -c '…; times
 * >&2'` wrapper waited for, from the end of its standard error, where
 * `times` wrote. A child's figure includes the descendants that it, and
 * they, waited for. The first line may follow output that did not end its
 * own line.
 */
export function childrenCpuSeconds(stderr: string): number {
  const m = timesLines.exec(stderr);
  if (!m) throw new Error(`no output of bash's times at the end of: ${stderr.slice(-200)}`);
  const seconds = (minutes: string, rest: string) => Number(minutes) * 60 + Number(rest.replace(",", "."));
  // `times` gives milliseconds: the sum is rounded to them, without a float's tail.
  return Math.round((seconds(m[5], m[6]) + seconds(m[7], m[8])) * 1000) / 1000;
}

/** The machine's memory, from `/proc/meminfo`'s MemTotal (in KiB there). */
export function memTotalBytes(meminfo: string): number {
  const m = /^MemTotal:\s*(\d+) kB$/m.exec(meminfo);
  if (!m) throw new Error("no MemTotal line in /proc/meminfo");
  return Number(m[1]) * 1024;
}

/**
 * The stack's state among the paths of a file backend's `.pulumi/stacks/`
 * folder, relative to it: `STACK.json` (or `.json.gz` when the backend
 * compresses), directly or under the project's folder; not its backups.
 */
export function stackStateFile(paths: string[], stack: string): string {
  const found = paths.filter((p) => {
    const name = p.split("/").pop();
    return name === `${stack}.json` || name === `${stack}.json.gz`;
  });
  if (found.length !== 1) throw new Error(`${found.length} state files of stack ${stack} in the backend: ${found.join(", ")}`);
  return found[0];
}
