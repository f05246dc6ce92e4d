// The bench's output: ratios to the floor of the same run, the JSON the
// issue's tools read, and a chart with a line per figure.
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { BenchRun, chart, median, middleItem, perExtraHost, perHost, ratio, resultsJson, table } from "../../bench/results";
import { busyCpuSeconds } from "../../bench/cpu";

const run = (hosts: number, mode: BenchRun["mode"], floor_s: number): BenchRun => ({
  hosts,
  mode,
  seed_s: 20,
  floor_s,
  up_s: floor_s * 1.5,
  noop_up_s: floor_s / 2,
  preview_s: floor_s / 4,
  preview_bg_s: floor_s / 3,
  destroy_s: floor_s,
  up_cpu_s: floor_s * 2,
  floor_cpu_s: floor_s * 1.2,
  rounds: 3,
});

describe("bench results", () => {
  const runs = [run(3, "plain", 5), run(3, "tls", 5), run(5, "plain", 8)];

  it("reads each Pulumi figure against the floor of its own run", () => {
    assert.equal(ratio(runs[0], "up_s"), 1.5);
    assert.equal(ratio(runs[2], "preview_s"), 0.25);
    const lines = table(runs).trimEnd().split("\n");
    assert.equal(lines.length, 4);
    assert.match(lines[0], /hosts +mode +seed +floor +cold up +no-op up +no-op preview +same, background +destroy +rounds$/);
    assert.match(lines[3], /5 +plain +20\.0 s +8\.0 s +12\.0 s 1\.50x +4\.0 s 0\.50x +2\.0 s 0\.25x +2\.7 s 0\.33x +8\.0 s 1\.00x +3$/);
  });

  it("writes the runs as {runs: [...]} with every figure in seconds", () => {
    const parsed = JSON.parse(resultsJson(runs)) as { runs: BenchRun[] };
    assert.deepEqual(parsed.runs, runs);
    assert.deepEqual(Object.keys(parsed.runs[0]), ["hosts", "mode", "seed_s", "floor_s", "up_s", "noop_up_s", "preview_s", "preview_bg_s", "destroy_s", "up_cpu_s", "floor_cpu_s", "rounds"]);
  });

  it("charts one line per figure over the plain runs, a point per size", () => {
    const svg = chart(runs);
    assert.match(svg, /^<svg /);
    assert.equal((svg.match(/<polyline /g) ?? []).length, 7);
    assert.equal((svg.match(/<circle /g) ?? []).length, 7 * 2, "the TLS run is a row of the table, not a point");
    for (const label of ["seed", "floor", "cold up", "no-op up", "no-op preview", "same, background", "destroy"]) assert.match(svg, new RegExp(`>${label}</text>`));
  });

  it("reads what each extra host adds as the slope over every plain size, and the least the cold up's CPU takes", () => {
    const sized = [run(3, "plain", 5), run(3, "tls", 50), run(5, "plain", 7), run(7, "plain", 10)];
    // Floor 5, 7, 10 s: the least-squares slope is 1.25 s per host, where the ends alone say 1.25 too, and 5 to 7 says 1.
    assert.equal(perHost(sized.filter((r) => r.mode === "plain"), "floor_s"), 1.25);
    const line = perExtraHost(sized, 2);
    // Cold up 1.5x the floor and its CPU 2x: +1.88 s and +2.5 s of CPU per host, 1.33 cores busy, and 2 full cores run 2.5 s in 1.25 s, 1.00x the floor's; the floor's own 1.5 s in 0.75 s, 0.60x.
    assert.equal(
      line,
      "each extra host (3, 5, 7 hosts, plain): floor +1.25 s, cold up +1.88 s (1.50x); CPU: floor +1.50 s, cold up +2.50 s. " +
        "The cold up kept 1.33, 1.33, 1.33 of 2 cores busy: once they are full, each host adds at least 1.25 s (1.00x), " +
        "and a stack that cost no more CPU than the floor 0.75 s (0.60x)\n",
    );
    assert.equal(perExtraHost([run(3, "plain", 5), run(3, "tls", 5)], 2), "", "one size has no slope");
  });

  it("counts the machine's busy CPU from /proc/stat: user, nice, system, irq and softirq, not idle, iowait nor steal", () => {
    const busy = busyCpuSeconds("cpu  100 20 30 5000 400 6 7 800 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n");
    assert.equal(busy, busyCpuSeconds("cpu  163 0 0 0 0 0 0 0 0 0\n"), "100 + 20 + 30 + 6 + 7 ticks");
    assert.ok(busy > 0);
    assert.throws(() => busyCpuSeconds("intr 1 2 3\n"), /cpu line/);
  });

  it("takes the median of a run's rounds, and the round at the median stands for them", () => {
    assert.equal(median([9.1, 7.2, 8.4]), 8.4);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]));
    const rounds = [{ up: 10.2, trace: "a" }, { up: 9.1, trace: "b" }, { up: 12.0, trace: "c" }, { up: 9.8, trace: "d" }];
    assert.equal(middleItem(rounds, (r) => r.up).trace, "d");
    assert.equal(middleItem(rounds.slice(0, 3), (r) => r.up).trace, "a");
  });
});
