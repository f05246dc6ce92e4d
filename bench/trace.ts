/**
 * Where a run's time goes, read from the OpenTelemetry trace that the Pulumi
 * CLI writes with `--otel-traces file://FILE`: one JSON export per line, with
 * spans from the CLI, the language host and the plugins.
 *
 * The parts follow the run's critical path: the CLI's start, node with
 * Pulumi's SDK, the program's own load (its TypeScript and modules), the
 * hosts' audit over SSH, then each remote step as the engine ran it.
 */
import { readFileSync } from "node:fs";

/** One span of the trace: what ran, from when to when, in seconds from the trace's start. */
export interface Span {
  /** The process that reported it: pulumi-cli, pulumi-language-host, pulumi-resource-provider... */
  service: string;
  /** The span's name, such as `pulumirpc.ResourceMonitor/RegisterResource`. */
  name: string;
  /** For a registration seen by the language host: the resource's name. */
  resource?: string;
  /** For a plugin's start: its binary's name, such as `pulumi-resource-docker`. */
  plugin?: string;
  start: number;
  end: number;
}

/** A part of a run and the seconds it took. */
export type Part = [label: string, seconds: number];

interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: { name: string; startTimeUnixNano: string; endTimeUnixNano: string; attributes?: { key: string; value: { stringValue?: string } }[] }[] }[];
  }[];
}

/** The spans of a trace file, timed from its earliest span. */
export function readSpans(file: string): Span[] {
  const raw: (Omit<Span, "start" | "end"> & { start: bigint; end: bigint })[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    for (const group of (JSON.parse(line) as OtlpExport).resourceSpans) {
      const service = group.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue ?? "";
      for (const { spans } of group.scopeSpans) {
        for (const s of spans) {
          // The language host logs each request: its name field names the resource.
          const request = s.attributes?.find((a) => a.key === "Msg" && a.value.stringValue?.includes("gRPC request"))?.value.stringValue;
          const resource = request?.match(/ name:\\"([^\\"]+)\\"/)?.[1];
          const plugin = s.attributes?.find((a) => a.key === "bin")?.value.stringValue?.split("/").pop();
          raw.push({ service, name: s.name, ...(resource && { resource }), ...(plugin && { plugin }), start: BigInt(s.startTimeUnixNano), end: BigInt(s.endTimeUnixNano) });
        }
      }
    }
  }
  if (raw.length === 0) throw new Error(`${file}: no spans`);
  const origin = raw.reduce((min, s) => (s.start < min ? s.start : min), raw[0].start);
  const seconds = (t: bigint) => Number(t - origin) / 1e9;
  return raw.map((s) => ({ ...s, start: seconds(s.start), end: seconds(s.end) }));
}

/** The registrations of resources whose names match, as the language host saw them. */
function registrations(spans: Span[], name: RegExp): Span[] {
  return spans.filter((s) => s.service === "pulumi-language-host" && s.name.endsWith("/RegisterResource") && s.resource && name.test(s.resource));
}

function first(spans: Span[], what: string): Span {
  const found = [...spans].sort((a, b) => a.start - b.start)[0];
  if (!found) throw new Error(`the trace has no span of ${what}`);
  return found;
}

/** From the earliest start to the latest end of some spans. */
function extent(spans: Span[]): { start: number; end: number } {
  return { start: Math.min(...spans.map((s) => s.start)), end: Math.max(...spans.map((s) => s.end)) };
}

/** The start of a run, common to every command: the CLI, node with the SDK, the program's load, the audit. */
function startParts(spans: Span[]): { parts: Part[]; audited: number; cli: Span; run: Span } {
  const cli = first(spans.filter((s) => s.service === "pulumi-cli" && s.name === "pulumi"), "the CLI");
  const run = first(spans.filter((s) => s.service === "pulumi-cli" && s.name === "pulumirpc.LanguageRuntime/Run"), "the program's run");
  const stack = first(registrations(spans, /^clipper-swarm-/), "the stack");
  const components = first(registrations(spans, /^cluster$/), "the component");
  const commands = first(registrations(spans, /-dropin$/), "the drop-in commands");
  return {
    parts: [
      ["CLI start (state, plugins' list)", run.start - cli.start],
      ["node and Pulumi's SDK", stack.start - run.start],
      ["program load (TypeScript, modules)", components.start - stack.start],
      ["hosts' audit (SSH, checks)", commands.start - components.start],
    ],
    audited: commands.start,
    cli,
    run,
  };
}

/**
 * The parts of a cold `pulumi up`, along its critical path: the first
 * manager's engine restart (the others restart beside it), its swarm init,
 * then the other engines' restarts where they end later, the joins and the network.
 */
export function upParts(spans: Span[]): Part[] {
  const { parts, audited, cli } = startParts(spans);
  const members = registrations(spans, /^cluster-swarm-member-/);
  const founder = first(members, "the swarm's members");
  const founderHost = founder.resource?.slice("cluster-swarm-member-".length) ?? "";
  const restart = first(registrations(spans, /-dropin$/).filter((s) => s.resource === `cluster-${founderHost}-dropin`), "the first manager's drop-in");
  const joins = members.filter((m) => m !== founder);
  const network = extent(registrations(spans, /^cluster-overlay-network$/));
  const last = Math.max(founder.end, network.end, ...joins.map((j) => j.end));
  const dockerPlugins = spans.filter((s) => s.name === "newPlugin" && s.plugin?.startsWith("pulumi-resource-docker"));
  return [
    ...parts,
    ["first manager's engine restart (all in parallel)", restart.end - audited],
    ["until its member starts (providers' plugins)", founder.start - restart.end],
    ["swarm init", founder.end - founder.start],
    [`other restarts, joins (${joins.length}, at once) and the network`, last - founder.end],
    ["CLI finish (state)", cli.end - last],
    [`of which Docker providers' plugin starts (${dockerPlugins.length})`, dockerPlugins.reduce((sum, s) => sum + (s.end - s.start), 0)],
  ];
}

/** The parts of a no-op `pulumi preview`. */
export function previewParts(spans: Span[]): Part[] {
  const { parts, audited, cli, run } = startParts(spans);
  return [...parts, ["diffs and providers' plugins", run.end - audited], ["CLI finish", cli.end - run.end]];
}

/** Parts as a table for people, with their sum. */
export function partsTable(title: string, parts: Part[]): string {
  const width = Math.max(...parts.map(([label]) => label.length));
  const total = parts.filter(([label]) => !label.startsWith("of which")).reduce((sum, [, s]) => sum + s, 0);
  return [title, ...parts.map(([label, s]) => `  ${label.padEnd(width)}  ${s.toFixed(2)} s`), `  ${"total".padEnd(width)}  ${total.toFixed(2)} s`].join("\n") + "\n";
}
