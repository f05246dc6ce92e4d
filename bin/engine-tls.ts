/**
 * The client files of a stack in mutual TLS mode, as its last run on this
 * machine wrote them (index.ts asks for them; see providerClientFolder).
 */
import { ClientMaterial, providerClientFolder, readClientFiles } from "../components/tls/engine-client";
import { pulumiCli, projectName, stackName } from "./pulumi-cli";

// "cluster": the stack's ClipperSwarm, as index.ts names it.
const folder = providerClientFolder(projectName, stackName, "cluster");

/** The stack's client material; undefined for a plain-TCP stack. */
export function readEngineTls(): ClientMaterial | undefined {
  const r = pulumiCli(["stack", "output", "--json", "engineTls"]);
  if (r.status !== 0) {
    if (/current stack does not have output property/.test(r.stderr)) return undefined;
    throw new Error(`pulumi stack output engineTls failed: ${r.stderr.trim()}`);
  }
  return JSON.parse(r.stdout) ? clientFiles() : undefined;
}

/** Makes this process's docker commands use the stack's client files (of a stack whose engineTls is set). */
export function useEngineTls(): void {
  clientFiles();
  Object.assign(process.env, { DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: folder });
}

function clientFiles(): ClientMaterial {
  const material = readClientFiles(folder);
  if (!material) throw new Error(`stack ${stackName} has no client files in ${folder} on this machine: run pulumi preview on it here first`);
  return material;
}
