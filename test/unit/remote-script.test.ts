import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { renderScript, stepsInput, withoutComments } from "../../components/remote/remote-script";

const scriptsDir = path.join(__dirname, "../../components/remote/scripts");
/** A remote script's file as it is, comments and all. */
const scriptFile = (file: string) => fs.readFileSync(path.join(scriptsDir, file), "utf8");

/** The code that bash reads from `text`, as it prints it back: comments and layout gone. */
function parsed(text: string): string {
  return execFileSync("bash", ["-c", `step() {\n${text}\n}\ndeclare -f step`], { encoding: "utf8" });
}

describe("remote scripts without comments", () => {
  for (const file of fs.readdirSync(scriptsDir).filter((f) => f.endsWith(".sh"))) {
    it(`${file}: the shell reads the same code`, () => {
      const text = scriptFile(file);
      const stripped = withoutComments(text);
      assert.equal(parsed(stripped), parsed(text));
      assert.doesNotMatch(stripped, /^\s*#/m);
    });
  }

  it("would see a quoted line that starts with # go", () => {
    const text = "unit=$(printf 'a\n# kept\nb')\necho \"$unit\"";
    assert.notEqual(parsed(withoutComments(text)), parsed(text));
  });
});

/** Each function that bash defines from `text`, by name, as bash prints it back. */
function functionsOf(text: string): Map<string, string> {
  const listed = execFileSync("bash", ["-c", 'eval "$(cat)"; for f in $(compgen -A function); do declare -f "$f"; echo "@@end"; done'], {
    input: text,
    encoding: "utf8",
  });
  return new Map(listed.split("@@end\n").filter(Boolean).map((definition) => [definition.split(" ")[0], definition]));
}

const common = functionsOf(withoutComments(scriptFile("common.sh")));

/** The line with which a script reads common.sh when a person runs it from its folder. */
const readsCommon = '. "$(dirname "$0")/common.sh"';

describe("remote scripts run by a person, and as they travel", () => {
  for (const file of fs.readdirSync(scriptsDir).filter((f) => f.endsWith(".sh") && f !== "common.sh")) {
    const name = file.slice(0, -3);
    it(`${name}: reads common.sh from its folder, and carries all of it instead when rendered`, () => {
      const text = scriptFile(file);
      assert.match(text, /^#!\/bin\/sh\n/, "a shebang");
      assert.match(text, /^set -eu$/m);
      assert.ok(text.split("\n").includes(readsCommon), "it reads common.sh beside it");
      const rendered = renderScript(name, { HOST: "h" });
      assert.ok(!rendered.includes(readsCommon), "a host has no common.sh beside the script it is sent");
      const code = withoutComments(text).split("\n").filter((line) => line !== readsCommon).join("\n");
      assert.ok(rendered.endsWith(code), "the script's own code comes last");
      const carried = functionsOf(rendered.slice(0, rendered.length - code.length));
      assert.deepEqual([...carried.keys()], [...common.keys()], "after all of common.sh");
      execFileSync("sh", ["-n"], { input: rendered });
    });
  }
});

/** Runs `stdin` as a command's host runs it: `sh -s -- STEP`. */
function runStep(stdin: string, step: string) {
  return spawnSync("sh", ["-s", "--", step], { input: stdin, encoding: "utf8" });
}

describe("a command's input, which runs the scripts a host keeps", () => {
  /** A folder of two versions' scripts; each prints its name, version and the values it was given. */
  function keptScripts(): { home: string; folder: string } {
    const home = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kept-scripts-")), "scripts");
    for (const version of ["v1", "v2"]) {
      fs.mkdirSync(path.join(home, version), { recursive: true });
      for (const name of ["make", "unmake"]) {
        fs.writeFileSync(path.join(home, version, `${name}.sh`), `echo "${name} ${version} HOST=$HOST PEERS=$PEERS"\n`);
      }
    }
    return { home, folder: path.join(home, "v2") };
  }
  const steps = { create: "make", delete: "unmake" };
  const values = { HOST: "h1", PEERS: ["tcp://a:2375", "tcp://b:2375"] };

  it("runs the step its first argument names, with the values exported", () => {
    const { folder } = keptScripts();
    const stdin = stepsInput(steps, values, folder);
    for (const step of ["create", "update"]) assert.equal(runStep(stdin, step).stdout, "make v2 HOST=h1 PEERS=tcp://a:2375 tcp://b:2375\n");
    assert.equal(runStep(stdin, "delete").stdout, "unmake v2 HOST=h1 PEERS=tcp://a:2375 tcp://b:2375\n");
    const unknown = runStep(stdin, "refresh");
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown step 'refresh'/);
  });

  it("deletes with the version the host holds once its own is gone, and creates with none but its own", () => {
    const { home } = keptScripts();
    const stdin = stepsInput(steps, values, path.join(home, "v0"));
    assert.equal(runStep(stdin, "delete").stdout, "unmake v2 HOST=h1 PEERS=tcp://a:2375 tcp://b:2375\n");
    const create = runStep(stdin, "create");
    assert.equal(create.status, 1);
    assert.match(create.stderr, /^h1: error: clipper-swarm's scripts are not in .*\/v0; run pulumi up, which puts them there before any step, then run this again$/m);
    fs.rmSync(home, { recursive: true });
    const none = runStep(stdin, "delete");
    assert.equal(none.status, 1);
    assert.match(none.stderr, /clipper-swarm's scripts are not in .*; run pulumi up/, "a host with records and no scripts says so");
    fs.rmSync(path.dirname(home), { recursive: true });
    const fresh = runStep(stdin, "delete");
    assert.equal(fresh.status, 0, "a fresh system in the host's place holds nothing to take away");
    assert.match(fresh.stderr, /^h1: no .*kept-scripts-\w+: nothing of clipper-swarm's to take away$/m);
    assert.equal(runStep(stdin, "create").status, 1, "and a create still needs the scripts");
  });

  it("stores values and the folder, not the scripts", () => {
    const stdin = stepsInput({ create: "swarm-member", delete: "swarm-member-delete" }, { HOST: "h" }, "/var/lib/clipper-swarm/scripts/0123456789ab");
    assert.ok(stdin.length < 1000, `${stdin.length} characters`);
    assert.doesNotMatch(stdin, /^fail\(\) \{/m, "none of common.sh");
    execFileSync("sh", ["-n"], { input: stdin });
  });
});
