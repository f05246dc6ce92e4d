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
    // A host that is restarting sshd or rebooting answers a little later, so a
    // refused connection is retried for about 15 s; a dead address costs at
    // most 6 attempts of 5 s, so a run fails within a minute, naming the host.
    dialErrorLimit: 6,
    perDialTimeout: 5,
    ...(host.hostKey && { hostKey: host.hostKey }),
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
