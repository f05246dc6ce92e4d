/** The cluster as the dev stack (or $PULUMI_STACK) last left it, from `pulumi stack output`. */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

/** What the command-line helpers need of the stack's outputs. */
export interface ClusterOutputs {
  /** Each host's engine endpoint, by host name. */
  dockerHosts: Record<string, string>;
  /** The overlay network's name. */
  networkName: string;
  /** The image for test containers. */
  testImage: string;
}

/** Reads the stack's outputs; exits with a message when there is no converged stack. */
export function readClusterOutputs(): ClusterOutputs {
  const root = path.resolve(__dirname, "..", "..");
  const stack = process.env.PULUMI_STACK ?? "dev";
  const r = spawnSync(path.join(root, ".tools", "bin", "pulumi"), ["stack", "output", "--json", "--stack", stack], {
    cwd: root,
    encoding: "utf8",
  });
  const outputs = r.status === 0 ? (JSON.parse(r.stdout) as Partial<ClusterOutputs>) : {};
  if (!outputs.dockerHosts || !outputs.networkName || !outputs.testImage) {
    console.error(`stack ${stack} has no cluster outputs; run \`npm run up\` first.${r.stderr ? "\n" + r.stderr.trim() : ""}`);
    process.exit(2);
  }
  return outputs as ClusterOutputs;
}
