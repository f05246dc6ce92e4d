// A wedged engine (dockerd stopped with SIGSTOP: it takes connections and
// never answers them) holds no run up: preview, up and destroy each end
// within 90 s, and what they say names the host and what did not answer.
import { describe, it, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { failureText, labHosts, leftovers, missingPlugins, ssh } from "../support/cli";
import { labStack } from "../support/lab-stack";

/** How long any run may take with one engine wedged. */
const boundSeconds = 90;

describe("a wedged engine", { skip: missingPlugins() }, () => {
  const lab = labStack("wedged");
  const hosts = labHosts();
  const wedged = hosts[1];
  const wedge = () => assert.equal(ssh(wedged, "kill -STOP $(pidof dockerd)").status, 0);
  const timed = (args: string[]) => {
    const start = Date.now();
    const r = lab.cli(args);
    return { ...r, seconds: (Date.now() - start) / 1000, output: r.stdout + r.stderr };
  };
  before(() => lab.converge());
  after(() => {
    ssh(wedged, "kill -CONT $(pidof dockerd) 2>/dev/null; true");
    lab.dispose();
    assert.deepEqual(hosts.flatMap(leftovers), []);
  });

  it("preview ends in time, naming the host and that its engine does not answer", () => {
    wedge();
    const preview = timed(["preview", "--expect-no-changes"]);
    assert.ok(preview.seconds < boundSeconds, `preview took ${preview.seconds} s`);
    assert.notEqual(preview.status, 0, "the wedged engine is drift");
    assert.match(preview.output, new RegExp(`${wedged.name}: [^\\n]*(does not answer|did not answer)`), preview.output);
  });

  it("up ends in time: it restarts the engine, and the next preview is clean", () => {
    const up = timed(["up", "--yes", "--skip-preview"]);
    assert.ok(up.seconds < boundSeconds, `up took ${up.seconds} s`);
    assert.equal(up.status, 0, failureText(up));
    assert.match(up.output, new RegExp(`${wedged.name}: docker does not answer on tcp://`));
    const clean = lab.cli(["preview", "--expect-no-changes"]);
    assert.equal(clean.status, 0, failureText(clean));
  });

  it("destroy ends in time, and names the host where it cannot finish", () => {
    wedge();
    const down = timed(["destroy", "--yes", "--skip-preview"]);
    assert.ok(down.seconds < boundSeconds, `destroy took ${down.seconds} s`);
    if (down.status !== 0) assert.match(down.output, new RegExp(`${wedged.name}: `), down.output);
    ssh(wedged, "kill -CONT $(pidof dockerd) 2>/dev/null; true");
  });
});
