import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { matrix, pairsToCheck } from "../../bin/overlay-check";
import { hostList, testCommand } from "../../components/cluster/clipper-admin";

describe("verify's matrix", () => {
  it("has a row per source host and marks each pair", () => {
    const engines = [{ name: "host1", url: "tcp://a:2375" }, { name: "host2", url: "tcp://b:2375" }];
    const table = matrix(engines, [
      { from: "host1", to: "host2", ok: true },
      { from: "host2", to: "host1", ok: false, detail: "timeout" },
    ]);
    assert.deepEqual(table.split("\n").map((l) => l.trim().split(/\s+/)), [
      ["from\\to", "host1", "host2"],
      ["host1", "-", "ok"],
      ["host2", "FAIL", "-"],
    ]);
  });
});

describe("verify's pairs", () => {
  it("checks every ordered pair of a few hosts", () => {
    assert.equal(pairsToCheck([...Array(10).keys()]).length, 90);
  });

  it("samples 25 hosts: each sends to three others and receives from three, near and far", () => {
    const hosts = [...Array(25).keys()];
    const pairs = pairsToCheck(hosts);
    assert.equal(pairs.length, 75, "75 of the 600");
    assert.equal(new Set(pairs.map((p) => `${p.from}>${p.to}`)).size, 75, "no pair twice");
    for (const h of hosts) {
      assert.equal(pairs.filter((p) => p.from === h).length, 3);
      assert.equal(pairs.filter((p) => p.to === h).length, 3);
      assert.ok(pairs.every((p) => p.from !== p.to));
    }
    const distances = new Set(pairs.map((p) => (p.to - p.from + 25) % 25));
    assert.deepEqual([...distances].sort((x, y) => x - y), [1, 8, 16], "to the next host, and a third and two thirds of the way round");
  });
});

describe("clipper_admin texts", () => {
  it("host_list: the count, then one endpoint per line", () => {
    assert.equal(hostList(["10.0.0.1:2375", "10.0.0.2:2375"]), "2\n10.0.0.1:2375\n10.0.0.2:2375\n");
  });

  it("the seed's test command", () => {
    assert.equal(
      testCommand("tcp://10.0.0.1:2375", "clipper_network", "busybox:latest"),
      "docker -H tcp://10.0.0.1:2375 run -it --rm --net clipper_network busybox:latest",
    );
    assert.equal(
      testCommand("tcp://10.0.0.1:2376", "clipper_network", "busybox:latest", true),
      "docker --tlsverify -H tcp://10.0.0.1:2376 run -it --rm --net clipper_network busybox:latest",
    );
  });
});
