/**
 * What a docker client needs for the engines in mutual TLS mode, as
 * DOCKER_CERT_PATH takes it: `ca.pem`, `cert.pem`, and `key.pem` readable by
 * its owner only. The stack's Docker providers read theirs from such a folder,
 * and `npm run tls -- client DIR` writes one for people.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** A client's certificates and key (PEM). */
export interface ClientMaterial {
  /** The CA's certificate. */
  caCert: string;
  /** The operator's client certificate. */
  clientCert: string;
  /** The operator's client key. */
  clientKey: string;
}

/**
 * Where cluster `cluster` (a ClipperSwarm's name) in stack `stack` of project
 * `project` writes the operator's client files on this machine, for its
 * Docker providers and docker clients:
 * kept between runs, since `pulumi destroy` configures the providers from the
 * state without running the program.
 */
export function providerClientFolder(project: string, stack: string, cluster: string): string {
  return path.join(os.homedir(), ".clipper-swarm", "engine-clients", `${project}.${stack}.${cluster}`);
}

/** Writes the client files into `dir` (made readable by its owner only); a file that already holds its text is left alone. */
export function writeClientFiles(dir: string, material: ClientMaterial): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const write = (name: string, pem: string, mode: number) => {
    const file = path.join(dir, name);
    const text = pem.endsWith("\n") ? pem : pem + "\n";
    // The mode is set before the text goes in, so the key is never readable by others.
    writeFileSync(file, "", { mode, flag: "a" });
    chmodSync(file, mode);
    if (readFileSync(file, "utf8") !== text) writeFileSync(file, text);
  };
  write("key.pem", material.clientKey, 0o600);
  write("cert.pem", material.clientCert, 0o644);
  write("ca.pem", material.caCert, 0o644);
}

/** The client files in `dir`, or undefined where they are not all there. */
export function readClientFiles(dir: string): ClientMaterial | undefined {
  try {
    const read = (name: string) => readFileSync(path.join(dir, name), "utf8");
    return { caCert: read("ca.pem"), clientCert: read("cert.pem"), clientKey: read("key.pem") };
  } catch {
    return undefined;
  }
}
