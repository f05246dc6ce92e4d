/**
 * SSH connection settings for a host, as `remote.Command` takes them. Keys and
 * passphrases become Pulumi secrets here, so they are encrypted in state and
 * never shown in diffs or logs.
 */
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import type { types } from "@pulumi/command";
import type { HostSpec } from "./inventory";

/** The one method of pulumi.Config used here. */
export interface SecretConfig {
  /** A secret config value of the project's namespace; throws when it is unset. */
  requireSecret(key: string): pulumi.Output<string>;
}

/** How `remote.Command` reaches `host`. */
export function sshConnection(host: HostSpec, config: SecretConfig): types.input.remote.ConnectionArgs {
  const base = {
    host: host.address,
    port: host.port,
    user: host.user,
    // A host that is restarting docker or booting answers a little later; retry rather than fail.
    dialErrorLimit: 10,
    perDialTimeout: 15,
  };
  const key = host.privateKey;
  if (key.kind === "agent") return { ...base, agentSocketPath: key.socketPath };
  const privateKey =
    key.kind === "path" ? pulumi.secret(readFileSync(key.path, "utf8")) : config.requireSecret(key.configKey);
  return {
    ...base,
    privateKey,
    ...(key.passphraseSecret !== undefined && { privateKeyPassword: config.requireSecret(key.passphraseSecret) }),
  };
}
