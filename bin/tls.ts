// `npm run tls -- keys [PULUMI_ARGS]`: makes the stack's CA key and the
// operator's client key, once, as secrets of the stack's config, which
// `daemonTls: true` needs. A stack that has them keeps them.
// `npm run tls -- client DIR`: writes ca.pem, cert.pem and key.pem
// for a docker client (DOCKER_CERT_PATH=DIR, DOCKER_TLS_VERIFY=1).
// `npm run tls -- rotate [PULUMI_ARGS]`: replaces the CA, and with it every
// certificate, in two passes of `pulumi up` (see ClipperSwarmArgs'
// tlsNextCaKey and tlsPreviousCaKey); run again after a failure, it goes on
// from the pass it stopped in.
// PULUMI_ARGS (such as --config-file FILE) go to pulumi config; the stack is
// $PULUMI_STACK, or dev.
import { generateKeyPairSync } from "node:crypto";
import { pulumiCli, pulumiShown, stackName } from "./pulumi-cli";
import { writeClientFiles } from "../components/tls/engine-client";
import { readEngineTls } from "./engine-tls";

const [command, ...rest] = process.argv.slice(2);

/** Sets secret `key` of the stack's config to `value`, which goes through a pipe, never a command line. */
function setSecret(key: string, value: string, pulumiArgs: string[]): void {
  const r = pulumiCli(["config", "set", "--secret", `clipper-swarm:${key}`, ...pulumiArgs], value);
  if (r.status !== 0) throw new Error(`pulumi config set clipper-swarm:${key} failed: ${r.stderr.trim()}`);
}

/** The value of secret `key` of the stack's config, read through a pipe. */
function getSecret(key: string, pulumiArgs: string[]): string {
  const r = pulumiCli(["config", "get", `clipper-swarm:${key}`, ...pulumiArgs]);
  if (r.status !== 0) throw new Error(`pulumi config get clipper-swarm:${key} failed: ${r.stderr.trim()}`);
  return r.stdout.trim() + "\n";
}

function removeSetting(key: string, pulumiArgs: string[]): void {
  const r = pulumiCli(["config", "rm", `clipper-swarm:${key}`, ...pulumiArgs]);
  if (r.status !== 0) throw new Error(`pulumi config rm clipper-swarm:${key} failed: ${r.stderr.trim()}`);
}

/** The names of the stack's clipper-swarm settings. */
function settingNames(pulumiArgs: string[]): Set<string> {
  const listed = pulumiCli(["config", "--json", ...pulumiArgs]);
  if (listed.status !== 0) throw new Error(`cannot read stack ${stackName}'s config: ${listed.stderr.trim()}`);
  return new Set(Object.keys(JSON.parse(listed.stdout) as Record<string, unknown>).map((k) => k.replace(/^clipper-swarm:/, "")));
}

/** A new P-256 key, in the SEC 1 form that Docker, openssl and the TLS provider all read. */
function newKey(): string {
  return generateKeyPairSync("ec", {
    namedCurve: "P-256",
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "sec1", format: "pem" },
  }).privateKey;
}

function makeKeys(pulumiArgs: string[]): void {
  const settings = settingNames(pulumiArgs);
  for (const key of ["tlsCaKey", "tlsClientKey"]) {
    if (settings.has(key)) {
      console.log(`tls: clipper-swarm:${key} is already set for stack ${stackName}; kept`);
      continue;
    }
    setSecret(key, newKey(), pulumiArgs);
    console.log(`tls: made clipper-swarm:${key} for stack ${stackName} (a secret of its config)`);
  }
}

/** Runs `pulumi up` for one pass of a CA's replacement; `then` says what to do when it fails. */
function upFor(pass: string, pulumiArgs: string[], then = "run npm run tls -- rotate again: it goes on from there"): void {
  console.log(`tls: ${pass}`);
  if (pulumiShown(["up", "--yes", "--skip-preview", ...pulumiArgs]) !== 0) throw new Error(`pulumi up failed (${pass}); fix what it says, then ${then}`);
}

/**
 * Replaces the stack's CA. The config says which pass is due: the new key
 * beside the CA's (tlsNextCaKey), then the old one beside the new
 * (tlsPreviousCaKey), then the new one alone.
 */
function rotate(pulumiArgs: string[]): void {
  const settings = settingNames(pulumiArgs);
  if (!settings.has("tlsCaKey")) throw new Error(`stack ${stackName} has no CA to replace; make its keys with: npm run tls -- keys`);
  if (!settings.has("tlsPreviousCaKey")) {
    if (!settings.has("tlsNextCaKey")) {
      setSecret("tlsNextCaKey", newKey(), pulumiArgs);
      console.log(`tls: made a new CA key, clipper-swarm:tlsNextCaKey, for stack ${stackName}`);
    }
    upFor("first pass: every engine and client trusts the new CA beside the old one", pulumiArgs);
    setSecret("tlsPreviousCaKey", getSecret("tlsCaKey", pulumiArgs), pulumiArgs);
  }
  // Also where a run stopped between the two settings below.
  if (settings.has("tlsNextCaKey") || !settings.has("tlsPreviousCaKey")) {
    setSecret("tlsCaKey", getSecret("tlsNextCaKey", pulumiArgs), pulumiArgs);
    removeSetting("tlsNextCaKey", pulumiArgs);
  }
  upFor("second pass: the new CA makes every certificate again, and engines trust it alone", pulumiArgs);
  removeSetting("tlsPreviousCaKey", pulumiArgs);
  upFor("last: the operator trusts the new CA alone", pulumiArgs, "run pulumi up: the CA is replaced, and the operator's files still trust the old one beside it");
  console.log("tls: the CA is replaced: every engine and client refuses certificates of the old one");
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
  else if (command === "rotate") rotate(rest);
  else throw new Error("usage: npm run tls -- keys | client DIR | rotate");
} catch (err) {
  console.error(`tls: ${(err as Error).message}`);
  process.exitCode = 1;
}
