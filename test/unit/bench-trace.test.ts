// The bench's breakdown of a run, read from an OpenTelemetry trace in the form
// the Pulumi CLI writes it: one export per line, spans of several processes.
import { after, describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { partsTable, previewParts, readSpans, upParts } from "../../bench/trace";

const origin = 1_800_000_000n * 1_000_000_000n;
const at = (s: number) => String(origin + BigInt(Math.round(s * 1e9)));

/** One export line: spans of one service, each [name, start, end, attributes]. */
function exportLine(service: string, spans: [string, number, number, Record<string, string>?][]): string {
  return JSON.stringify({
    resourceSpans: [{
      resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
      scopeSpans: [{
        spans: spans.map(([name, start, end, attrs = {}]) => ({
          name,
          startTimeUnixNano: at(start),
          endTimeUnixNano: at(end),
          attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } })),
        })),
      }],
    }],
  });
}

/** A registration as the language host logs it: the request names the resource. */
const registration = (name: string, start: number, end: number): [string, number, number, Record<string, string>] =>
  ["/pulumirpc.ResourceMonitor/RegisterResource", start, end, { Msg: JSON.stringify({ "gRPC request": `type:"t" name:"${name}" parent:"p"` }) }];

const scratch = mkdtempSync(path.join(os.tmpdir(), "clipper-swarm-trace-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
let traces = 0;

function traceFile(lines: string[]): string {
  const file = path.join(scratch, `trace-${++traces}.json`);
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

const cli = exportLine("pulumi-cli", [
  ["pulumi", 0, 10],
  ["pulumirpc.LanguageRuntime/Run", 0.4, 9.8],
  ["newPlugin", 5.1, 5.2, { bin: "/cache/pulumi-resource-docker" }],
  ["newPlugin", 5.2, 5.35, { bin: "/cache/pulumi-resource-docker" }],
  ["newPlugin", 2.5, 2.55, { bin: "/cache/pulumi-resource-command" }],
]);

describe("bench trace", () => {
  it("splits a cold up along its critical path", () => {
    const file = traceFile([
      cli,
      exportLine("pulumi-language-host", [
        registration("clipper-swarm-bench", 1.2, 1.21),
        registration("cluster", 2.0, 2.01),
        registration("cluster-host4-dropin", 2.5, 5.0),
        registration("host5-dropin", 2.6, 6.2),
        registration("cluster-swarm-member-host4", 5.5, 6.5),
        registration("cluster-swarm-member-host5", 6.5, 8.0),
        registration("cluster-overlay-network", 6.5, 9.0),
      ]),
    ]);
    const parts = Object.fromEntries(upParts(readSpans(file)).map(([label, s]) => [label, Number(s.toFixed(3))]));
    assert.deepEqual(parts, {
      "CLI start (state, plugins' list)": 0.4,
      "node and Pulumi's SDK": 0.8,
      "program load (TypeScript, modules)": 0.8,
      "hosts' audit (SSH, checks)": 0.5,
      "first manager's engine restart (all in parallel)": 2.5,
      "until its member starts (providers' plugins)": 0.5,
      "swarm init": 1,
      "other restarts, joins (1, at once) and the network": 2.5,
      "CLI finish (state)": 1,
      "of which Docker providers' plugin starts (2)": 0.25,
    });
    const table = partsTable("up", upParts(readSpans(file)));
    assert.match(table, /^ {2}total +10\.00 s$/m, "the parts add up to the run, the 'of which' line aside");
  });

  it("splits a no-op preview", () => {
    const file = traceFile([
      cli,
      exportLine("pulumi-language-host", [registration("clipper-swarm-bench", 1.2, 1.21), registration("cluster", 2.0, 2.01), registration("cluster-host4-dropin", 2.5, 2.6)]),
    ]);
    assert.deepEqual(previewParts(readSpans(file)).map(([, s]) => Number(s.toFixed(3))), [0.4, 0.8, 0.8, 0.5, 7.3, 0.2]);
  });

  it("says which part a trace lacks", () => {
    const file = traceFile([cli]);
    assert.throws(() => upParts(readSpans(file)), /the trace has no span of the stack/);
  });
});
