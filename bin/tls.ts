// `npm run tls -- keys [PULUMI_ARGS]`: makes the stack's CA key and the
// operator's client key, once, as secrets of the stack's config, which
// `daemonTls: true` needs. A stack that has them keeps them.
// `npm run tls -- client DIR`: writes ca.pem, cert.pem and key.pem
// for a docker client (DOCKER_CERT_PATH=DIR, DOCKER_TLS_VERIFY=1).
// PULUMI_ARGS (such as --config-file FILE) go to pulumi config; the stack is
// $PULUMI_STACK, or dev.
import { generateKeyPairSync } from "node:crypto";
import { pulumiCli, stackName } from "./pulumi-cli";
import { writeClientFiles } from "../components/engine-client";
import { readEngineTls } from "./engine-tls";

const [command, ...rest] = process.argv.slice(2);

/** Sets secret `key` of the stack's config to `value`, which goes through a pipe, never a command line. */
function setSecret(key: string, value: string, pulumiArgs: string[]): void {
  const r = pulumiCli(["config", "set", "--secret", `clipper-swarm:${key}`, ...pulumiArgs], value);
  if (r.status !== 0) throw new Error(`pulumi config set clipper-swarm:${key} failed: ${r.stderr.trim()}`);
}

function makeKeys(pulumiArgs: string[]): void {
  const listed = pulumiCli(["config", "--json", ...pulumiArgs]);
  if (listed.status !== 0) throw new Error(`cannot read stack ${stackName}'s config: ${listed.stderr.trim()}`);
  const config = JSON.parse(listed.stdout) as Record<string, unknown>;
  for (const key of ["tlsCaKey", "tlsClientKey"]) {
    if (`clipper-swarm:${key}` in config) {
      console.log(`tls: clipper-swarm:${key} is already set for stack ${stackName}; kept`);
      continue;
    }
    // P-256, in the SEC 1 form that Docker, openssl and the TLS provider all read.
    const { privateKey } = generateKeyPairSync("ec", {
      namedCurve: "P-256",
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "sec1", format: "pem" },
    });
    setSecret(key, privateKey, pulumiArgs);
    console.log(`tls: made clipper-swarm:${key} for stack ${stackName} (a secret of its config)`);
  }
}

function writeClient(dir: string | undefined): void {
  if (!dir) throw new Error("usage: npm run tls -- client DIR");
  const tls = readEngineTls();
  if (!tls) throw new Error(`stack ${stackName} has no engineTls output: is daemonTls true, and has it been up?`);
  writeClientFiles(dir, tls);
  console.log(`tls: wrote ${dir}/ca.pem, cert.pem and key.pem (mode 600); use DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=${dir}`);
}

try {
  if (command === "keys") makeKeys(rest);
  else if (command === "client") writeClient(rest[0]);
  else throw new Error("usage: npm run tls -- keys | client DIR");
} catch (err) {
  console.error(`tls: ${(err as Error).message}`);
  process.exitCode = 1;
}
