import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { withoutComments } from "../../components/remote-script";

const scriptsDir = path.join(__dirname, "../../components/scripts");

/** The code that bash reads from `text`, as it prints it back: comments and layout gone. */
function parsed(text: string): string {
  return execFileSync("bash", ["-c", `step() {\n${text}\n}\ndeclare -f step`], { encoding: "utf8" });
}

describe("remote scripts without comments", () => {
  for (const file of fs.readdirSync(scriptsDir).filter((f) => f.endsWith(".sh"))) {
    it(`${file}: the shell reads the same code`, () => {
      const text = fs.readFileSync(path.join(scriptsDir, file), "utf8");
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
