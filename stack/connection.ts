/**
 * A host of the inventory as ClipperSwarm takes it. Keys become Pulumi
 * secrets here, so they are encrypted in state and never shown in diffs or logs.
 */
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import type { ClipperHost } from "../components/clipper-swarm";
import type { HostSpec } from "../hosts/inventory";

/** The one method of pulumi.Config used here. */
export interface SecretConfig {
  /** A secret config value of the project's namespace; throws when it is unset. */
  requireSecret(key: string): pulumi.Output<string>;
}

/** `host` as ClipperSwarm takes it, its key read from its file or the stack's config. */
export function clipperHost(host: HostSpec, config: SecretConfig): ClipperHost {
  const key = host.privateKey;
  const base: ClipperHost = {
    name: host.name,
    address: host.address,
    advertiseAddress: host.advertiseAddress,
    port: host.port,
    user: host.user,
    role: host.role,
    gone: host.gone,
    hostKeyChecking: host.hostKeyChecking,
    ...(host.hostKey && { hostKey: host.hostKey }),
  };
  if (key.kind === "agent") return { ...base, agentSocketPath: key.socketPath };
  return {
    ...base,
    privateKey: key.kind === "path" ? pulumi.secret(readFileSync(key.path, "utf8")) : config.requireSecret(key.configKey),
    ...(key.passphraseSecret !== undefined && { privateKeyPassword: config.requireSecret(key.passphraseSecret) }),
  };
}
