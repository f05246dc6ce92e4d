// The scale bench's output: each step's figures modelled against the host
// count, the JSON, the table, the chart, and the model at 100 hosts against
// the machine.
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import {
  checksSummary,
  format,
  growthRule,
  machineChecks,
  medianSteps,
  niceCeil,
  ScaleRun,
  scaleChart,
  scaleFigures,
  scaleFits,
  scaleJson,
  scaleSizes,
  ScaleStep,
  scaleSteps,
  scaleTable,
  StepFigures,
} from "../../bench/scale-results";

const MiB = 2 ** 20;

/** A step's figures at `n` hosts: every one linear but the CLI's writes, which grow with the square. */
const figures = (n: number, scale = 1): StepFigures => ({
  wall_s: (5 + 0.5 * n) * scale,
  pulumi_cpu_s: (2 + 0.1 * n) * scale,
  machine_cpu_s: (4 + 1.5 * n) * scale,
  peak_rss_bytes: (300 + 20 * n) * MiB * scale,
  peak_plugins: n + 1,
  plugins: n + 2,
  state_bytes: 10240 * n * scale,
  written_bytes: 1024 * n * n * scale,
});

const run = (hosts: number, scale = 1): ScaleRun => ({
  hosts,
  managers: Math.min(hosts, 3),
  rounds: 1,
  steps: { up: figures(hosts, scale), preview: figures(hosts, scale / 2), destroy: figures(hosts, scale / 4) },
});

const runs = scaleSizes.map((n) => run(n));
const fits = scaleFits(runs);
const machine = { cores: 2, memoryBytes: 24 * 2 ** 30 };

