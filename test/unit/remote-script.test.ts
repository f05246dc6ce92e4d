import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { renderScript, renderSteps, withoutComments } from "../../components/remote/remote-script";

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

  it("renders a command's two steps with common.sh once, and a dispatch by step", () => {
    const rendered = renderSteps({ create: "swarm-member", delete: "swarm-member-delete" }, { HOST: "h" });
    assert.ok(!rendered.includes(readsCommon));
    assert.equal(rendered.split("\nfail() {").length, 2, "common.sh once");
    assert.match(rendered, /^step_create\(\) \{$/m);
    assert.match(rendered, /^step_delete\(\) \{$/m);
    execFileSync("sh", ["-n"], { input: rendered });
  });
});
