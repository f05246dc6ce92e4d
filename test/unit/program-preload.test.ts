// What Pulumi.yaml's nodeargs load before the program, each in a node process
// of its own, started as the language host starts the program.
import { after, describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..", "..");
const preload = (name: string) => path.join(root, "tools", name);
const scratch = mkdtempSync(path.join(os.tmpdir(), "clipper-swarm-preload-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `script` with node in the project's folder, after `preloads`; its stdout, failing on a non-zero exit. */
function node(preloads: string[], script: string): string {
  const run = spawnSync("node", [...preloads.flatMap((p) => ["--require", preload(p)]), "-e", script], { cwd: root, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.trim();
}

/** Whether a module of `pattern` was loaded, as the script prints it. */
const loaded = (pattern: string) => `Object.keys(require.cache).some((k) => ${pattern}.test(k))`;

describe("ts-transpile-cache", () => {
  const file = path.join(scratch, "program.ts");
  const run = () => node(["ts-transpile-cache.js"], `const v = require(${JSON.stringify(file)}).value; console.log(v, ${loaded("/sucrase\\/dist\\/index/")})`);

  it("runs TypeScript through sucrase once, then from its cache without loading sucrase", () => {
    const text = `const value: string = "first ${Date.now()}";\nexport { value };\n`;
    writeFileSync(file, text);
    assert.match(run(), /^first \d+ true$/, "transpiled by sucrase");
    const key = createHash("sha256").update(`${require("sucrase/package.json").version}\0imports,typescript\0${text}`).digest("hex");
    assert.ok(existsSync(path.join(root, "node_modules", ".cache", "clipper-swarm-ts", `${key}.js`)), "kept by the hash of its text");
    assert.match(run(), /^first \d+ false$/, "read back; sucrase not loaded");
  });

  it("never runs stale code: an edited file is transpiled again", () => {
    writeFileSync(file, `export const value: number = 2 + ${Date.now() % 1000};\n`);
    const [value, sucrase] = run().split(" ");
    assert.ok(Number(value) >= 2, value);
    assert.equal(sucrase, "true");
  });

  it("keeps each line where it was, so stack traces name the TypeScript's lines", () => {
    writeFileSync(file, `interface Unused {\n  a: number;\n}\nexport const value: string = String(new Error("here").stack).split("\\n")[1];\n`);
    assert.match(run(), /program\.ts:4:/);
  });
});

describe("sdk-lazy-closure", () => {
  it("loads @pulumi/pulumi without its function serialization, arborist and TypeScript", () => {
    const out = node(["sdk-lazy-closure.js"], `require("@pulumi/pulumi"); console.log(${loaded("/@npmcli\\/arborist|node_modules\\/typescript\\//")}, ${loaded("/runtime\\/closure\\/codePaths/")})`);
    assert.equal(out, "false false");
    const without = node([], `require("@pulumi/pulumi"); console.log(${loaded("/@npmcli\\/arborist/")})`);
    assert.equal(without, "true", "the SDK's index loads them when nothing defers them");
  });

  it("loads them on their first call, which then works as the SDK's own", () => {
    const out = node(
      ["sdk-lazy-closure.js"],
      `const pulumi = require("@pulumi/pulumi");
       pulumi.runtime.serializeFunction(() => 40 + 2).then((f) => console.log(/40 \\+ 2/.test(f.text), typeof pulumi.runtime.computeCodePaths));`,
    );
    assert.equal(out, "true function");
  });
});

describe("sdk-plain-stack-traces", () => {
  /** Whether `Error.prepareStackTrace` is still node's once the SDK's program runner has required its source-map-support. */
  const script = `const nodes = Error.prepareStackTrace;
    require(require.resolve("source-map-support/register", { paths: [require("path").dirname(require.resolve("@pulumi/pulumi/cmd/run/index.js"))] }));
    console.log(Error.prepareStackTrace === nodes, String(new Error("here").stack).split("\\n")[1].includes("[eval]"))`;

  it("keeps the SDK's program runner from installing source-map-support, and stack traces as node makes them", () => {
    assert.equal(node(["sdk-plain-stack-traces.js"], script), "true true");
    assert.equal(node([], script).split(" ")[0], "false", "without it, the runner installs its own");
  });
});
