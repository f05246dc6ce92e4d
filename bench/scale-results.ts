/**
 * The scale bench's output: each step's figures at each size, each figure's
 * cost model against the host count (`fit.ts`), as
 * `bench-results/scale.json`, as a table, as a chart, and the model at 100
 * hosts against the machine that runs Pulumi.
 */
import { expected, fasterFactor, FigureModel, figureModel, lineAt, quadraticAt } from "./fit";
import { median } from "./results";

/** The sizes measured, in hosts. */
export const scaleSizes = [3, 7, 15, 25];
/** The sizes the model is extrapolated to. */
export const extrapolatedSizes = [50, 100];
/** The size checked against the machine. */
export const checkedSize = 100;

/** The steps measured at each size, in the order they run. */
export const scaleSteps = ["up", "preview", "destroy"] as const;
export type ScaleStep = (typeof scaleSteps)[number];

const stepLabels: Record<ScaleStep, string> = { up: "cold up", preview: "no-op preview", destroy: "destroy" };

/** What one step measured. */
export interface StepFigures {
  /** Seconds from the CLI's start to its exit. */
  wall_s: number;
  /** User and system CPU seconds of the CLI and the descendants it waited for: the language host, node running the program, the plugins. */
  pulumi_cpu_s: number;
  /** The machine's CPU seconds, over all its cores: the lab's hosts, the bench's sampling and Pulumi. */
  machine_cpu_s: number;
  /** The largest sum of resident memory over the CLI's process tree in one sample. */
  peak_rss_bytes: number;
  /** The most plugin processes alive in one sample. */
  peak_plugins: number;
  /** The plugin processes seen over the step. */
  plugins: number;
  /** The size of the stack's state file after the step. */
  state_bytes: number;
  /** Bytes the CLI handed to write calls, as last seen before it exited. */
  written_bytes: number;
}

/** The figures, in the order the table and the chart show them. */
export const scaleFigures = [
  "wall_s",
  "pulumi_cpu_s",
  "machine_cpu_s",
  "peak_rss_bytes",
  "peak_plugins",
  "plugins",
  "state_bytes",
  "written_bytes",
] as const satisfies readonly (keyof StepFigures)[];
export type ScaleFigure = (typeof scaleFigures)[number];

type Unit = "s" | "bytes" | "count";

const figureInfo: Record<ScaleFigure, { label: string; unit: Unit }> = {
  wall_s: { label: "wall time", unit: "s" },
  pulumi_cpu_s: { label: "Pulumi's CPU", unit: "s" },
  machine_cpu_s: { label: "machine's CPU", unit: "s" },
  peak_rss_bytes: { label: "peak memory (RSS)", unit: "bytes" },
  peak_plugins: { label: "plugins at once", unit: "count" },
  plugins: { label: "plugins started", unit: "count" },
  state_bytes: { label: "state after", unit: "bytes" },
  written_bytes: { label: "CLI's writes", unit: "bytes" },
};

/** What one size measured: each step's figures, the median of its rounds. */
export interface ScaleRun {
  hosts: number;
  /** How many of the hosts are managers; the others are workers. */
  managers: number;
  rounds: number;
  steps: Record<ScaleStep, StepFigures>;
}

/** Each step's figures, each the median of its rounds. */
export function medianSteps(rounds: Record<ScaleStep, StepFigures>[]): Record<ScaleStep, StepFigures> {
  const step = (s: ScaleStep): StepFigures => {
    const figures = {} as StepFigures;
    for (const f of scaleFigures) figures[f] = median(rounds.map((r) => r[s][f]));
    return figures;
  };
  return { up: step("up"), preview: step("preview"), destroy: step("destroy") };
}

/** One figure of one step, and its model. */
export interface ScaleFit {
  step: ScaleStep;
  figure: ScaleFigure;
  model: FigureModel;
}

/** Every step's every figure, modelled against the host count. */
export function scaleFits(runs: ScaleRun[]): ScaleFit[] {
  return scaleSteps.flatMap((step) =>
    scaleFigures.map((figure) => ({ step, figure, model: figureModel(runs.map((r) => ({ x: r.hosts, y: r.steps[step][figure] })), extrapolatedSizes) })),
  );
}