describe("bench scale results", () => {
  it("takes each figure's median over the rounds", () => {
    const rounds = [1, 3, 2].map((scale) => run(7, scale).steps);
    assert.deepEqual(medianSteps(rounds), run(7, 2).steps);
  });

  it("models every figure of every step, and finds the one that grows with the square", () => {
    assert.equal(fits.length, scaleSteps.length * scaleFigures.length);
    const faster = fits.filter((f) => f.model.growth.faster).map((f) => `${f.step} ${f.figure}`);
    assert.deepEqual(faster, ["up written_bytes", "preview written_bytes", "destroy written_bytes"]);
    const wall = fits.find((f) => f.step === "up" && f.figure === "wall_s");
    assert.ok(wall && Math.abs(wall.model.line.slope - 0.5) < 1e-9);
    assert.equal(growthRule, "faster than linear: the slope from 15 to 25 hosts is positive and more than 1.25 times the slope from 7 to 15");
  });

  it("says that every step fits a machine of 2 cores and 24 GiB at 100 hosts", () => {
    const checks = machineChecks(fits, machine);
    assert.equal(checks.length, 2 * scaleSteps.length);
    assert.ok(checks.every((c) => c.fits));
    assert.equal(checksSummary(checks, machine), "at 100 hosts, against this machine (2 cores, 24.0 GiB): every step fits\n");
    const up = checks.filter((c) => c.step === "up");
    assert.match(up[0].text, /^cold up at 100 hosts: Pulumi's processes' peak memory 2\.2 GiB, within the machine's 24\.0 GiB$/);
    // 12 s of CPU against 2 cores over 55 s.
    assert.match(up[1].text, /^cold up at 100 hosts: Pulumi's processes' 12\.0 s of CPU fit in what 2 cores give in the 55\.0 s its wall time extrapolates to \(110\.0 s\)$/);
  });

  it("names each figure that would not fit: memory above the machine's, CPU beyond what its cores give in the step's time", () => {
    const small = { cores: 1, memoryBytes: 2 * 2 ** 30 };
    const heavy = scaleSizes.map((n): ScaleRun => {
      const r = run(n);
      const steps = { ...r.steps, preview: { ...r.steps.preview, pulumi_cpu_s: 1 + 0.6 * n } };
      return { ...r, steps };
    });
    const checks = machineChecks(scaleFits(heavy), small);
    const failed = checks.filter((c) => !c.fits).map((c) => `${c.step} ${c.figure}`);
    // Cold up: 2.2 GiB of memory, above 2 GiB; the no-op preview: 61 s of CPU in 27.5 s on 1 core.
    assert.deepEqual(failed, ["up peak_rss_bytes", "preview pulumi_cpu_s"]);
    const summary = checksSummary(checks, small);
    assert.match(summary, /^at 100 hosts, against this machine \(1 core, 2\.0 GiB\): 2 of 6 figures would not fit\n/);
    assert.match(summary, /\n {2}no-op preview at 100 hosts: Pulumi's processes' 61\.0 s of CPU do not fit in what 1 core give in the 27\.5 s/);
  });

  it("writes whether hosts had Docker providers, sizes, runs, fits with their verdicts and extrapolations, and the checks", () => {
    const parsed = JSON.parse(scaleJson(runs, fits, machine, machineChecks(fits, machine), false)) as Record<string, unknown> & {
      fits: { step: ScaleStep; figure: string; verdict: string; quadratic?: unknown; at: { hosts: number; line: number; quadratic?: number }[] }[];
    };
    assert.deepEqual(Object.keys(parsed), ["machine", "docker_providers", "sizes", "rule", "runs", "fits", "checks"]);
    assert.equal(parsed.docker_providers, false);
    assert.deepEqual(parsed.machine, { cores: 2, memory_bytes: 24 * 2 ** 30 });
    assert.deepEqual(parsed.sizes, [3, 7, 15, 25]);
    assert.deepEqual(parsed.runs, runs);
    const written = parsed.fits.find((f) => f.step === "up" && f.figure === "written_bytes");
    assert.equal(written?.verdict, "faster than linear");
    assert.ok(written?.quadratic);
    assert.deepEqual(written?.at.map((a) => [a.hosts, Math.round(a.quadratic ?? NaN)]), [[50, 1024 * 2500], [100, 1024 * 10000]]);
    const wall = parsed.fits.find((f) => f.step === "up" && f.figure === "wall_s");
    assert.equal(wall?.verdict, "linear");
    assert.equal(wall?.quadratic, undefined);
    assert.deepEqual(wall?.at.map((a) => Object.keys(a)), [["hosts", "line"], ["hosts", "line"]]);
  });

  it("prints a row per step and figure under whether hosts had Docker providers: the sizes, what a host adds, the verdict, and the extrapolations", () => {
    const lines = scaleTable(runs, fits, true).trimEnd().split("\n");
    assert.equal(lines.length, 1 + 1 + 24 + 1);
    assert.equal(lines[0], "Docker providers on (clipper-swarm:dockerProviders: true)");
    assert.equal(scaleTable(runs, fits, false).split("\n")[0], "Docker providers off (clipper-swarm:dockerProviders: false)");
    assert.match(lines[1], /^step +figure +3 hosts +7 hosts +15 hosts +25 hosts +per host +growth +at 50 +at 100$/);
    assert.match(lines[2], /^cold up +wall time +6\.5 s +8\.5 s +12\.5 s +17\.5 s +\+0\.50 s +linear 1\.00x +30\.0 s +55\.0 s$/);
    const written = lines.find((l) => l.startsWith("cold up") && l.includes("CLI's writes"));
    // 1 KiB times the hosts squared: 9, 49, 225 and 625 KiB; 28.34 KiB a host by least squares; slopes 22 and 40 KiB a host from 7 to 25.
    assert.match(written ?? "", / 625\.0 KiB +\+28\.34 KiB +faster 1\.82x +[\d.]+ MiB \/ 2\.4 MiB +[\d.]+ MiB \/ 9\.8 MiB$/);
    assert.match(lines[lines.length - 1], /line \/ parabola where faster than linear/);
  });

  it("charts a panel per figure, each step's points and line, and a dashed parabola only where faster than linear", () => {
    const svg = scaleChart(runs, fits);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" /);
    assert.equal((svg.match(/<circle /g) ?? []).length, scaleFigures.length * scaleSteps.length * scaleSizes.length);
    assert.equal((svg.match(/stroke-width="2"\/>/g) ?? []).length, scaleFigures.length * scaleSteps.length, "a line per step and figure");
    assert.equal((svg.match(/stroke-dasharray="6,4"/g) ?? []).length, 3, "the writes' parabolas");
    for (const title of ["wall time (s)", "Pulumi's CPU (s)", "peak memory (RSS) (GiB)", "plugins at once", "CLI's writes (MiB)"]) assert.ok(svg.includes(`>${title}</text>`), title);
    assert.doesNotMatch(svg, /NaN|Infinity/);
  });

  it("formats values in their unit, and tops each axis at a round number", () => {
    assert.equal(format("s", 12.345), "12.3 s");
    assert.equal(format("bytes", 1536), "1.5 KiB");
    assert.equal(format("bytes", 300 * MiB), "300.0 MiB");
    assert.equal(format("bytes", -2 * MiB), "-2.0 MiB");
    assert.equal(format("count", 7), "7");
    assert.equal(format("count", 7.25), "7.3");
    assert.deepEqual([0.7, 1, 1.2, 2.2, 3, 7, 10, 42, 0, -1].map(niceCeil), [1, 1, 2, 2.5, 5, 10, 10, 50, 1, 1]);
  });
});
