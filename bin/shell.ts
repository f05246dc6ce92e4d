// `npm run shell -- [HOST]`: the seed's test environment, an interactive
// container on the overlay network on one host (the first by default).
import { spawnSync } from "node:child_process";
import { readClusterOutputs } from "./stack-outputs";

const outputs = readClusterOutputs();
const names = Object.keys(outputs.dockerHosts);
const host = process.argv[2] ?? names[0];
const url = outputs.dockerHosts[host];
if (!url) {
  console.error(`shell: no host named "${host}"; hosts: ${names.join(", ")}`);
  process.exit(2);
}
console.error(`shell: docker -H ${url} run -it --rm --net ${outputs.networkName} ${outputs.testImage}`);
const r = spawnSync("docker", ["-H", url, "run", "-it", "--rm", "--net", outputs.networkName, outputs.testImage], { stdio: "inherit" });
process.exitCode = r.status ?? 1;