const [low, mid, high] = scaleSizes.slice(-3);
/** The verdict's rule (`growth` in fit.ts), as the JSON and the table state it. */
export const growthRule = `faster than linear: the slope from ${mid} to ${high} hosts is positive and more than ${fasterFactor} times the slope from ${low} to ${mid}`;

/** The machine that runs Pulumi: its cores, and its memory in bytes. */
export interface Machine {
  cores: number;
  memoryBytes: number;
}

/** One figure at `checkedSize` hosts against what the machine holds. */
export interface MachineCheck {
  step: ScaleStep;
  figure: "peak_rss_bytes" | "pulumi_cpu_s";
  /** What the model expects. */
  value: number;
  /** The most the machine holds: its memory, or the CPU its cores give in the step's expected wall time. */
  limit: number;
  fits: boolean;
  text: string;
}

/** A number of cores, for people. */
function cores(n: number): string {
  return n === 1 ? "1 core" : `${n} cores`;
}

/** The model of a step's figure. */
function modelOf(fits: ScaleFit[], step: ScaleStep, figure: ScaleFigure): FigureModel {
  const found = fits.find((f) => f.step === step && f.figure === figure);
  if (!found) throw new Error(`no model of ${step} ${figure}`);
  return found.model;
}

/**
 * Each step at `checkedSize` hosts against the machine, by what each model
 * expects there (`expected`: the parabola where the figure grows faster than
 * linearly): the peak memory of Pulumi's processes against the machine's
 * memory; and Pulumi's CPU against what the cores give in the step's
 * expected wall time, beyond which the cores, not the hosts, set its pace.
 */
export function machineChecks(fits: ScaleFit[], machine: Machine): MachineCheck[] {
  return scaleSteps.flatMap((step): MachineCheck[] => {
    const at = `${stepLabels[step]} at ${checkedSize} hosts`;
    const memory = expected(modelOf(fits, step, "peak_rss_bytes"), checkedSize);
    const cpu = expected(modelOf(fits, step, "pulumi_cpu_s"), checkedSize);
    const wall = expected(modelOf(fits, step, "wall_s"), checkedSize);
    const cpuLimit = Math.max(0, wall) * machine.cores;
    return [
      {
        step,
        figure: "peak_rss_bytes",
        value: memory,
        limit: machine.memoryBytes,
        fits: memory <= machine.memoryBytes,
        text: `${at}: Pulumi's processes' peak memory ${format("bytes", memory)}, ${memory <= machine.memoryBytes ? "within" : "above"} the machine's ${format("bytes", machine.memoryBytes)}`,
      },
      {
        step,
        figure: "pulumi_cpu_s",
        value: cpu,
        limit: cpuLimit,
        fits: cpu <= cpuLimit,
        text:
          `${at}: Pulumi's processes' ${format("s", cpu)} of CPU ${cpu <= cpuLimit ? "fit" : "do not fit"} in what ${cores(machine.cores)} give ` +
          `in the ${format("s", wall)} its wall time extrapolates to (${format("s", cpuLimit)})`,
      },
    ];
  });
}

/** The checks for people: what would not fit, or that everything fits. */
export function checksSummary(checks: MachineCheck[], machine: Machine): string {
  const failed = checks.filter((c) => !c.fits);
  const head = `at ${checkedSize} hosts, against this machine (${cores(machine.cores)}, ${format("bytes", machine.memoryBytes)}): `;
  if (failed.length === 0) return `${head}every step fits\n`;
  return `${head}${failed.length} of ${checks.length} figures would not fit\n` + failed.map((c) => `  ${c.text}\n`).join("");
}

/** The scale bench's results as `bench-results/scale.json` holds them; `dockerProviders`: the stack gave each host a Docker provider. */
export function scaleJson(runs: ScaleRun[], fits: ScaleFit[], machine: Machine, checks: MachineCheck[], dockerProviders: boolean): string {
  const models = fits.map(({ step, figure, model }) => ({
    step,
    figure,
    unit: figureInfo[figure].unit,
    line: model.line,
    ...(model.quadratic && { quadratic: model.quadratic }),
    growth: model.growth,
    verdict: model.growth.faster ? "faster than linear" : "linear",
    at: model.at,
  }));
  return (
    JSON.stringify(
      {
        machine: { cores: machine.cores, memory_bytes: machine.memoryBytes },
        docker_providers: dockerProviders,
        sizes: runs.map((r) => r.hosts),
        rule: growthRule,
        runs,
        fits: models,
        checks,
      },
      null,
      2,
    ) + "\n"
  );
}

