// The whole stack on a swarm of Debian 12 and Debian 13 hosts, Docker 20.10 and
// 26 (test/support/stack-suite.ts).
import { mixed } from "../support/lab-clusters";
import { stackSuite } from "../support/stack-suite";

stackSuite("e2e-mixed", mixed);
