// What the scale bench reads of a Pulumi run: the process tree from /proc,
// the CPU of the CLI and its descendants from bash's times, the machine's
// memory, and the file backend's state file.
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import {
  childrenCpuSeconds,
  commandName,
  descendants,
  isPlugin,
  memTotalBytes,
  ownWchar,
  parseStat,
  parseWchar,
  ProcStat,
  stackStateFile,
  TreePeaks,
} from "../../bench/measure";

/** A /proc/PID/stat line as the kernel writes it, with the fields the bench reads set. */
const statLine = (pid: number, comm: string, ppid: number, start: number, rss: number) =>
  `${pid} (${comm}) S ${ppid} ${pid} 16867 0 -1 4194304 100 0 0 0 12 3 0 0 20 0 9 0 ${start} 3133440 ${rss} 18446744073709551615 94534996332544 0 0 0 0 0 0 17 1 0 0 0 0 0\n`;

const proc = (pid: number, ppid: number, comm = "x"): ProcStat => ({ pid, comm, ppid, start: pid * 10, rssPages: 1 });

describe("bench measurements", () => {
  it("reads a process's parent, start and resident pages from /proc/PID/stat, whatever its name holds", () => {
    assert.deepEqual(parseStat(statLine(16094, "cat", 16092, 4237720, 380)), { pid: 16094, comm: "cat", ppid: 16092, start: 4237720, rssPages: 380 });
    // A name may hold spaces and parentheses: the fields count from the last one.
    assert.deepEqual(parseStat(statLine(7, "a) (b c", 1, 55, 9)), { pid: 7, comm: "a) (b c", ppid: 1, start: 55, rssPages: 9 });
    assert.throws(() => parseStat("garbage"), /not a \/proc\/PID\/stat line/);
  });

  it("finds every process below the wrapper through their parents, and nothing beside it", () => {
    // 100 the wrapper, 101 the CLI, 102 the language host, 103 node, 104-105 plugins; 200-201 another tree; 1 init.
    const procs = [proc(1, 0), proc(100, 50), proc(101, 100), proc(102, 101), proc(103, 102), proc(104, 101), proc(105, 101), proc(200, 1), proc(201, 200), proc(50, 1)];
    assert.deepEqual(descendants(100, procs).map((p) => p.pid).sort(), [101, 102, 103, 104, 105]);
    assert.deepEqual(descendants(999, procs), [], "a wrapper gone has no tree");
    assert.deepEqual(descendants(100, [proc(101, 102), proc(102, 101)]), [], "a loop in a torn snapshot ends");
  });

  it("names a process by its first argument, since the kernel's name stops short of pulumi-resource-", () => {
    assert.equal(commandName("/root/.pulumi/plugins/resource-docker-v4.11.0/pulumi-resource-docker\0--logtostderr\0", "pulumi-resource"), "pulumi-resource-docker");
    assert.equal(commandName("node\0--require\0x.js\0", "node"), "node");
    assert.equal(commandName("", "pulumi-resource"), "pulumi-resource", "a zombie has no arguments");
    assert.equal(isPlugin("pulumi-resource-command"), true);
    assert.equal(isPlugin("pulumi-resource"), false);
    assert.equal(isPlugin("pulumi-language-nodejs"), false);
  });

  it("reads the CLI's own writes as the sum of its threads' wchar", () => {
    const io = (wchar: number) => `rchar: 6976\nwchar: ${wchar}\nsyscr: 10\nsyscw: 3\nread_bytes: 0\nwrite_bytes: 4096\n`;
    assert.equal(parseWchar(io(123456)), 123456);
    assert.equal(ownWchar([io(100), io(0), io(23)]), 123);
    assert.equal(ownWchar([]), 0);
    assert.throws(() => parseWchar("rchar: 1\n"), /wchar/);
  });

  it("keeps the peak of the tree's summed memory, the most plugins alive at once, the plugins seen, and the last wchar", () => {
    const peaks = new TreePeaks();
    const cli = { key: "101:1", name: "pulumi", rssBytes: 100 };
    const docker = (n: number, rssBytes: number) => ({ key: `${110 + n}:${n}`, name: "pulumi-resource-docker", rssBytes });
    peaks.addProcesses([cli]);
    peaks.addWchar(10);
    peaks.addProcesses([cli, docker(1, 50), docker(2, 50), { key: "102:2", name: "pulumi-language-nodejs", rssBytes: 30 }]);
    peaks.addWchar(500);
    peaks.addProcesses([cli, docker(2, 60), docker(3, 20)]);
    peaks.addWchar(900);
    peaks.addProcesses([]);
    assert.deepEqual(peaks.figures(), { peakRssBytes: 230, peakPlugins: 2, plugins: 3, writtenBytes: 900 });
    assert.deepEqual(new TreePeaks().figures(), { peakRssBytes: 0, peakPlugins: 0, plugins: 0, writtenBytes: 0 });
  });

  it("reads the children's user and system time from the two lines bash's times writes last", () => {
    const cli = "Updating (bench):\nResources:\n    42 created\n";
    assert.equal(childrenCpuSeconds(`${cli}0m0.003s 0m0.001s\n0m7.250s 0m1.125s\n`), 8.375);
    assert.equal(childrenCpuSeconds(`${cli}0m0.003s 0m0.001s\n2m3.500s 1m0.250s\n`), 123.5 + 60.25, "minutes");
    assert.equal(childrenCpuSeconds("0m0,003s 0m0,001s\n0m1,500s 0m0,500s\n"), 2, "a locale's decimal comma");
    assert.equal(childrenCpuSeconds("0m0.000s 0m0.003s\n0m0.791s 0m0.150s\n"), 0.941, "to the millisecond");
    assert.equal(childrenCpuSeconds("error: no newline0m0.003s 0m0.001s\n0m1.000s 0m0.000s\n"), 1, "after output that did not end its line");
    assert.throws(() => childrenCpuSeconds(`${cli}`), /times/);
    assert.throws(() => childrenCpuSeconds("0m1.000s 0m0.000s\n"), /times/, "the shell's own line alone");
  });

  it("reads the machine's memory from /proc/meminfo", () => {
    assert.equal(memTotalBytes("MemTotal:       24683784 kB\nMemFree:        20743428 kB\n"), 24683784 * 1024);
    assert.throws(() => memTotalBytes("MemFree: 1 kB\n"), /MemTotal/);
  });

  it("finds the stack's state in the backend's stacks folder, with or without the project's folder, not its backups", () => {
    assert.equal(stackStateFile(["clipper-swarm", "clipper-swarm/bench.json", "clipper-swarm/bench.json.bak"], "bench"), "clipper-swarm/bench.json");
    assert.equal(stackStateFile(["bench.json.gz"], "bench"), "bench.json.gz");
    assert.throws(() => stackStateFile(["clipper-swarm/dev.json"], "bench"), /0 state files/);
    assert.throws(() => stackStateFile(["a/bench.json", "b/bench.json"], "bench"), /2 state files/);
  });
});