/** A value for people, in its unit: seconds, binary multiples of bytes, or a count; `digits` after the point. */
export function format(unit: Unit, value: number, digits = 1): string {
  if (unit === "s") return `${value.toFixed(digits)} s`;
  if (unit === "count") return Number.isInteger(value) ? String(value) : value.toFixed(digits);
  const [div, suffix] = bytesScale(Math.abs(value));
  return `${(value / div).toFixed(digits)} ${suffix}`;
}

/** The binary multiple that shows `bytes` with few digits. */
function bytesScale(bytes: number): [number, string] {
  if (bytes >= 2 ** 30) return [2 ** 30, "GiB"];
  if (bytes >= 2 ** 20) return [2 ** 20, "MiB"];
  return [2 ** 10, "KiB"];
}

/** A model's value at an extrapolated size: the line's, and the parabola's after it where there is one. */
function extrapolatedCell(unit: Unit, model: FigureModel, hosts: number): string {
  const at = model.at.find((e) => e.hosts === hosts);
  if (!at) return "";
  return at.quadratic === undefined ? format(unit, at.line) : `${format(unit, at.line)} / ${format(unit, at.quadratic)}`;
}

/** The verdict for people, with the ratio of the two slopes where the first one rises. */
function growthCell(model: FigureModel): string {
  const [low, high] = model.growth.slopes;
  const ratio = low > 0 ? ` ${(high / low).toFixed(2)}x` : "";
  return `${model.growth.faster ? "faster" : "linear"}${ratio}`;
}

/**
 * The results as a table for people, under a heading that says whether the
 * stack gave each host a Docker provider (`dockerProviders`), as the plugins
 * and memory depend on it: each step's figures at each size, what each extra
 * host adds (the line's slope), the verdict with the ratio of the slopes it
 * compares, and the extrapolations (line / parabola).
 */
