/** The cluster as the dev stack (or $PULUMI_STACK) last left it, from `pulumi stack output`. */
import { useEngineTls } from "./engine-tls";
import { pulumiCli, stackName } from "./pulumi-cli";

/** What the command-line helpers need of the stack's outputs. */
export interface ClusterOutputs {
  /** Each host's engine endpoint, by host name. */
  dockerHosts: Record<string, string>;
  /** The overlay network's name. */
  networkName: string;
  /** The image for test containers. */
  testImage: string;
  /** Present when the engines take mutual TLS (its key shows as a secret here). */
  engineTls?: unknown;
}

/**
 * Reads the stack's outputs, and with mutual TLS makes this process's docker
 * commands use the client files; exits with a message when there is no converged stack.
 */
export function readClusterOutputs(): ClusterOutputs {
  const r = pulumiCli(["stack", "output", "--json"]);
  const outputs = r.status === 0 ? (JSON.parse(r.stdout) as Partial<ClusterOutputs>) : {};
  if (!outputs.dockerHosts || !outputs.networkName || !outputs.testImage) {
    console.error(`stack ${stackName} has no cluster outputs; run \`npm run up\` first.${r.stderr ? "\n" + r.stderr.trim() : ""}`);
    process.exit(2);
  }
  const cluster = outputs as ClusterOutputs;
  if (cluster.engineTls) useEngineTls();
  return cluster;
}
