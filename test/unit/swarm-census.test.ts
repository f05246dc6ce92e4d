import { describe, it } from "node:test";
import * as assert from "node:assert/strict";
import { splitFrom, swarmWord, takeCensus, SwarmSighting } from "../../components/cluster/swarm-census";

const seen = (hostName: string, swarmId?: string, marked = swarmId, role: SwarmSighting["role"] = "manager"): SwarmSighting => ({
  hostName,
  role,
  swarmId,
  marked,
});

describe("the swarm census", () => {
  it("lets the first manager start a swarm only where no host is in one or records one", () => {
    const fresh = takeCensus([seen("a"), seen("b"), seen("c")]);
    assert.equal(swarmWord(fresh, true), "new");
    assert.equal(swarmWord(fresh, false), "", "the others join whichever swarm this tool made");
    const recorded = takeCensus([seen("a"), seen("b", undefined, "S1")]);
    assert.equal(swarmWord(recorded, true), "", "a host records a swarm: none is started beside it");
    const foreign = takeCensus([seen("a"), seen("b", "F", "")]);
    assert.equal(foreign.swarmId, undefined, "a swarm no host records is not this tool's");
    assert.equal(swarmWord(foreign, true), "", "and none is started beside it either");
  });

  it("takes the swarm that holds most of the inventory's managers as the stack's", () => {
    const split = takeCensus([seen("a", "A"), seen("b", "B"), seen("c", "B"), seen("w1", "A", "A", "worker"), seen("w2", "A", "A", "worker")]);
    assert.equal(split.swarmId, "B", "managers count, not workers");
    assert.equal(splitFrom(split, "A"), "in swarm A, not the stack's swarm B (b, c)");
    assert.equal(splitFrom(split, "B"), undefined);
    assert.equal(splitFrom(split, undefined), undefined, "a host in no swarm is drift of its own kind");
    assert.equal(swarmWord(split, true), "B");
  });

  it("breaks a tie between swarms by their hosts, then by ID, the same way on every run", () => {
    assert.equal(takeCensus([seen("a", "A"), seen("b", "B"), seen("w", "B", "B", "worker")]).swarmId, "B");
    assert.equal(takeCensus([seen("b", "B"), seen("a", "A")]).swarmId, "A");
  });
});
