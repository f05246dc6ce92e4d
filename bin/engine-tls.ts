/**
 * What a docker client needs for the engines in mutual TLS mode, as
 * DOCKER_CERT_PATH takes it: `ca.pem`, `cert.pem`, and `key.pem` readable by
 * its owner only. The key comes from the stack's outputs, a secret.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pulumiCli } from "./pulumi-cli";

/** The stack's `engineTls` output. */
export interface EngineTls {
  /** The CA's certificate (PEM). */
  caCert: string;
  /** The operator's client certificate (PEM). */
  clientCert: string;
  /** The operator's client key (PEM). */
  clientKey: string;
}

/** The stack's client material, decrypted; undefined for a plain-TCP stack. */
export function readEngineTls(): EngineTls | undefined {
  const r = pulumiCli(["stack", "output", "--json", "--show-secrets", "engineTls"]);
  if (r.status !== 0) {
    if (/current stack does not have output property/.test(r.stderr)) return undefined;
    throw new Error(`pulumi stack output engineTls failed: ${r.stderr.trim()}`);
  }
  const tls = JSON.parse(r.stdout) as EngineTls | null;
  return tls?.clientKey ? tls : undefined;
}

/** Writes the client files into `dir` (made readable by its owner only). */
export function writeClientFiles(dir: string, tls: EngineTls): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const write = (name: string, text: string, mode: number) => {
    const file = path.join(dir, name);
    // The mode is set before the text goes in, so the key is never readable by others.
    writeFileSync(file, "", { mode });
    chmodSync(file, mode);
    writeFileSync(file, text.endsWith("\n") ? text : text + "\n");
  };
  write("key.pem", tls.clientKey, 0o600);
  write("cert.pem", tls.clientCert, 0o644);
  write("ca.pem", tls.caCert, 0o644);
}

/**
 * Makes this process's docker commands use the stack's client files, kept in a
 * folder of its own that goes when the process ends.
 */
export function useEngineTls(): void {
  const tls = readEngineTls();
  if (!tls) throw new Error("the stack's engineTls output cannot be read");
  const dir = mkdtempSync(path.join(os.tmpdir(), "clipper-swarm-client-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  writeClientFiles(dir, tls);
  Object.assign(process.env, { DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: dir });
}
