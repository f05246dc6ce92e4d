// The whole stack on the tests' own Debian 12 hosts (test/support/stack-suite.ts).
import { debian12 } from "../support/lab-clusters";
import { stackSuite } from "../support/stack-suite";

stackSuite("e2e", debian12);
