/**
 * A Pulumi CLI as a user has it installed: a release newer than the SDK that
 * package.json pins, with a Node.js language host beside it, in a folder of
 * its own to put first on PATH. The CLI is built once from Go modules into the
 * tool cache (test/fixtures/newer-pulumi), as setup builds the pinned one.
 */
import * as assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, renameSync } from "node:fs";
import * as path from "node:path";
import { root, run, toolCache } from "./cli";

/** The CLI release the user has: newer than the pinned @pulumi/pulumi. */
export const USERS_PULUMI_VERSION = "3.260.0";

/** Puts the user's CLI and a language host into `dir`/bin and returns that folder. */
export function installUsersPulumi(dir: string): string {
  const cached = path.join(toolCache, `pulumi-${USERS_PULUMI_VERSION}`, "pulumi");
  if (!existsSync(cached)) buildPulumi(cached);
  const bin = path.join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  copyFileSync(cached, path.join(bin, "pulumi"));
  // The host that setup built or placed: the CLI starts the one beside it, as
  // an official install has it.
  copyFileSync(path.join(root, ".tools", "libexec", "pulumi-language-nodejs"), path.join(bin, "pulumi-language-nodejs"));
  return bin;
}

function buildPulumi(target: string): void {
  const module = path.join(root, "test", "fixtures", "newer-pulumi");
  console.log(`# building pulumi ${USERS_PULUMI_VERSION} from Go modules into ${target} (first time only, about 5 min)`);
  const pkg = run("go", ["list", "-f", "{{.ImportPath}}", "tool"], { cwd: module });
  assert.equal(pkg.status, 0, pkg.stderr);
  mkdirSync(path.dirname(target), { recursive: true });
  const ldflags = `-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${USERS_PULUMI_VERSION}`;
  const built = run("go", ["build", "-mod=readonly", "-trimpath", "-ldflags", ldflags, "-o", `${target}.tmp`, pkg.stdout.trim()], { cwd: module, timeoutMs: 1_800_000 });
  assert.equal(built.status, 0, `building pulumi ${USERS_PULUMI_VERSION} failed:\n${built.stderr.slice(-3000)}`);
  renameSync(`${target}.tmp`, target);
}
