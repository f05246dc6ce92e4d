// The whole stack on Debian 13 hosts, Docker 26 (test/support/stack-suite.ts).
import { debian13 } from "../support/lab-clusters";
import { stackSuite } from "../support/stack-suite";

stackSuite("e2e-debian13", debian13);
