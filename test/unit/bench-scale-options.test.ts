// The scale bench's arguments after --scale: rounds and Docker providers, in
// any order, each at most once.
import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { scaleOptions, scaleUsage } from "../../bench/scale";

describe("bench scale options", () => {
  it("runs one round with Docker providers off unless said, as the stack has them", () => {
    assert.deepEqual(scaleOptions([]), { rounds: 1, dockerProviders: false });
  });

  it("takes rounds and Docker providers in either order", () => {
    assert.deepEqual(scaleOptions(["--rounds", "3"]), { rounds: 3, dockerProviders: false });
    assert.deepEqual(scaleOptions(["--docker-providers", "off"]), { rounds: 1, dockerProviders: false });
    assert.deepEqual(scaleOptions(["--rounds", "5", "--docker-providers", "off"]), { rounds: 5, dockerProviders: false });
    assert.deepEqual(scaleOptions(["--docker-providers", "on", "--rounds", "9"]), { rounds: 9, dockerProviders: true });
  });

  for (const args of [
    ["--rounds"],
    ["--rounds", "0"],
    ["--rounds", "10"],
    ["--rounds", "2.5"],
    ["--docker-providers"],
    ["--docker-providers", "false"],
    ["--rounds", "3", "--rounds", "4"],
    ["--docker-providers", "on", "--docker-providers", "off"],
    ["--hosts", "3"],
    ["--rounds", "3", "extra"],
  ]) {
    it(`refuses ${args.join(" ")} with the usage`, () => {
      assert.throws(() => scaleOptions(args), { message: scaleUsage });
    });
  }

  it("names both options in the usage", () => {
    assert.match(scaleUsage, /--scale \[--rounds R\] \[--docker-providers on\|off\]/);
  });
});
