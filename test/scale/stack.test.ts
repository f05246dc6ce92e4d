// The whole stack on every test host at once (`npm run test:scale`, which says
// which Debian release they run in CLIPPER_TEST_DEBIAN).
import { labHosts, testInventory } from "../support/cli";
import { stackSuite } from "../support/stack-suite";

const release = process.env.CLIPPER_TEST_DEBIAN ?? "12";
const hosts = labHosts();
stackSuite("e2e-scale", {
  title: `${hosts.length} Debian ${release} hosts`,
  inventory: testInventory,
  debian: Object.fromEntries(hosts.map((h) => [h.name, release])),
});