export function scaleTable(runs: ScaleRun[], fits: ScaleFit[], dockerProviders: boolean): string {
  const head = ["step", "figure", ...runs.map((r) => `${r.hosts} hosts`), "per host", "growth", ...extrapolatedSizes.map((n) => `at ${n}`)];
  const rows = fits.map(({ step, figure, model }) => {
    const unit = figureInfo[figure].unit;
    return [
      stepLabels[step],
      figureInfo[figure].label,
      ...runs.map((r) => format(unit, r.steps[step][figure])),
      // A host adds a small part of a step: two digits show it.
      `${model.line.slope >= 0 ? "+" : ""}${format(unit, model.line.slope, 2)}`,
      growthCell(model),
      ...extrapolatedSizes.map((n) => extrapolatedCell(unit, model, n)),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  const heading = `Docker providers ${dockerProviders ? "on" : "off"} (clipper-swarm:dockerProviders: ${dockerProviders})`;
  return [heading, line(head), ...rows.map(line)].join("\n") + `\n(at ${extrapolatedSizes.join(" and ")}: line / parabola where ${growthRule})\n`;
}

const stepColors: Record<ScaleStep, string> = { up: "#1f77b4", preview: "#ff7f0e", destroy: "#d62728" };

/** The least of 1, 2, 2.5 and 5 times a power of ten that is at least `v`: the top of an axis. */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  const step = [1, 2, 2.5, 5, 10].find((m) => m * power >= v * (1 - 1e-12)) ?? 10;
  return step * power;
}

/** An axis label: the value in the panel's unit, which the title names. */
function tickLabel(unit: Unit, value: number, div: number): string {
  const v = unit === "bytes" ? value / div : value;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** The SVG of one figure's panel, its top left at (`ox`, `oy`): each step's points, line and parabola up to 100 hosts. */
function panel(figure: ScaleFigure, runs: ScaleRun[], fits: ScaleFit[], ox: number, oy: number, [w, h]: [number, number]): string[] {
  const { label, unit } = figureInfo[figure];
  const [left, right, top, bottom] = [56, 14, 24, 30];
  const xMax = Math.max(...extrapolatedSizes);
  const mine = fits.filter((f) => f.figure === figure);
  const from = Math.min(...runs.map((r) => r.hosts));
  const along = Array.from({ length: 21 }, (_, i) => from + ((xMax - from) * i) / 20);
  const fitted = mine.flatMap(({ model }) => [lineAt(model.line, from), lineAt(model.line, xMax), ...(model.quadratic ? along.map((n) => quadraticAt(model.quadratic!, n)) : [])]);
  const values = [...runs.flatMap((r) => scaleSteps.map((s) => r.steps[s][figure])), ...fitted];
  const yMin = Math.min(0, ...values);
  const yMax = niceCeil(Math.max(...values) - yMin) + yMin;
  const x = (n: number) => ox + left + (n / xMax) * (w - left - right);
  const y = (v: number) => oy + h - bottom - ((v - yMin) / (yMax - yMin)) * (h - top - bottom);
  const [div, suffix] = unit === "bytes" ? bytesScale(Math.max(Math.abs(yMin), yMax)) : [1, unit === "s" ? "s" : ""];
  const measuredUpTo = Math.max(...runs.map((r) => r.hosts));
  const parts = [
    `<text x="${ox + left}" y="${oy + 14}" font-weight="bold">${label}${suffix ? ` (${suffix})` : ""}</text>`,
    `<line x1="${x(0)}" y1="${y(yMin)}" x2="${x(xMax)}" y2="${y(yMin)}" stroke="black"/>`,
    `<line x1="${x(0)}" y1="${y(yMin)}" x2="${x(0)}" y2="${y(yMax)}" stroke="black"/>`,
    `<line x1="${x(measuredUpTo).toFixed(1)}" y1="${y(yMin)}" x2="${x(measuredUpTo).toFixed(1)}" y2="${y(yMax)}" stroke="#cccccc" stroke-dasharray="2,3"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = yMin + ((yMax - yMin) * i) / 4;
    parts.push(`<text x="${x(0) - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${tickLabel(unit, v, div)}</text>`);
  }
  for (const n of [0, 25, 50, 75, 100]) parts.push(`<text x="${x(n).toFixed(1)}" y="${y(yMin) + 16}" text-anchor="middle">${n}</text>`);
  for (const { step, model } of mine) {
    const color = stepColors[step];
    parts.push(`<line x1="${x(from).toFixed(1)}" y1="${y(lineAt(model.line, from)).toFixed(1)}" x2="${x(xMax).toFixed(1)}" y2="${y(lineAt(model.line, xMax)).toFixed(1)}" stroke="${color}" stroke-width="2"/>`);
    if (model.quadratic) {
      const q = model.quadratic;
      const points = along.map((n) => `${x(n).toFixed(1)},${y(quadraticAt(q, n)).toFixed(1)}`);
      parts.push(`<polyline points="${points.join(" ")}" fill="none" stroke="${color}" stroke-width="2" stroke-dasharray="6,4"/>`);
    }
    for (const r of runs) parts.push(`<circle cx="${x(r.hosts).toFixed(1)}" cy="${y(r.steps[step][figure]).toFixed(1)}" r="3" fill="${color}"/>`);
  }
  return parts;
}

/**
 * A chart (SVG) of every figure against the number of hosts, a panel each:
 * each step's measured points, its least-squares line up to 100 hosts, and
 * its parabola, dashed, where it grows faster than linearly.
 */
export function scaleChart(runs: ScaleRun[], fits: ScaleFit[]): string {
  const [columns, panelW, panelH, legend] = [2, 320, 190, 44];
  const rowsOfPanels = Math.ceil(scaleFigures.length / columns);
  const [w, h] = [columns * panelW, legend + rowsOfPanels * panelH + 20];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
  ];
  scaleSteps.forEach((s, i) => parts.push(`<text x="${20 + 130 * i}" y="18" fill="${stepColors[s]}">${stepLabels[s]}</text>`));
  parts.push(`<text x="20" y="36">points: measured; line: least squares; dashed: parabola, where faster than linear</text>`);
  scaleFigures.forEach((f, i) => parts.push(...panel(f, runs, fits, (i % columns) * panelW, legend + Math.floor(i / columns) * panelH, [panelW, panelH])));
  parts.push(`<text x="${w / 2}" y="${h - 6}" text-anchor="middle">hosts</text>`);
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
