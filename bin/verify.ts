// `npm run verify`: proves that the cluster does what Clipper needs, host by host.
import { readClusterOutputs } from "./stack-outputs";
import { checkOverlay, matrix } from "./overlay-check";

const outputs = readClusterOutputs();
const engines = Object.entries(outputs.dockerHosts).map(([name, url]) => ({ name, url }));
console.log(`verify: ${engines.length} hosts, network ${outputs.networkName}, image ${outputs.testImage}`);
try {
  const results = checkOverlay(engines, outputs.networkName, outputs.testImage, (line) => console.log(`verify: ${line}`));
  console.log(matrix(engines, results));
  for (const late of results.filter((r) => r.after !== undefined)) console.log(`verify: ${late.from} -> ${late.to}: ok after ${late.after} s`);
  const failed = results.filter((r) => !r.ok);
  for (const f of failed) console.error(`verify: ${f.from} -> ${f.to}: ${f.detail}`);
  const all = engines.length * (engines.length - 1);
  const sampled = results.length < all ? ` (a sample of the ${all}: each host to three others)` : "";
  console.log(`verify: ${results.length - failed.length} of ${results.length} host pairs exchange bytes over ${outputs.networkName}${sampled}`);
  process.exitCode = failed.length === 0 ? 0 : 1;
} catch (err) {
  console.error(`verify: ${(err as Error).message}`);
  process.exitCode = 1;
}
