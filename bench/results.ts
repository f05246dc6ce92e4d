/**
 * The bench's figures: one run per cluster size (and one in TLS mode), each
 * figure the median of the run's rounds, each Pulumi figure read as a ratio to
 * the floor measured in the same run, as a table, as
 * `bench-results/latest.json`, and as a chart against the size.
 */

/** What one run measured, in seconds. */
export interface BenchRun {
  /** Hosts in the cluster. */
  hosts: number;
  /** The stack's mode: plain TCP (the dev stack's) or mutual TLS. */
  mode: "plain" | "tls";
  /** The seed's procedure, as it reads. */
  seed_s: number;
  /** The same with --tls=false, engines restarted in parallel: the floor. */
  floor_s: number;
  /** Cold `pulumi up`, fresh hosts to a cluster that verify passes. */
  up_s: number;
  /** `pulumi up` on the converged cluster, which changes nothing. */
  noop_up_s: number;
  /** `pulumi preview` on the converged cluster, the drift audit included. */
  preview_s: number;
  /** The same started in the background by a script (`pulumi preview & wait`), as CI and cron start it. */
  preview_bg_s: number;
  /** `pulumi destroy`, back to hosts without the stack's traces. */
  destroy_s: number;
  /** The machine's CPU, over all its cores, while the cold `pulumi up` ran: lab hosts and controller. */
  up_cpu_s: number;
  /** The same while the floor ran. */
  floor_cpu_s: number;
  /** How many times the floor and the stack were measured, alternately: each of their figures is the median. */
  rounds: number;
}

