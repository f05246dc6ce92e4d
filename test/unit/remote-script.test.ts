import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { renderScript, renderSteps, ScriptSteps, withoutComments } from "../../components/remote-script";

const scriptsDir = path.join(__dirname, "../../components/scripts");
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

/** The functions that a rendered script carries before its own `code`, which comes last, and is not run. */
function carriedBy(rendered: string, code: string): Map<string, string> {
  assert.ok(rendered.endsWith(code), "the script's own code comes last");
  return functionsOf(rendered.slice(0, rendered.length - code.length));
}

/**
 * Checks a script's text against common.sh: the functions it carries are
 * common.sh's own, as bash reads them, and every function of common.sh that
 * its code names (as a word anywhere) is among them.
 */
function assertCarriesWhatItUses(name: string, rendered: string, code: string): void {
  const carried = carriedBy(rendered, code);
  for (const [fn, definition] of carried) assert.equal(definition, common.get(fn), `${name}: ${fn} as common.sh defines it`);
  const named = new Set(rendered.match(/[A-Za-z_][A-Za-z0-9_]*/g));
  const missing = [...common.keys()].filter((fn) => named.has(fn) && !carried.has(fn));
  assert.deepEqual(missing, [], `${name}: names functions of common.sh that it does not carry`);
}

describe("remote scripts carry the part of common.sh they use", () => {
  const script = (file: string) => withoutComments(scriptFile(file));
  for (const file of fs.readdirSync(scriptsDir).filter((f) => f.endsWith(".sh") && f !== "common.sh")) {
    const name = file.slice(0, -3);
    it(`${name}`, () => assertCarriesWhatItUses(name, renderScript(name, {}), script(file)));
  }
  const pairs: ScriptSteps[] = [
    { create: "endpoint-create", delete: "endpoint-delete" },
    { create: "tls-key-create", delete: "tls-key-delete" },
    { create: "network-create", delete: "network-delete" },
    { create: "swarm-member", delete: "swarm-member-delete" },
    { create: "swarm-retire", delete: "swarm-retire-delete" },
  ];
  for (const steps of pairs) {
    it(`${steps.create} with ${steps.delete}`, () => {
      const rendered = renderSteps(steps, {});
      const code = rendered.slice(rendered.indexOf("step_create() {"));
      assertCarriesWhatItUses(steps.create, rendered, code);
    });
  }

  it("carries less than all of common.sh where less will do", () => {
    const carried = carriedBy(renderScript("network-check", {}), script("network-check.sh"));
    assert.ok(carried.size < common.size / 2, `${carried.size} of ${common.size} functions`);
    assert.ok(carried.has("first_peer") && carried.has("inspect_network"));
    assert.ok(!carried.has("join_through"));
  });
});
