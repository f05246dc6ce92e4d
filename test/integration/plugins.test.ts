// How setup gets each pinned resource plugin: from the tool cache, by Pulumi's
// own download, or not at all, with a message that says what to do. Each case
// runs tools/plugins.sh with a plugin folder, cache and download site of its own.
import { describe, it, after } from "node:test";
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { pulumiBin, root, run, toolCache } from "../support/cli";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pins: Record<string, string> = require(path.join(root, "package.json")).dependencies;

/** Each pinned plugin, and where setup would find its binary in the tool cache. */
const plugins = ["command", "docker"].map((name) => {
  const version = pins[`@pulumi/${name}`];
  return { name, version, cached: path.join(toolCache, `pulumi-resource-${name}-${version}`, `pulumi-resource-${name}`) };
});
const uncached = plugins.filter((p) => !existsSync(p.cached)).map((p) => `pulumi-resource-${p.name} ${p.version}`);

const scratch = mkdtempSync(path.join(os.tmpdir(), "clipper-swarm-plugins-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A fresh plugin folder, an empty cache and a missing-plugins file path. */
function workspace(name: string) {
  const dir = path.join(scratch, name);
  const home = path.join(dir, "home");
  const cache = path.join(dir, "cache");
  mkdirSync(home, { recursive: true });
  mkdirSync(cache, { recursive: true });
  return { home, cache, missing: path.join(dir, "missing-plugins") };
}

/** Runs tools/plugins.sh; asynchronous, so that a download site in this process can answer. */
async function installPlugins(ws: ReturnType<typeof workspace>, downloadSite: string) {
  const env = {
    ...process.env,
    PULUMI_HOME: ws.home,
    // Every plugin Pulumi would fetch from its release site comes from downloadSite instead.
    PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: `^.*$=${downloadSite}`,
  };
  try {
    const { stdout, stderr } = await promisify(execFile)("bash", ["tools/plugins.sh", pulumiBin, ws.cache, ws.missing], { cwd: root, env });
    return { status: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { status: e.code, output: e.stdout + e.stderr };
  }
}

function installed(home: string): string[] {
  const ls = run(pulumiBin, ["plugin", "ls", "--json"], { env: { ...process.env, PULUMI_HOME: home } });
  return (JSON.parse(ls.stdout || "[]") as { name: string; version: string }[]).map((p) => `${p.name}@${p.version}`);
}

/** An HTTP server on loopback that serves files from `dir` and records each path asked for. */
async function downloadSite(dir: string) {
  const asked: string[] = [];
  const server = http.createServer((req, res) => {
    const file = path.join(dir, path.basename(req.url ?? ""));
    asked.push(req.url ?? "");
    if (!existsSync(file)) return void res.writeHead(404).end();
    const body = readFileSync(file);
    res.writeHead(200, { "Content-Type": "application/gzip", "Content-Length": body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, asked, close: () => new Promise((r) => server.close(r)) };
}

describe("plugin installation", () => {
  it("stops with a message naming each plugin, its version and where to put it, when neither cache nor download has it", async () => {
    const ws = workspace("none");
    // A site that answers nothing: every download fails, as offline.
    const site = await downloadSite(path.join(scratch, "empty"));
    const result = await installPlugins(ws, site.url);
    await site.close();
    assert.equal(result.status, 0, result.output);
    const missing = readFileSync(ws.missing, "utf8");
    for (const { name, version } of plugins) {
      assert.match(missing, new RegExp(`^${name} ${version}: not in the cache and not downloadable .*pulumi-resource-${name}-${version}/pulumi-resource-${name}$`, "m"));
      assert.ok(site.asked.some((p) => p.includes(`pulumi-resource-${name}-v${version}-linux-`)), `Pulumi asked the site for ${name}: ${site.asked.join(", ")}`);
    }
    assert.deepEqual(installed(ws.home), []);
  });

  it("installs each plugin by Pulumi's own download from release-style tarballs", { skip: uncached.length ? `not in ${toolCache}, so nothing to serve: ${uncached.join(", ")}` : undefined }, async () => {
    const ws = workspace("download");
    const release = path.join(scratch, "release");
    mkdirSync(release, { recursive: true });
    // The layout of a provider's release asset: the binary at the tarball's root.
    const arch = os.arch() === "x64" ? "amd64" : os.arch();
    for (const p of plugins) {
      const tarball = path.join(release, `pulumi-resource-${p.name}-v${p.version}-linux-${arch}.tar.gz`);
      const tar = run("tar", ["-czf", tarball, "-C", path.dirname(p.cached), path.basename(p.cached)]);
      assert.equal(tar.status, 0, tar.stderr);
    }
    const site = await downloadSite(release);
    const result = await installPlugins(ws, site.url);
    await site.close();
    assert.equal(result.status, 0, result.output);
    for (const p of plugins) {
      assert.match(result.output, new RegExp(`installed plugin ${p.name} ${p.version} by download`));
      assert.ok(installed(ws.home).includes(`${p.name}@${p.version}`), installed(ws.home).join(", "));
    }
    assert.equal(existsSync(ws.missing), false, "nothing is reported missing");
  });
});