/** The middle one of some samples, or the mean of the middle two. */
export function median(samples: number[]): number {
  if (samples.length === 0) throw new Error("the median of no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The item whose key is the median, or the lower of the middle two: a round that stands for the others. */
export function middleItem<T>(items: T[], key: (item: T) => number): T {
  if (items.length === 0) throw new Error("the middle of no items");
  return [...items].sort((a, b) => key(a) - key(b))[Math.floor((items.length - 1) / 2)];
}

/** The figures that are Pulumi's, each shown as a ratio to the floor. */
export const pulumiFigures = ["up_s", "noop_up_s", "preview_s", "preview_bg_s", "destroy_s"] as const;

const labels: Record<keyof BenchRun, string> = {
  hosts: "hosts",
  mode: "mode",
  seed_s: "seed",
  floor_s: "floor",
  up_s: "cold up",
  noop_up_s: "no-op up",
  preview_s: "no-op preview",
  preview_bg_s: "same, background",
  destroy_s: "destroy",
  up_cpu_s: "cold up CPU",
  floor_cpu_s: "floor CPU",
  rounds: "rounds",
};

/** A figure as a ratio to its run's floor. */
export function ratio(run: BenchRun, figure: (typeof pulumiFigures)[number]): number {
  return run[figure] / run.floor_s;
}

/** The runs as a table for people: seconds, and each Pulumi figure's ratio to the floor of its run. */
export function table(runs: BenchRun[]): string {
  const head = ["hosts", "mode", "seed", "floor", ...pulumiFigures.map((f) => labels[f]), labels.rounds];
  const rows = runs.map((r) => [
    String(r.hosts),
    r.mode,
    `${r.seed_s.toFixed(1)} s`,
    `${r.floor_s.toFixed(1)} s`,
    ...pulumiFigures.map((f) => `${r[f].toFixed(1)} s ${ratio(r, f).toFixed(2)}x`),
    String(r.rounds),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
  return [line(head), ...rows.map(line)].join("\n") + "\n";
}

/**
 * How much a figure grows per host: the least-squares slope of its value
 * against the number of hosts, over the runs given.
 */
export function perHost(runs: BenchRun[], figure: "floor_s" | "up_s" | "floor_cpu_s" | "up_cpu_s"): number {
  const n = runs.length;
  const meanHosts = runs.reduce((sum, r) => sum + r.hosts, 0) / n;
  const meanValue = runs.reduce((sum, r) => sum + r[figure], 0) / n;
  const spread = runs.reduce((sum, r) => sum + (r.hosts - meanHosts) ** 2, 0);
  return runs.reduce((sum, r) => sum + (r.hosts - meanHosts) * (r[figure] - meanValue), 0) / spread;
}

/**
 * What each extra host adds, over the plain runs, to the floor and to the cold
 * up, in wall time and in the machine's CPU; how many of its `cores` the cold
 * up kept busy at each size; and so the least that each host would add to it
 * once they are full, the cold up's extra CPU spread over all of them, as a
 * ratio to the floor's extra wall time; and the same for the floor's extra
 * CPU, which no stack that runs the same commands on the same cores goes
 * below. Empty with fewer than two sizes.
 */
export function perExtraHost(runs: BenchRun[], cores: number): string {
  const plain = runs.filter((r) => r.mode === "plain").sort((a, b) => a.hosts - b.hosts);
  if (new Set(plain.map((r) => r.hosts)).size < 2) return "";
  const [floor, up, floorCpu, upCpu] = (["floor_s", "up_s", "floor_cpu_s", "up_cpu_s"] as const).map((f) => perHost(plain, f));
  const busy = plain.map((r) => (r.up_cpu_s / r.up_s).toFixed(2)).join(", ");
  return (
    `each extra host (${plain.map((r) => r.hosts).join(", ")} hosts, plain): floor +${floor.toFixed(2)} s, cold up +${up.toFixed(2)} s (${(up / floor).toFixed(2)}x); ` +
    `CPU: floor +${floorCpu.toFixed(2)} s, cold up +${upCpu.toFixed(2)} s. The cold up kept ${busy} of ${cores} cores busy: ` +
    `once they are full, each host adds at least ${(upCpu / cores).toFixed(2)} s (${(upCpu / cores / floor).toFixed(2)}x), ` +
    `and a stack that cost no more CPU than the floor ${(floorCpu / cores).toFixed(2)} s (${(floorCpu / cores / floor).toFixed(2)}x)\n`
  );
}

/** The runs as `bench-results/latest.json` holds them. */
export function resultsJson(runs: BenchRun[]): string {
  return JSON.stringify({ runs }, null, 2) + "\n";
}

const colors: Record<string, string> = {
  seed_s: "#7f7f7f",
  floor_s: "#000000",
  up_s: "#1f77b4",
  noop_up_s: "#2ca02c",
  preview_s: "#ff7f0e",
  preview_bg_s: "#9467bd",
  destroy_s: "#d62728",
};

/** A line chart (SVG) of every figure of the plain-mode runs against the number of hosts. */
export function chart(runs: BenchRun[]): string {
  const plain = runs.filter((r) => r.mode === "plain").sort((a, b) => a.hosts - b.hosts);
  const figures = ["seed_s", "floor_s", ...pulumiFigures] as const;
  const [w, h, left, right, top, bottom] = [640, 400, 50, 130, 20, 40];
  const xs = plain.map((r) => r.hosts);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const yMax = Math.ceil(Math.max(1, ...plain.flatMap((r) => figures.map((f) => r[f]))) / 5) * 5;
  const x = (n: number) => left + (xMax === xMin ? (w - left - right) / 2 : ((n - xMin) / (xMax - xMin)) * (w - left - right));
  const y = (s: number) => h - bottom - (s / yMax) * (h - top - bottom);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="white"/>`,
    `<line x1="${left}" y1="${y(0)}" x2="${w - right}" y2="${y(0)}" stroke="black"/>`,
    `<line x1="${left}" y1="${y(0)}" x2="${left}" y2="${top}" stroke="black"/>`,
    `<text x="${(left + w - right) / 2}" y="${h - 8}" text-anchor="middle">hosts</text>`,
    `<text x="12" y="${top + 10}">s</text>`,
  ];
  for (let s = 0; s <= yMax; s += yMax / 5) {
    parts.push(`<text x="${left - 6}" y="${y(s) + 4}" text-anchor="end">${s}</text>`);
  }
  for (const n of xs) parts.push(`<text x="${x(n)}" y="${y(0) + 16}" text-anchor="middle">${n}</text>`);
  figures.forEach((f, i) => {
    const points = plain.map((r) => `${x(r.hosts).toFixed(1)},${y(r[f]).toFixed(1)}`).join(" ");
    parts.push(`<polyline points="${points}" fill="none" stroke="${colors[f]}" stroke-width="2"/>`);
    for (const r of plain) parts.push(`<circle cx="${x(r.hosts).toFixed(1)}" cy="${y(r[f]).toFixed(1)}" r="3" fill="${colors[f]}"/>`);
    parts.push(`<text x="${w - right + 10}" y="${top + 16 * (i + 1)}" fill="${colors[f]}">${labels[f]}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
